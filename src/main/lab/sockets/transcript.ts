/**
 * Per-socket transcripts of the bytes sent and received, keyed by socket identity (a reused
 * descriptor number starts a new transcript and leaves the old one readable), bounded to the last
 * `transcriptTailBytes` bytes per socket (oldest entries dropped), and to the transcripts of the
 * last RETIRED_KEPT closed sockets. One entry keeps at most
 * the first 64 KiB of its chunk (a preview; `length` is the full size), so bulk transfers do not
 * copy megabytes per call. Counters live on the socket and stay exact.
 */
import type { SockAddr, TranscriptEntry } from '@shared/socket';
import type { LabContext } from '../context';
import { monoUs } from '../context';

/** Most bytes one entry keeps (its head); `length` still gives the whole chunk's size. */
const ENTRY_PREVIEW_BYTES = 64 * 1024;
/** Closed sockets whose transcripts stay readable (the newest closed first to go last). */
const RETIRED_KEPT = 64;

interface Tail {
  entries: TranscriptEntry[];
  bytes: number;
}

export interface Transcripts {
  /** Appends to the transcript of the socket open on `fd` now. */
  append(fd: number, direction: 'out' | 'in', data: Buffer, addr: SockAddr | null, callId: number): void;
  /** The last `limit` entries of a socket, oldest first. */
  read(socketId: number, limit: number): TranscriptEntry[];
  /** The socket was closed: its transcript is kept among the last RETIRED_KEPT closed ones. */
  retire(socketId: number): void;
  clear(): void;
}

/**
 * Creates the transcript store, bounded by `ctx.options.transcriptTailBytes` per socket.
 * `identify` names the socket open on a descriptor: the calls that append know their socket by fd.
 */
export function createTranscripts(ctx: LabContext, identify: (fd: number) => number | undefined): Transcripts {
  const tails = new Map<number, Tail>();
  const retired: number[] = [];

  return {
    append(fd, direction, data, addr, callId) {
      const socketId = identify(fd);
      if (socketId === undefined) return;
      const budget = ctx.options.transcriptTailBytes;
      const kept = data.subarray(0, Math.min(budget, ENTRY_PREVIEW_BYTES));
      const entry: TranscriptEntry = {
        socketId,
        fd,
        direction,
        // A copy: the caller's buffer may change after the call, the transcript must not.
        data: new Uint8Array(kept),
        length: data.length,
        addr,
        callId,
        monoUs: monoUs(),
      };
      const tail = tails.get(socketId) ?? { entries: [], bytes: 0 };
      tails.set(socketId, tail);
      tail.entries.push(entry);
      tail.bytes += kept.length;
      let drop = 0;
      while (tail.bytes > budget && drop < tail.entries.length - 1) {
        tail.bytes -= tail.entries[drop].data.byteLength;
        drop++;
      }
      if (drop > 0) tail.entries.splice(0, drop);
      ctx.emit('transcript.appended', entry);
    },
    read(socketId, limit) {
      const entries = tails.get(socketId)?.entries ?? [];
      return entries.slice(Math.max(0, entries.length - limit));
    },
    retire(socketId) {
      if (!tails.has(socketId)) return;
      retired.push(socketId);
      if (retired.length > RETIRED_KEPT) tails.delete(retired.shift() as number);
    },
    clear() {
      tails.clear();
      retired.length = 0;
    },
  };
}
