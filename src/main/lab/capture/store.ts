/**
 * The ring store of captured packets in the main process: bounded by packet count and bytes,
 * drops the oldest when full (and counts them), numbers frames from 1 with numbers that stay
 * stable while a packet is held.
 *
 * Memory is the point: a million packets must cost little more than their bytes. Bytes live
 * in big chunks (no per-packet objects), and the per-packet facts in typed arrays laid out as
 * a ring (36 bytes a packet). Summaries are computed when asked for, never stored.
 *
 * Times are the kernel's: `tsUs` (whole microseconds since the epoch) plus `subUsNs` (the
 * nanoseconds below it, 0..999), so nanosecond stamps survive exactly; `monoUs` is the same
 * instant on CLOCK_MONOTONIC, comparable with the call log.
 */

import type { FrameMeta } from '../dissect/types';

/** Bytes per storage chunk: large enough that chunk overhead vanishes, small enough to free often. */
const CHUNK_BYTES = 4 * 1024 * 1024;
const INITIAL_SLOTS = 4096;

export interface StoreLimits {
  /** Most packets held at once. */
  maxPackets: number;
  /** Most captured bytes held at once. */
  maxBytes: number;
}

/** One stored packet; `data` is a view into the store (copy it to keep it past an eviction). */
export interface StoredPacket {
  no: number;
  monoUs: number;
  /** Whole microseconds since the epoch. */
  tsUs: number;
  /** Nanoseconds beyond tsUs (0..999). */
  subUsNs: number;
  len: number;
  linkType: number;
  data: Uint8Array;
  /** The comment an opened pcapng gave the packet. */
  comment?: string;
}

/** Comment bytes the store keeps in all (a file's comments beyond this are not kept). */
export const MAX_COMMENT_BYTES = 16 * 1024 * 1024;

/** A stored packet's time in nanoseconds since the epoch, exactly. */
export function packetTsNs(packet: Pick<StoredPacket, 'tsUs' | 'subUsNs'>): bigint {
  return BigInt(Math.floor(packet.tsUs)) * 1000n + BigInt(packet.subUsNs);
}

/** The frame.* facts the dissector needs about a stored packet (without its TCP analysis). */
export function frameMeta(packet: StoredPacket): FrameMeta {
  return { number: packet.no, tsNs: packetTsNs(packet), origLen: packet.len, comment: packet.comment };
}

/** A stored packet's place in its chunk and its facts, filled in place by `locate`. */
export interface PacketLocation {
  offset: number;
  caplen: number;
  len: number;
  linkType: number;
}

export class PacketStore {
  private slots = 0;
  private head = 0; // slot of the oldest packet
  private chunkOf = new Uint32Array(0);
  private offsetOf = new Uint32Array(0);
  private caplenOf = new Uint32Array(0);
  private lenOf = new Uint32Array(0);
  private monoOf = new Float64Array(0);
  private tsOf = new Float64Array(0);
  private subNsOf = new Uint16Array(0);
  private linkOf = new Uint16Array(0);
  /** chunks[i] holds chunk id chunkBase + i. */
  private chunks: Uint8Array[] = [];
  private chunkBase = 0;
  private chunkUsed = 0;

  /** Frame number of the oldest held packet. */
  firstNo = 1;
  /** Frame number the next packet will get. */
  nextNo = 1;
  /** Captured bytes held. */
  heldBytes = 0;
  /** Packets dropped because the store was full. */
  evicted = 0;
  /**
   * Time of frame 1 (µs since the epoch), the zero of "seconds since the first packet": kept
   * when frame 1 is evicted, so a packet's relative time never changes while it is held.
   */
  firstTsUs: number | null = null;

  constructor(private limits: StoreLimits) {
    if (limits.maxPackets < 1 || limits.maxBytes < 1) throw new RangeError('store limits must be positive');
  }

  get held(): number {
    return this.nextNo - this.firstNo;
  }

  /** Packet comments from an opened file, by frame number, and their size in all. */
  private comments = new Map<number, string>();
  private commentBytes = 0;

  /** Keeps frame `no`'s comment while the frame is held; false when the comments are full. */
  setComment(no: number, comment: string): boolean {
    if (!this.has(no) || this.commentBytes + comment.length * 2 > MAX_COMMENT_BYTES) return false;
    this.comments.set(no, comment);
    this.commentBytes += comment.length * 2;
    return true;
  }

  /** Forgets every packet; frame numbers start again at 1. */
  clear(): void {
    this.comments.clear();
    this.commentBytes = 0;
    this.slots = 0;
    this.head = 0;
    for (const name of ['chunkOf', 'offsetOf', 'caplenOf', 'lenOf'] as const) this[name] = new Uint32Array(0);
    this.monoOf = new Float64Array(0);
    this.tsOf = new Float64Array(0);
    this.subNsOf = new Uint16Array(0);
    this.linkOf = new Uint16Array(0);
    this.chunks = [];
    this.chunkBase = 0;
    this.chunkUsed = 0;
    this.firstNo = 1;
    this.nextNo = 1;
    this.heldBytes = 0;
    this.evicted = 0;
    this.firstTsUs = null;
  }

