/**
 * The TCP_INFO sampler: reads the kernel's view of every lab TCP socket while it lives, keeps a
 * bounded history per socket, and pushes each change as a `tcpinfo.samples` event. It runs
 * only while the lab has TCP sockets: every FAST_MS while something changes, every IDLE_MS
 * once nothing has for a while, and not at all when no TCP socket is open. A socket that
 * leaves the table is no longer sampled; its history stays readable among the last few.
 */
import { ERRNO } from '@shared/errno';
import { TCP_INFO_HISTORY, type TcpInfoSample } from '@shared/tcpinfo';
import type { Handlers, LabContext } from '../context';
import { monoUs } from '../context';
import { sysTcpInfoFields } from '../libc';

/** A lab TCP socket as the sampler sees it: its identity and the kernel descriptor, if any. */
export interface TcpSocketRef {
  socketId: number;
  /** null once the connection has ended and Node let go of the descriptor. */
  fd: number | null;
}

/** What the sampler reads of the socket area. */
export interface TcpSocketSource {
  /** Every open lab socket and whether it is TCP (SOCK_STREAM over AF_INET/AF_INET6). */
  socket(socketId: number): { tcp: boolean; ref: TcpSocketRef } | undefined;
  tcpSockets(): TcpSocketRef[];
}

export const FAST_MS = 100;
export const IDLE_MS = 1000;
/** Quiet ticks at FAST_MS before the sampler slows down to IDLE_MS. */
const QUIET_TICKS = 10;
/** Least time between two samples of one socket taken on its changes (a burst of recv()s, say). */
const CHANGE_GAP_US = 10_000;
/** Closed sockets whose history stays readable. */
const CLOSED_KEPT = 64;

export interface TcpInfoSampler {
  handlers: Handlers<'socket.tcpInfo'>;
  /**
   * Something happened on a socket (a call ended, data came): sample it now, so each call's
   * effect is on record even when the socket closes before the next tick, and tick soon.
   */
  changed(socketId: number): void;
  /** Whether a tick is scheduled (false once no TCP socket is open). */
  running(): boolean;
  /** The delay of the tick scheduled last (FAST_MS or IDLE_MS), or null when none is. */
  pace(): number | null;
  /** The lab was reset: forget every history. */
  labReset(): void;
  close(): void;
}

/** The fields that tell a change apart; the sample's time and the rates' jitter are not changes. */
function signature(sample: TcpInfoSample): string {
  const { atUs: _at, pacing_rate: _p, delivery_rate: _d, ...rest } = sample;
  return JSON.stringify(rest);
}

/** Creates the sampler for one lab. */
export function createTcpInfoSampler(ctx: LabContext, source: TcpSocketSource): TcpInfoSampler {
  const histories = new Map<number, TcpInfoSample[]>();
  const signatures = new Map<number, string>();
  /** When each socket was last sampled on a change (µs), to bound samples in a burst of changes. */
  const lastOnChange = new Map<number, number>();
  let timer: NodeJS.Timeout | null = null;
  let dueAt = 0;
  let pace = 0;
  let quietTicks = 0;
  let closed = false;

  function read(ref: TcpSocketRef): TcpInfoSample | null {
    if (ref.fd === null) return null;
    const info = sysTcpInfoFields(ref.fd);
    if (!info.ok) return null;
    return { ...info.value, socketId: ref.socketId, atUs: monoUs() };
  }

  function remember(sample: TcpInfoSample): boolean {
    const mark = signature(sample);
    if (signatures.get(sample.socketId) === mark) return false;
    signatures.set(sample.socketId, mark);
    let history = histories.get(sample.socketId);
    if (!history) histories.set(sample.socketId, (history = []));
    history.push(sample);
    if (history.length > TCP_INFO_HISTORY) history.splice(0, history.length - TCP_INFO_HISTORY);
    return true;
  }

  /** Drops the histories of closed sockets beyond the last CLOSED_KEPT (Map order: oldest first). */
  function trimClosed(live: Set<number>): void {
    const gone = [...histories.keys()].filter((id) => !live.has(id));
    for (const id of gone.slice(0, Math.max(0, gone.length - CLOSED_KEPT))) histories.delete(id);
    for (const id of signatures.keys()) if (!live.has(id)) signatures.delete(id);
    for (const id of lastOnChange.keys()) if (!live.has(id)) lastOnChange.delete(id);
  }

  function tick(): void {
    timer = null;
    const refs = source.tcpSockets();
    const fresh: TcpInfoSample[] = [];
    for (const ref of refs) {
      const sample = read(ref);
      if (sample && remember(sample)) fresh.push(sample);
    }
    trimClosed(new Set(refs.map((ref) => ref.socketId)));
    if (fresh.length > 0) ctx.emit('tcpinfo.samples', { samples: fresh });
    quietTicks = fresh.length > 0 ? 0 : quietTicks + 1;
    if (refs.length > 0) schedule(quietTicks >= QUIET_TICKS ? IDLE_MS : FAST_MS);
  }

  function schedule(delayMs: number): void {
    if (closed) return;
    const at = Date.now() + delayMs;
    if (timer !== null) {
      if (at >= dueAt) return;
      clearTimeout(timer);
    }
    dueAt = at;
    pace = delayMs;
    timer = setTimeout(tick, delayMs);
    timer.unref(); // sampling never keeps a process alive
  }

  const handlers: Handlers<'socket.tcpInfo'> = {
    'socket.tcpInfo': ({ socketId, history }) => {
      const kept = history ? [...(histories.get(socketId) ?? [])] : [];
      const open = source.socket(socketId);
      if (!open) {
        if (histories.has(socketId)) return { ok: true as const, value: { now: null, history: kept } };
        return {
          ok: false as const,
          errno: 'EBADF' as const,
          code: ERRNO.EBADF.code,
          message: `TCP_INFO: socket #${socketId} is not open in this lab.`,
        };
      }
      if (!open.tcp) {
        return {
          ok: false as const,
          errno: 'ENOPROTOOPT' as const,
          code: ERRNO.ENOPROTOOPT.code,
          message: `TCP_INFO: socket #${socketId} is not a TCP socket (TCP_INFO is an IPPROTO_TCP option).`,
        };
      }
      const now = read(open.ref);
      if (now && remember(now)) {
        ctx.emit('tcpinfo.samples', { samples: [now] });
        if (history) kept.push(now);
      }
      return { ok: true as const, value: { now, history: kept } };
    },
  };

  return {
    handlers,
    changed(socketId) {
      quietTicks = 0;
      schedule(FAST_MS);
      const open = source.socket(socketId);
      const now = monoUs();
      if (!open?.tcp || now - (lastOnChange.get(socketId) ?? -Infinity) < CHANGE_GAP_US) return;
      lastOnChange.set(socketId, now);
      const sample = read(open.ref);
      if (sample && remember(sample)) ctx.emit('tcpinfo.samples', { samples: [sample] });
    },
    running: () => timer !== null,
    pace: () => (timer === null ? null : pace),
    labReset() {
      histories.clear();
      signatures.clear();
      lastOnChange.clear();
    },
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
