/**
 * Per-socket transcripts: every chunk sent or received, with line indexes built once on append
 * so the views can render any row of a 10 MB transcript without formatting the rest. Chunks
 * are appended in place and the change is announced with `triggerRef` (one signal, no deep
 * reactivity over megabytes).
 */
import { defineStore } from 'pinia';
import { ref, shallowRef, triggerRef } from 'vue';
import type { SockAddr, TranscriptEntry } from '@shared/socket';
import { useLabApi } from '@renderer/api/inject';
import { hexdumpLineCount } from '@renderer/lib/bytes';

/** Longest text row; longer lines wrap so a row never holds megabytes. */
export const TEXT_ROW_BYTES = 120;

export interface TranscriptChunk {
  direction: 'in' | 'out';
  bytes: Uint8Array;
  /** Bytes of the original chunk (bytes may be a truncated preview). */
  length: number;
  addr: SockAddr | null;
  callId: number;
  monoUs: number;
  /** Start offsets of this chunk's text rows. */
  textRows: Uint32Array;
}

export interface Transcript {
  chunks: TranscriptChunk[];
  /** First hexdump row of each chunk, and the total after the last. */
  hexStarts: number[];
  textStarts: number[];
  hexRows: number;
  textRows: number;
  bytesIn: number;
  bytesOut: number;
  loaded: boolean;
}

/** Where a row of the combined view falls: which chunk and which row inside it. */
export interface RowRef {
  chunk: TranscriptChunk;
  chunkIndex: number;
  row: number;
}

function emptyTranscript(): Transcript {
  return { chunks: [], hexStarts: [], textStarts: [], hexRows: 0, textRows: 0, bytesIn: 0, bytesOut: 0, loaded: false };
}

/** Splits a chunk into text rows at each newline (kept on its row) or every TEXT_ROW_BYTES. */
export function textRowStarts(bytes: Uint8Array): Uint32Array {
  const starts: number[] = [];
  let rowStart = 0;
  while (rowStart < bytes.length) {
    starts.push(rowStart);
    const limit = Math.min(bytes.length, rowStart + TEXT_ROW_BYTES);
    let end = limit;
    let newline = false;
    for (let i = rowStart; i < limit; i++) {
      if (bytes[i] === 10) {
        end = i + 1;
        newline = true;
        break;
      }
    }
    // A long line is cut before a UTF-8 continuation byte, never inside a character (你 is 3 bytes).
    if (!newline && end < bytes.length) {
      let back = end;
      while (back > rowStart + 1 && (bytes[back]! & 0xc0) === 0x80) back--;
      if (back - rowStart >= TEXT_ROW_BYTES - 3) end = back;
    }
    rowStart = end;
  }
  if (starts.length === 0) starts.push(0);
  return Uint32Array.from(starts);
}

/** Binary search: the last index whose start is <= row. */
function findChunk(starts: number[], row: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The chunk and in-chunk row for a row of a transcript's hex or text view. */
export function locateRow(t: Transcript, view: 'hex' | 'text', row: number): RowRef | null {
  const starts = view === 'hex' ? t.hexStarts : t.textStarts;
  if (starts.length === 0 || row < 0 || row >= (view === 'hex' ? t.hexRows : t.textRows)) return null;
  const chunkIndex = findChunk(starts, row);
  return { chunk: t.chunks[chunkIndex]!, chunkIndex, row: row - starts[chunkIndex]! };
}

function addChunk(t: Transcript, chunk: Omit<TranscriptChunk, 'textRows'>): void {
  const textRows = textRowStarts(chunk.bytes);
  t.chunks.push({ ...chunk, textRows });
  t.hexStarts.push(t.hexRows);
  t.textStarts.push(t.textRows);
  // A zero-length datagram still gets one row, so it is visible.
  t.hexRows += Math.max(1, hexdumpLineCount(chunk.bytes.length));
  t.textRows += textRows.length;
  if (chunk.direction === 'in') t.bytesIn += chunk.length;
  else t.bytesOut += chunk.length;
}

function appendTo(t: Transcript, entry: TranscriptEntry): void {
  addChunk(t, {
    direction: entry.direction,
    bytes: entry.data,
    length: entry.length,
    addr: entry.addr,
    callId: entry.callId,
    monoUs: entry.monoUs,
  });
}

export const useTranscriptsStore = defineStore('transcripts', () => {
  const api = useLabApi();
  const transcripts = shallowRef(new Map<number, Transcript>());
  const loadError = shallowRef<string | null>(null);
  /** Bumped on every change: transcripts grow in place, so views watch this number. */
  const version = ref(0);
  function changed(): void {
    version.value++;
    triggerRef(transcripts);
  }

  function ensure(socketId: number): Transcript {
    let t = transcripts.value.get(socketId);
    if (!t) {
      t = emptyTranscript();
      transcripts.value.set(socketId, t);
    }
    return t;
  }

  /** Appends a live entry. */
  function append(entry: TranscriptEntry): void {
    appendTo(ensure(entry.socketId), entry);
    changed();
  }

  /** Loads what the lab kept for a socket (once), keeping live entries newer than the snapshot. */
  async function load(socketId: number): Promise<void> {
    const existing = ensure(socketId);
    if (existing.loaded) return;
    const result = await api.invoke('lab.transcript', { socketId, limit: 100_000 });
    if (!result.ok) {
      loadError.value = result.message;
      return;
    }
    const fresh = emptyTranscript();
    fresh.loaded = true;
    for (const entry of result.value) appendTo(fresh, entry);
    const lastMono = result.value.at(-1)?.monoUs ?? -Infinity;
    for (const chunk of ensure(socketId).chunks) {
      if (chunk.monoUs > lastMono) addChunk(fresh, chunk);
    }
    transcripts.value.set(socketId, fresh);
    changed();
  }

  function remove(socketId: number): void {
    if (transcripts.value.delete(socketId)) changed();
  }

  function get(socketId: number | null): Transcript | null {
    return socketId === null ? null : (transcripts.value.get(socketId) ?? null);
  }

  return { transcripts, version, loadError, append, load, remove, get };
});
