/** Small formatters shared by the socket table, call log and transcript. */
import type { SockAddr } from '@shared/socket';
import { ERRNO, type ErrnoName } from '@shared/errno';

/** A socket address as C programmers write it: `127.0.0.1:8080`, `[::1]:8080`, a path. */
export function formatAddr(addr: SockAddr | null | undefined): string {
  if (!addr) return '—';
  if (addr.family === 'AF_UNIX') return addr.path === '' ? '(unnamed)' : addr.path;
  if (addr.family === 'AF_INET6') return `[${addr.address}]:${addr.port}`;
  return `${addr.address}:${addr.port}`;
}

/** Wall-clock microseconds since the epoch as local `HH:MM:SS.mmm`. */
export function formatWallTime(wallUs: number): string {
  const d = new Date(wallUs / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A duration in microseconds, in the unit that reads best (µs, ms, s). */
export function formatDuration(us: number | null): string {
  if (us === null) return '…';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** A byte count with a binary unit (B, KiB, MiB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A call's arguments as C-like text, payload summaries shortened (`data=<5 B "hello">`). */
export function formatArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([key, value]) => `${key}=${formatArgValue(value)}`)
    .join(', ');
}

function formatArgValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '0' : value.map(formatArgValue).join('|');
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // The lab summarises payloads as { length, previewText }.
    if (typeof obj.length === 'number' && typeof obj.previewText === 'string') {
      return `<${obj.length} B "${obj.previewText}">`;
    }
    if (typeof obj.family === 'string') return formatAddr(obj as SockAddr);
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * The part of a lab error message that is about this call. The lab's message usually repeats
 * the errno's generic sentence, which the UI already shows translated; null when nothing is left.
 */
export function labDetail(errno: ErrnoName, message: string | null | undefined): string | null {
  const rest = message
    ?.replace(ERRNO[errno].text, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  if (!rest || /^[a-z_]+:$/i.test(rest)) return null;
  return rest;
}
