/**
 * Wireshark's TCP conversation analysis (`tcp.stream`, relative `tcp.seq`/`tcp.ack`/
 * `tcp.nxtseq`, `tcp.analysis.*`), written after the semantics of packet-tcp.c's
 * tcp_analyze_sequence_number in Wireshark 4.0 and checked against tshark 4.0
 * (test/tshark/tcp-analysis.test.ts). It needs every segment once, in capture order, as
 * tshark's first pass sees them; the result of each segment is a plain record the dissector
 * shows later (tcp.ts), so a packet decodes the same however often it is shown.
 *
 * Bounded: at most `maxConversations` conversations are remembered (the least recently used
 * forgotten first: a forgotten one that sends again gets a new stream number), at most 1,000
 * unacknowledged segments a direction, as Wireshark's TCP_MAX_UNACKED_SEGMENTS, and at most
 * `maxUnacked` unacknowledged segments in all (beyond, the least recently used conversations are
 * forgotten too).
 */
import {
  ACK,
  FIN,
  analyzeSequence,
  type Acked,
  type Conversation,
  held,
  MAX_SACK,
  MAX_UNACKED,
  newAcked,
  newFlow,
  SYN,
  TCP_A,
  type TcpSegmentIn,
  u32,
  WS_NONE,
  WS_UNKNOWN,
} from './tcp-sequence';

export { TCP_A, type TcpSegmentIn } from './tcp-sequence';

/** What the analysis says about one segment: the values tshark shows, ready to display. */
export interface TcpAnalysis {
  stream: number;
  /** Relative when the segment length is known (tshark's rule), else as on the wire. */
  seq: number;
  ack: number;
  /** -1 when the segment length is unknown (no tcp.nxtseq). */
  nxtseq: number;
  /** The window in bytes (scaled when the scale is known). */
  window: number;
  /** Window scale: -1 unknown, -2 not used, else the shift (tcp.window_size_scalefactor). */
  windowScale: number;
  /** Whether Wireshark keeps an analysis record for the segment (the tcp.analysis subtree). */
  analysed: boolean;
  flags: number;
  acksFrame: number;
  ackRttNs: bigint;
  bytesInFlight: number;
  pushBytesSent: number;
  /** 0n when not known yet at this segment. */
  initialRttNs: bigint;
  dupAckNum: number;
  dupAckFrame: number;
  rtoNs: bigint;
  rtoFrame: number;
}

export interface TcpAnalyzerOptions {
  /** Conversations remembered at most. Default 100,000. */
  maxConversations?: number;
  /** Unacknowledged segments remembered at most, all conversations together. Default 1,000,000. */
  maxUnacked?: number;
}

export class TcpAnalyzer {
  /** Map order is recency: the first key is the least recently used. */
  private readonly conversations = new Map<string, Conversation>();
  private readonly maxConversations: number;
  private readonly maxUnacked: number;
  /** Unacknowledged segments held, all conversations together. */
  private unacked = 0;
  private streams = 0;

  constructor(options: TcpAnalyzerOptions = {}) {
    this.maxConversations = Math.max(1, options.maxConversations ?? 100_000);
    this.maxUnacked = Math.max(MAX_UNACKED * 2, options.maxUnacked ?? 1_000_000);
  }

  /** Forgets everything (a new capture): stream numbers start at 0 again. */
  clear(): void {
    this.conversations.clear();
    this.streams = 0;
    this.unacked = 0;
  }

  /** Unacknowledged segments remembered now, all conversations together. */
  get unackedSegments(): number {
    return this.unacked;
  }

  /** Conversations remembered now. */
  get size(): number {
    return this.conversations.size;
  }

