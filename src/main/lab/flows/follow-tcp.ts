/**
 * TCP reassembly for "Follow stream": one direction's bytes in sequence order, as the receiving
 * application read them. Retransmitted and duplicate bytes are dropped (the first copy wins, as
 * in Wireshark), out-of-order segments wait until the bytes before them arrive, SYN and FIN each
 * take one sequence number, and bytes the capture never saw are reported as a gap.
 */

/** A run of bytes delivered in order, and how many bytes were missing just before it. */
export interface DeliveredBytes {
  no: number;
  data: Uint8Array;
  missingBefore: number;
}

/** One captured segment of the direction being reassembled. */
export interface TcpPiece {
  no: number;
  seq: number;
  syn: boolean;
  fin: boolean;
  data: Uint8Array;
}

interface Pending {
  no: number;
  /** Offset from the initial sequence number of the first data byte. */
  start: number;
  data: Uint8Array;
  fin: boolean;
}

const HALF_SPACE = 2 ** 31;

/**
 * The sequence number the direction counts from: its SYN's, or failing that (capture started
 * mid-connection) the lowest sequence number seen, compared modulo 2^32.
 */
export function initialSequence(pieces: readonly TcpPiece[]): number | undefined {
  const syn = pieces.find((piece) => piece.syn);
  if (syn !== undefined) return syn.seq;
  if (pieces.length === 0) return undefined;
  let lowest = pieces[0].seq;
  for (const piece of pieces) if (((piece.seq - lowest) | 0) < 0) lowest = piece.seq;
  // One before the first byte, so that offsets count from 1 as they do after a SYN.
  return (lowest - 1) >>> 0;
}

/** Reassembles one direction; feed pieces in capture order, then call `finish()`. */
export class TcpDirection {
  /** Offset (from the initial sequence number) of the next byte expected. */
  private next = 1;
  private readonly pending: Pending[] = [];

  constructor(private readonly isn: number) {}

  /** Takes one captured segment; returns the bytes it makes deliverable, in order. */
  push(piece: TcpPiece): DeliveredBytes[] {
    const offset = (piece.seq - this.isn) >>> 0;
    // Far "behind" the start in modulo arithmetic: older than the connection we follow.
    if (offset >= HALF_SPACE) return [];
    const start = offset + (piece.syn ? 1 : 0);
    if (piece.data.length === 0 && !piece.fin) return [];
    this.insert({ no: piece.no, start, data: piece.data, fin: piece.fin });
    return this.drain(0);
  }

  /**
   * The peer acknowledged up to `ack`: bytes before it reached the peer even if the capture
   * lost them, so waiting segments beyond a gap can be delivered with the gap marked.
   */
  acknowledge(ack: number): DeliveredBytes[] {
    const acked = (ack - this.isn) >>> 0;
    if (acked >= HALF_SPACE || this.pending.length === 0) return [];
    const first = this.pending[0];
    if (first.start <= this.next || acked <= this.next) return [];
    const missing = Math.min(first.start, acked) - this.next;
    this.next += missing;
    return this.drain(missing);
  }

  /** Delivers what still waits behind gaps the capture never filled, gaps marked. */
  finish(): DeliveredBytes[] {
    const out: DeliveredBytes[] = [];
    while (this.pending.length > 0) {
      const missing = Math.max(0, this.pending[0].start - this.next);
      this.next += missing;
      out.push(...this.drain(missing));
    }
    return out;
  }

  private insert(segment: Pending): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1].start > segment.start) i--;
    this.pending.splice(i, 0, segment);
  }

  /** Delivers waiting segments that now start at or before `next`, trimming what was seen. */
  private drain(missingBefore: number): DeliveredBytes[] {
    const out: DeliveredBytes[] = [];
    let missing = missingBefore;
    while (this.pending.length > 0 && this.pending[0].start <= this.next) {
      const segment = this.pending.shift() as Pending;
      const end = segment.start + segment.data.length;
      if (end > this.next) {
        out.push({ no: segment.no, data: segment.data.subarray(this.next - segment.start), missingBefore: missing });
        missing = 0;
        this.next = end;
      }
      // FIN takes the sequence number after the data; a retransmitted FIN finds it taken.
      if (segment.fin && end === this.next) this.next = end + 1;
    }
    return out;
  }
}
