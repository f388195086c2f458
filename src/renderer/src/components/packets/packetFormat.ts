/** Formatting for the packet list: the three time columns and the interface picker's labels. */
import type { CaptureInterface, PacketRow } from '@shared/capture';

/** Wireshark's time display formats: since the first packet, time of day, since the previous row. */
export type TimeMode = 'relative' | 'absolute' | 'delta';
export const TIME_MODES: readonly TimeMode[] = ['relative', 'absolute', 'delta'];

/** Seconds with microsecond digits, as Wireshark prints them (`0.000123`). */
export function formatSeconds(us: number): string {
  return (us / 1_000_000).toFixed(6);
}

/** Local time of day with microseconds (`14:03:07.123456`). */
export function formatTimeOfDay(tsUs: number): string {
  const d = new Date(Math.floor(tsUs / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  const micros = String(Math.floor(((tsUs % 1_000_000) + 1_000_000) % 1_000_000)).padStart(6, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${micros}`;
}

/**
 * The Time column of `row`. `firstTsUs` is the first packet's time (null while unknown);
 * `previous` is the row displayed just above (null for the first or when not loaded yet).
 */
export function formatPacketTime(mode: TimeMode, row: PacketRow, firstTsUs: number | null, previous: PacketRow | null | undefined): string {
  if (mode === 'absolute') return formatTimeOfDay(row.tsUs);
  if (mode === 'relative') return firstTsUs === null ? '…' : formatSeconds(row.tsUs - firstTsUs);
  if (previous === null) return formatSeconds(0);
  return previous === undefined ? '…' : formatSeconds(row.tsUs - previous.tsUs);
}

/** Interfaces in the picker's order: loopback first (the lab's own traffic), then up ones, then by name. */
export function sortInterfaces(list: readonly CaptureInterface[]): CaptureInterface[] {
  return [...list].sort((a, b) => Number(b.loopback) - Number(a.loopback) || Number(b.up) - Number(a.up) || a.name.localeCompare(b.name));
}

/** `lo — 127.0.0.1, ::1` (the description too when the OS gives one). */
export function interfaceLabel(iface: CaptureInterface): string {
  const addresses = iface.addresses.map((a) => a.address).join(', ');
  const name = iface.description ? `${iface.name} (${iface.description})` : iface.name;
  return addresses ? `${name} — ${addresses}` : name;
}

/** A file name for a saved capture: `socklab-20261124-183512.pcapng`. */
export function exportFileName(now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `socklab-${date}-${time}.pcapng`;
}