  /**
   * Copies a packet into the store, evicting the oldest as needed; returns its frame number.
   * `subUsNs`: the stamp's nanoseconds beyond `tsUs` (0 where only microseconds are known).
   */
  append(monoUs: number, tsUs: number, len: number, linkType: number, data: Uint8Array, subUsNs = 0): number {
    const caplen = Math.min(data.length, CHUNK_BYTES);
    while (this.held > 0 && (this.held >= this.limits.maxPackets || this.heldBytes + caplen > this.limits.maxBytes)) this.evictOldest();
    if (this.held === this.slots) this.grow();
    if (this.chunks.length === 0 || this.chunkUsed + caplen > CHUNK_BYTES) {
      this.chunks.push(new Uint8Array(CHUNK_BYTES));
      this.chunkUsed = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1];
    chunk.set(caplen === data.length ? data : data.subarray(0, caplen), this.chunkUsed);
    const slot = (this.head + this.held) % this.slots;
    this.chunkOf[slot] = this.chunkBase + this.chunks.length - 1;
    this.offsetOf[slot] = this.chunkUsed;
    this.caplenOf[slot] = caplen;
    this.lenOf[slot] = len;
    this.monoOf[slot] = monoUs;
    this.tsOf[slot] = tsUs;
    this.subNsOf[slot] = subUsNs;
    this.linkOf[slot] = linkType;
    if (this.nextNo === 1) this.firstTsUs = tsUs;
    this.chunkUsed += caplen;
    this.heldBytes += caplen;
    return this.nextNo++;
  }

  /** Whether frame `no` is held. */
  has(no: number): boolean {
    return Number.isInteger(no) && no >= this.firstNo && no < this.nextNo;
  }

  /** The packet numbered `no`, or null when it is not (or no longer) held. */
  get(no: number): StoredPacket | null {
    if (!this.has(no)) return null;
    const slot = (this.head + (no - this.firstNo)) % this.slots;
    const chunk = this.chunks[this.chunkOf[slot] - this.chunkBase];
    const offset = this.offsetOf[slot];
    return {
      no,
      monoUs: this.monoOf[slot],
      tsUs: this.tsOf[slot],
      subUsNs: this.subNsOf[slot],
      len: this.lenOf[slot],
      linkType: this.linkOf[slot],
      data: chunk.subarray(offset, offset + this.caplenOf[slot]),
      ...(this.comments.size > 0 && this.comments.has(no) ? { comment: this.comments.get(no) } : {}),
    };
  }

  /**
   * Where frame `no`'s bytes are, without building an object (for scans over every packet):
   * fills `at` and returns the chunk holding the bytes, or null when the frame is not held.
   */
  locate(no: number, at: PacketLocation): Uint8Array | null {
    if (!this.has(no)) return null;
    const slot = (this.head + (no - this.firstNo)) % this.slots;
    at.offset = this.offsetOf[slot];
    at.caplen = this.caplenOf[slot];
    at.len = this.lenOf[slot];
    at.linkType = this.linkOf[slot];
    return this.chunks[this.chunkOf[slot] - this.chunkBase];
  }

  /** Link type of frame `no` (no object built), or -1 when not held. */
  linkTypeOf(no: number): number {
    if (!this.has(no)) return -1;
    return this.linkOf[(this.head + (no - this.firstNo)) % this.slots];
  }

  /** Every held packet, oldest first. */
  *packets(fromNo = this.firstNo): IterableIterator<StoredPacket> {
    for (let no = Math.max(fromNo, this.firstNo); no < this.nextNo; no++) {
      const packet = this.get(no);
      if (packet) yield packet;
    }
  }

  /** Memory the store holds for bytes and indexes (for the memory figure). */
  footprintBytes(): number {
    return this.chunks.length * CHUNK_BYTES + this.slots * 36;
  }

  private evictOldest(): void {
    const slot = this.head;
    const comment = this.comments.get(this.firstNo);
    if (comment !== undefined) {
      this.comments.delete(this.firstNo);
      this.commentBytes -= comment.length * 2;
    }
    this.heldBytes -= this.caplenOf[slot];
    this.head = (this.head + 1) % this.slots;
    this.firstNo += 1;
    this.evicted += 1;
    // Free whole chunks the oldest held packet no longer reaches.
    const oldestChunk = this.held > 0 ? this.chunkOf[this.head] : this.chunkBase + this.chunks.length - 1;
    while (this.chunkBase < oldestChunk) {
      this.chunks.shift();
      this.chunkBase += 1;
    }
  }

  /** Doubles the ring (up to maxPackets), laying packets out from slot 0 again. */
  private grow(): void {
    const slots = Math.min(Math.max(INITIAL_SLOTS, this.slots * 2), this.limits.maxPackets);
    // Native copies of the two halves of the ring (the oldest packet goes to slot 0).
    const order = <T extends Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint16Array<ArrayBuffer>>(from: T, to: T): T => {
      const tail = Math.min(this.held, this.slots - this.head);
      to.set(from.subarray(this.head, this.head + tail));
      to.set(from.subarray(0, this.held - tail), tail);
      return to;
    };
    this.chunkOf = order(this.chunkOf, new Uint32Array(slots));
    this.offsetOf = order(this.offsetOf, new Uint32Array(slots));
    this.caplenOf = order(this.caplenOf, new Uint32Array(slots));
    this.lenOf = order(this.lenOf, new Uint32Array(slots));
    this.monoOf = order(this.monoOf, new Float64Array(slots));
    this.tsOf = order(this.tsOf, new Float64Array(slots));
    this.subNsOf = order(this.subNsOf, new Uint16Array(slots));
    this.linkOf = order(this.linkOf, new Uint16Array(slots));
    this.slots = slots;
    this.head = 0;
  }
}