  /**
   * Records one segment (capture order) and returns what tshark shows for it. `wsShift` is the
   * segment's window scale option, `sack` its SACK blocks as [left, right, left, right, ...].
   */
  segment(s: TcpSegmentIn, wsShift: number | null, sack: readonly number[]): TcpAnalysis {
    const a = `${s.src}|${s.srcPort}`;
    const b = `${s.dst}|${s.dstPort}`;
    const key = a <= b ? `${a}>${b}` : `${b}>${a}`;
    const forward = a <= b;
    let conv = this.touch(key) ?? this.create(key);
    let fwd = forward ? conv.flow1 : conv.flow2;
    let ta: Acked | null = null;
    const synOnly = (s.flags & (SYN | ACK)) === SYN;
    if (synOnly && fwd.baseSet) {
      if (s.seq !== fwd.baseSeq) {
        // A new connection with the same ports: a new conversation, a new stream.
        conv = this.create(key);
        fwd = forward ? conv.flow1 : conv.flow2;
        ta = newAcked();
        ta.flags |= TCP_A.REUSED_PORTS;
      } else {
        // The SYN again (RFC 793 3.4: a RST may have moved nextseq): restore it.
        fwd.nextseq = fwd.maxSeqToBeAcked;
      }
    }
    const rev = forward ? conv.flow2 : conv.flow1;
    if ((s.flags & (SYN | ACK)) === (SYN | ACK) && fwd.baseSet && s.seq !== fwd.baseSeq) {
      fwd.baseSeq = s.seq;
      ta ??= newAcked();
      ta.flags |= TCP_A.REUSED_PORTS;
    }
    // This side's SACK blocks are this segment's own (set with its options, below).
    fwd.sackLeft = [];
    fwd.sackRight = [];

    let seq = s.seq;
    let ack = s.ack;
    let nxtseq = -1;
    let window = s.window;
    if (s.seglen >= 0) {
      const before = held(conv);
      ta = analyzeSequence(conv, fwd, rev, s, ta);
      this.unacked += held(conv) - before;
      this.evict(conv);
      seq = u32(s.seq - fwd.baseSeq);
      if (s.flags & ACK) ack = u32(s.ack - rev.baseSeq);
      if (!(s.flags & SYN) && fwd.winScale >= 0) window = s.window * 2 ** fwd.winScale;
      nxtseq = u32(seq + s.seglen + (s.flags & (SYN | FIN) ? 1 : 0));
    }
    const windowScale = fwd.winScale;
    if (s.flags & SYN) {
      if (!(s.flags & ACK)) conv.mruSynNs = s.tsNs;
      fwd.isFirstAck = true;
    }
    const pureAck = (s.flags & (SYN | ACK)) === ACK;
    if (pureAck && conv.mruSynNs !== 0n && conv.firstRttNs === 0n) conv.firstRttNs = s.tsNs - conv.mruSynNs;
    if (pureAck) fwd.isFirstAck = false;
    // The options come after the analysis, as in packet-tcp.c: they count from the next segment.
    if (wsShift !== null) fwd.winScale = Math.min(wsShift, 14);
    for (let i = 0; i + 1 < sack.length && fwd.sackLeft.length < MAX_SACK; i += 2) {
      fwd.sackLeft.push(sack[i]);
      fwd.sackRight.push(sack[i + 1]);
    }
    if (s.flags & SYN) {
      if (fwd.winScale === WS_UNKNOWN) {
        fwd.winScale = WS_NONE;
        rev.winScale = WS_NONE;
      } else if (s.flags & ACK && rev.winScale === WS_NONE) fwd.winScale = WS_NONE;
    }
    return {
      stream: conv.stream,
      seq,
      ack,
      nxtseq,
      window,
      windowScale,
      analysed: ta !== null,
      flags: ta?.flags ?? 0,
      acksFrame: ta?.frameAcked ?? 0,
      ackRttNs: ta?.rttNs ?? 0n,
      bytesInFlight: ta?.bytesInFlight ?? 0,
      pushBytesSent: ta?.pushBytesSent ?? 0,
      initialRttNs: conv.firstRttNs,
      dupAckNum: ta?.dupAckNum ?? 0,
      dupAckFrame: ta?.dupAckFrame ?? 0,
      rtoNs: ta?.rtoNs ?? 0n,
      rtoFrame: ta?.rtoFrame ?? 0,
    };
  }

  private create(key: string): Conversation {
    const conv: Conversation = { stream: this.streams++, flow1: newFlow(), flow2: newFlow(), firstRttNs: 0n, mruSynNs: 0n };
    const replaced = this.conversations.get(key);
    if (replaced) this.unacked -= held(replaced);
    this.conversations.delete(key);
    this.conversations.set(key, conv);
    this.evict(conv);
    return conv;
  }

  /** Forgets the least recently used conversations (never `keep`) while over a bound. */
  private evict(keep: Conversation): void {
    while (this.conversations.size > this.maxConversations || this.unacked > this.maxUnacked) {
      const [oldestKey, oldest] = this.conversations.entries().next().value ?? [];
      if (oldestKey === undefined || oldest === undefined || oldest === keep) break;
      this.unacked -= held(oldest);
      this.conversations.delete(oldestKey);
    }
  }

  private touch(key: string): Conversation | undefined {
    const conv = this.conversations.get(key);
    if (conv) {
      this.conversations.delete(key);
      this.conversations.set(key, conv);
    }
    return conv;
  }
}
