/**
 * Per-socket transcripts of the bytes sent and received, bounded to the last
 * `transcriptTailBytes` bytes per descriptor (oldest entries dropped). One entry keeps at most
 * the first 64 KiB of its chunk (a preview; `length` is the full size), so bulk transfers do not
 * re-encode megabytes per call. Counters live on the socket and stay exact.
 */
import type { SockAddr, TranscriptEntry } from '@shared/socket';
import type { LabContext } from '../context';
import { monoUs } from '../context';
import { encodeWireBytes, wireByteLength } from '../wire-bytes';

/** Most bytes one entry keeps (its head); `length` still gives the whole chunk's size. */
const ENTRY_PREVIEW_BYTES = 64 * 1024;

interface Tail {
  entries: TranscriptEntry[];
  bytes: number;
}

export interface Transcripts {
  append(fd: number, direction: 'out' | 'in', data: Buffer, addr: SockAddr | null, callId: number): void;
  /** The last `limit` entries of a descriptor, oldest first. */
  read(fd: number, limit: number): TranscriptEntry[];
  /** Forgets a descriptor's transcript (when its number is handed out again). */
  forget(fd: number): void;
  clear(): void;
}

/** Creates the transcript store, bounded by `ctx.options.transcriptTailBytes` per socket. */
export function createTranscripts(ctx: LabContext): Transcripts {
  const tails = new Map<number, Tail>();

  return {
    append(fd, direction, data, addr, callId) {
      const budget = ctx.options.transcriptTailBytes;
      const kept = data.subarray(0, Math.min(budget, ENTRY_PREVIEW_BYTES));
      const entry: TranscriptEntry = {
        fd,
        direction,
        data: encodeWireBytes(kept),
        length: data.length,
        addr,
        callId,
        monoUs: monoUs(),
      };
      const tail = tails.get(fd) ?? { entries: [], bytes: 0 };
      tails.set(fd, tail);
      tail.entries.push(entry);
      tail.bytes += kept.length;
      let drop = 0;
      while (tail.bytes > budget && drop < tail.entries.length - 1) {
        tail.bytes -= wireByteLength(tail.entries[drop].data);
        drop++;
      }
      if (drop > 0) tail.entries.splice(0, drop);
      ctx.emit('transcript.appended', entry);
    },
    read(fd, limit) {
      const entries = tails.get(fd)?.entries ?? [];
      return entries.slice(Math.max(0, entries.length - limit));
    },
    forget(fd) {
      tails.delete(fd);
    },
    clear() {
      tails.clear();
    },
  };
}
