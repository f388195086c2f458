/**
 * The part of the call log that can put packets on the wire, kept per socket for tying
 * packets to calls: the latest connect, the send calls as byte ranges of the socket's stream,
 * datagram sends waiting for their datagram, the shutdown/close that sends the FIN, SO_LINGER.
 *
 * Fed each call record as the log emits it (a record arrives when it starts and again when it
 * finishes, with the same id). Kept by socket identity (CallRecord.socketId, newSocketId), so a
 * descriptor number handed out again never inherits the calls of the socket that had it before.
 * Bounded per socket, so memory does not grow with the log.
 */
import type { CallRecord } from '@shared/socket';
import { endpointOfArg, type Endpoint } from './endpoints';

/** A call with its time window on CLOCK_MONOTONIC (end null while it is still running). */
export interface CallWindow {
  callId: number;
  startMonoUs: number;
  endMonoUs: number | null;
}

/** A send() as the bytes it wrote into the socket's stream: [offset, offset + length). */
export interface SendSpan extends CallWindow {
  offset: number;
  length: number;
}

/** A sendto()/send() on a datagram or raw socket, until its datagram is seen. */
export interface DatagramSend extends CallWindow {
  length: number;
  /** The destination given to sendto (null: the connected peer). */
  to: Endpoint | null;
  matched: boolean;
}

export interface SocketCalls {
  connect: (CallWindow & { to: Endpoint | null }) | null;
  /** shutdown(SHUT_WR/SHUT_RDWR) and close calls that did not fail, in order. */
  finCalls: (CallWindow & { call: 'shutdown' | 'close' })[];
  close: CallWindow | null;
  /** SO_LINGER {onoff: true, linger: 0} was set: close() aborts with RST. */
  lingerZero: boolean;
  /** Ordered by call id (and so by time); at most 2 × MAX_SENDS kept. */
  sends: SendSpan[];
  datagrams: DatagramSend[];
}

const MAX_SENDS = 2048;
/** Sockets whose calls are kept; past this the longest-closed go first (identities are never reused). */
const MAX_SOCKETS = 4096;
const MAX_DATAGRAMS = 256;
const MAX_FIN_CALLS = 8;

function fresh(): SocketCalls {
  return { connect: null, finCalls: [], close: null, lingerZero: false, sends: [], datagrams: [] };
}

/** The bytes a send/sendto call wrote: its return value, or what it asked for while running. */
function bytesOf(record: CallRecord): number {
  if (record.ret !== null) return Math.max(0, record.ret);
  const data = record.args.data;
  if (typeof data === 'object' && data !== null && typeof (data as { length?: unknown }).length === 'number') {
    return (data as { length: number }).length;
  }
  return 0;
}

function windowOf(record: CallRecord): CallWindow {
  return { callId: record.id, startMonoUs: record.startMonoUs, endMonoUs: record.endMonoUs };
}

/** Per-socket call facts for tying packets to calls. */
export class CallBook {
  private readonly bySocket = new Map<number, SocketCalls>();

  /** Notes a call record (at its start and again at its end). Noting a record again is harmless. */
  note(record: CallRecord): void {
    const failed = record.ret === -1;
    if (record.newSocketId !== null && !this.bySocket.has(record.newSocketId)) this.add(record.newSocketId, fresh());
    if (record.call === 'socket' || record.socketId === null) return;
    const calls = this.forSocket(record.socketId);
    switch (record.call) {
      case 'connect': {
        // EINPROGRESS still sends the SYN; other failures (ECONNREFUSED too) keep the window.
        calls.connect = { ...windowOf(record), to: endpointOfArg(record.args.address) };
        break;
      }
      case 'send':
      case 'sendto':
        this.noteSend(calls, record);
        break;
      case 'shutdown': {
        const how = record.args.how;
        if (failed || (how !== 'SHUT_WR' && how !== 'SHUT_RDWR')) break;
        upsert(calls.finCalls, { ...windowOf(record), call: 'shutdown' as const }, MAX_FIN_CALLS);
        break;
      }
      case 'close':
        if (failed) break;
        upsert(calls.finCalls, { ...windowOf(record), call: 'close' as const }, MAX_FIN_CALLS);
        calls.close = windowOf(record);
        break;
      case 'setsockopt':
        if (record.args.option === 'SO_LINGER' && !failed) {
          const value = record.args.value as { onoff?: unknown; linger?: unknown } | null;
          calls.lingerZero = typeof value === 'object' && value !== null && value.onoff === true && value.linger === 0;
        }
        break;
      default:
        break;
    }
  }

  /** The facts of one socket, if any call on it was seen. */
  get(socketId: number): SocketCalls | undefined {
    return this.bySocket.get(socketId);
  }

  /** Sockets with calls noted. */
  socketIds(): IterableIterator<number> {
    return this.bySocket.keys();
  }

  clear(): void {
    this.bySocket.clear();
  }

  private forSocket(socketId: number): SocketCalls {
    let calls = this.bySocket.get(socketId);
    if (!calls) {
      calls = fresh();
      this.add(socketId, calls);
    }
    return calls;
  }

  /** Adds a socket's book, forgetting the oldest closed socket (else the oldest) past MAX_SOCKETS. */
  private add(socketId: number, calls: SocketCalls): void {
    this.bySocket.set(socketId, calls);
    if (this.bySocket.size <= MAX_SOCKETS) return;
    let victim: number | undefined;
    for (const [id, book] of this.bySocket) {
      victim ??= id;
      if (book.close !== null) {
        victim = id;
        break;
      }
    }
    if (victim !== undefined) this.bySocket.delete(victim);
  }

  private noteSend(calls: SocketCalls, record: CallRecord): void {
    const length = bytesOf(record);
    const to = endpointOfArg(record.args.address);
    // Ids grow: a record newer than the last one kept is new, and is appended without a search.
    const datagram = findRecent(calls.datagrams, record.id);
    if (datagram >= 0) {
      Object.assign(calls.datagrams[datagram], windowOf(record), { length });
    } else if (record.ret !== -1) {
      calls.datagrams.push({ ...windowOf(record), length, to, matched: false });
      calls.datagrams = trimmed(calls.datagrams, MAX_DATAGRAMS);
    }
    const index = findRecent(calls.sends, record.id);
    if (index >= 0) {
      // The call finished: its return value may differ from what it asked for (partial write).
      Object.assign(calls.sends[index], windowOf(record), { length });
      for (let i = index + 1; i < calls.sends.length; i++) calls.sends[i].offset = calls.sends[i - 1].offset + calls.sends[i - 1].length;
    } else if (length > 0) {
      const last = calls.sends.at(-1);
      calls.sends.push({ ...windowOf(record), offset: last ? last.offset + last.length : 0, length });
      calls.sends = trimmed(calls.sends, MAX_SENDS);
    }
  }
}

/** The send whose bytes hold the whole range [offset, offset + length), if one does. */
export function sendHolding(sends: readonly SendSpan[], offset: number, length: number): SendSpan | null {
  let lo = 0;
  let hi = sends.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = sends[mid];
    if (offset < span.offset) hi = mid - 1;
    else if (offset >= span.offset + span.length) lo = mid + 1;
    else return offset + length <= span.offset + span.length ? span : null;
  }
  return null;
}

/** Whether a packet stamped at `monoUs` falls in a call's window, the end widened by `slackUs`. */
export function inWindow(call: CallWindow, monoUs: number, slackUs: number): boolean {
  // A packet stamped before the call started cannot be its effect: the call is logged before
  // the system call runs and the capture stamps a packet after the kernel sent it.
  if (monoUs < call.startMonoUs) return false;
  return call.endMonoUs === null || monoUs <= call.endMonoUs + slackUs;
}

function upsert<T extends CallWindow>(list: T[], item: T, max: number): void {
  const index = list.findIndex((c) => c.callId === item.callId);
  if (index >= 0) list[index] = item;
  else {
    list.push(item);
    if (list.length > max) list.shift();
  }
}

/** Index of the record `id` in a list ordered by id, searching from the newest; -1 if absent. */
function findRecent(list: readonly CallWindow[], id: number): number {
  const last = list.at(-1);
  if (!last || last.callId < id) return -1;
  for (let i = list.length - 1; i >= 0 && list[i].callId >= id; i--) if (list[i].callId === id) return i;
  return -1;
}

/** Keeps the newest `max` items, trimming in batches so appends stay O(1) amortised. */
function trimmed<T>(list: T[], max: number): T[] {
  return list.length > max * 2 ? list.slice(list.length - max) : list;
}
