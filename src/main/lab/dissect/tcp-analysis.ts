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

/** Analysis flags, Wireshark's TCP_A_* values. */
export const TCP_A = {
  RETRANSMISSION: 0x0001,
  LOST_PACKET: 0x0002,
  ACK_LOST_PACKET: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUPLICATE_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  REUSED_PORTS: 0x2000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;
const PSH = 0x08;
const MAX_UNACKED = 1000;
/** SACK blocks kept for bytes in flight: Wireshark keeps at most three (MAX_TCP_SACK_RANGES 4, 1-based). */
const MAX_SACK = 3;
/** Window scale: -1 unknown, -2 known not to be used, else the shift. */
const WS_UNKNOWN = -1;
const WS_NONE = -2;

/** One TCP header as the analysis needs it. `seglen` is -1 when the segment length is unknown. */
export interface TcpSegmentIn {
  frame: number;
  tsNs: bigint;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  seglen: number;
}

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

interface Unacked {
  frame: number;
  seq: number;
  nextseq: number;
  tsNs: bigint;
}

interface Flow {
  baseSeq: number;
  baseSet: boolean;
  winScale: number;
  window: number;
  validBif: boolean;
  isFirstAck: boolean;
  lastSegmentFlags: number;
  pushBytesSent: number;
  pushSetLast: boolean;
  nextseq: number;
  nextseqFrame: number;
  nextseqTime: bigint;
  maxSeqToBeAcked: number;
  lastack: number;
  lastackTime: bigint;
  lastNonDupAck: number;
  dupAckNum: number;
  /** Newest last (Wireshark's list has the newest first). */
  segments: Unacked[];
  sackLeft: number[];
  sackRight: number[];
}

interface Conversation {
  stream: number;
  /** Flow of the endpoint whose key sorts first. */
  flow1: Flow;
  flow2: Flow;
  firstRttNs: bigint;
  mruSynNs: bigint;
}

const u32 = (n: number): number => n >>> 0;
/** Wireshark's GT_SEQ / LT_SEQ / LE_SEQ: comparisons that survive wrap-around. */
const gtSeq = (a: number, b: number): boolean => ((b - a) | 0) < 0;
const ltSeq = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const leSeq = (a: number, b: number): boolean => ((a - b) | 0) <= 0;

/** Unacknowledged segments a conversation holds. */
const held = (conv: Conversation): number => conv.flow1.segments.length + conv.flow2.segments.length;

function newFlow(): Flow {
  return {
    baseSeq: 0,
    baseSet: false,
    winScale: WS_UNKNOWN,
    window: 0xffffffff,
    validBif: true,
    isFirstAck: false,
    lastSegmentFlags: 0,
    pushBytesSent: 0,
    pushSetLast: false,
    nextseq: 0,
    nextseqFrame: 0,
    nextseqTime: 0n,
    maxSeqToBeAcked: 0,
    lastack: 0,
    lastackTime: 0n,
    lastNonDupAck: 0,
    dupAckNum: 0,
    segments: [],
    sackLeft: [],
    sackRight: [],
  };
}

/** The per-segment record Wireshark calls `ta`, before it is turned into a TcpAnalysis. */
interface Acked {
  flags: number;
  frameAcked: number;
  rttNs: bigint;
  bytesInFlight: number;
  pushBytesSent: number;
  dupAckNum: number;
  dupAckFrame: number;
  rtoNs: bigint;
  rtoFrame: number;
}

const newAcked = (): Acked => ({
  flags: 0,
  frameAcked: 0,
  rttNs: 0n,
  bytesInFlight: 0,
  pushBytesSent: 0,
  dupAckNum: 0,
  dupAckFrame: 0,
  rtoNs: 0n,
  rtoFrame: 0,
});

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
      ta = this.analyze(conv, fwd, rev, s, ta);
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

  /** tcp_analyze_sequence_number: the flags, the ACK's RTT and the bytes in flight. */
  private analyze(conv: Conversation, fwd: Flow, rev: Flow, s: TcpSegmentIn, given: Acked | null): Acked | null {
    const { seq, ack, flags, window, seglen, frame, tsNs } = s;
    let ta = given;
    const mark = (flag: number): Acked => {
      ta ??= newAcked();
      ta.flags |= flag;
      return ta;
    };
    if (!fwd.baseSet) {
      fwd.baseSeq = flags & SYN ? seq : u32(seq - 1);
      fwd.baseSet = true;
    }
    if (!rev.baseSet && flags & ACK) {
      rev.baseSeq = u32(ack - 1);
      rev.baseSet = true;
    }
    if (flags & ACK) rev.validBif = true;
    const notSynFinRst = (flags & (SYN | FIN | RST)) === 0;

    checks: {
      if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
        mark(TCP_A.ZERO_WINDOW_PROBE);
        break checks;
      }
      if (window === 0 && notSynFinRst) mark(TCP_A.ZERO_WINDOW);
      if (fwd.nextseq !== 0 && gtSeq(seq, fwd.nextseq) && !(flags & RST)) {
        mark(TCP_A.LOST_PACKET);
        fwd.validBif = false;
      }
      if ((seglen === 0 || seglen === 1) && seq === u32(fwd.nextseq - 1) && notSynFinRst) mark(TCP_A.KEEP_ALIVE);
      const sameSeqAck = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && notSynFinRst;
      if (sameSeqAck && window !== 0 && window !== fwd.window) mark(TCP_A.WINDOW_UPDATE);
      if (seglen > 0 && rev.winScale !== WS_UNKNOWN && notSynFinRst) {
        const shift = rev.isFirstAck || rev.winScale === WS_NONE ? 0 : rev.winScale;
        const edge = u32(rev.lastack + ((rev.window * 2 ** shift) % 4294967296));
        if (u32(seq + seglen) === edge) mark(TCP_A.WINDOW_FULL);
      }
      if (sameSeqAck && window !== 0 && window === fwd.window && rev.lastSegmentFlags & TCP_A.KEEP_ALIVE) {
        mark(TCP_A.KEEP_ALIVE_ACK);
        break checks;
      }
      if (sameSeqAck && window === 0 && fwd.window === 0 && rev.lastSegmentFlags & TCP_A.ZERO_WINDOW_PROBE) {
        mark(TCP_A.ZERO_WINDOW_PROBE_ACK);
        break checks;
      }
      if (sameSeqAck && window !== 0 && window === fwd.window) {
        fwd.dupAckNum += 1;
        const dup = mark(TCP_A.DUPLICATE_ACK);
        dup.dupAckNum = fwd.dupAckNum;
        dup.dupAckFrame = fwd.lastNonDupAck;
      }
    }
    if (ack !== fwd.lastack) {
      fwd.lastNonDupAck = frame;
      fwd.dupAckNum = 0;
    }
    if (rev.maxSeqToBeAcked !== 0 && gtSeq(ack, rev.maxSeqToBeAcked) && flags & ACK) {
      mark(TCP_A.ACK_LOST_PACKET);
      // Once per lost segment: what this ACKs is taken as seen from now on.
      rev.maxSeqToBeAcked = rev.nextseq;
    }
    if (seglen > 0 || flags & (SYN | FIN)) this.retransmissionKind(conv, fwd, rev, s, mark, () => ta);
    this.remember(fwd, s, ta);
    fwd.window = window;
    fwd.lastack = ack;
    fwd.lastackTime = tsNs;
    fwd.lastSegmentFlags = ta?.flags ?? 0;
    const acked = this.ackSegments(rev, ack, tsNs);
    if (acked) {
      ta ??= newAcked();
      ta.frameAcked = acked.frame;
      ta.rttNs = acked.rttNs;
    }
    if (seglen !== 0 && fwd.segments.length > 0 && fwd.validBif) {
      ta ??= newAcked();
      this.bytesInFlight(fwd, rev, s, ta);
    }
    return ta;
  }

  /** Retransmission, fast retransmission, spurious retransmission or out-of-order. */
  private retransmissionKind(
    conv: Conversation,
    fwd: Flow,
    rev: Flow,
    s: TcpSegmentIn,
    mark: (flag: number) => Acked,
    current: () => Acked | null,
  ): void {
    const { seq, seglen, flags, tsNs } = s;
    if ((current()?.flags ?? 0) & TCP_A.KEEP_ALIVE) return;
    let notAdvanced = fwd.nextseq !== 0 && ltSeq(seq, fwd.nextseq);
    // A segment that starts one byte back but brings more (after a zero window probe) is new data.
    if (seglen > 1 && u32(fwd.nextseq - 1) === seq) notAdvanced = false;
    if (seglen > 0 && rev.lastack !== 0 && leSeq(u32(seq + seglen), rev.lastack)) {
      mark(TCP_A.SPURIOUS_RETRANSMISSION);
      return;
    }
    // Fast retransmission takes precedence over out-of-order (tshark 4.0's default).
    const sinceAck = tsNs - rev.lastackTime;
    if (notAdvanced && rev.dupAckNum >= 2 && rev.lastack === seq && sinceAck >= 0n && sinceAck < 20_000_000n) {
      mark(TCP_A.FAST_RETRANSMISSION);
      return;
    }
    const sinceNext = tsNs - fwd.nextseqTime;
    const threshold = conv.firstRttNs === 0n ? 3_000_000n : conv.firstRttNs;
    if (notAdvanced && sinceNext >= 0n && sinceNext < threshold && fwd.nextseq !== u32(seq + seglen + (flags & (SYN | FIN) ? 1 : 0))) {
      mark(TCP_A.OUT_OF_ORDER);
      return;
    }
    if (notAdvanced) {
      const ta = mark(TCP_A.RETRANSMISSION);
      // The oldest unacknowledged segment is most likely the one sent again.
      const oldest = fwd.segments[0];
      ta.rtoNs = tsNs - (oldest ? oldest.tsNs : fwd.nextseqTime);
      ta.rtoFrame = oldest ? oldest.frame : fwd.nextseqFrame;
    }
  }

  /** Adds the segment to the unacknowledged list and moves nextseq / maxseqtobeacked. */
  private remember(fwd: Flow, s: TcpSegmentIn, ta: Acked | null): void {
    const { seq, seglen, flags, frame, tsNs } = s;
    let nextseq = u32(seq + seglen);
    if ((seglen || flags & (SYN | FIN)) && fwd.segments.length < MAX_UNACKED) {
      if (flags & (SYN | FIN)) nextseq = u32(nextseq + 1);
      fwd.segments.push({ frame, seq, nextseq, tsNs });
    }
    const probe = ta !== null && (ta.flags & TCP_A.ZERO_WINDOW_PROBE) !== 0;
    if ((gtSeq(nextseq, fwd.nextseq) || fwd.nextseq === 0) && !probe) {
      fwd.nextseq = nextseq;
      fwd.nextseqFrame = frame;
      fwd.nextseqTime = tsNs;
    }
    if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextseq;
  }

  /** Drops the segments `ack` acknowledges; the exactly acknowledged one gives the RTT. */
  private ackSegments(rev: Flow, ack: number, tsNs: bigint): { frame: number; rttNs: bigint } | null {
    let found: { frame: number; rttNs: bigint } | null = null;
    const kept: Unacked[] = [];
    // Newest first, as Wireshark walks its list: the oldest exact match is the one reported.
    for (let i = rev.segments.length - 1; i >= 0; i--) {
      const seg = rev.segments[i];
      if (ack === seg.nextseq) found = { frame: seg.frame, rttNs: tsNs - seg.tsNs };
      else if (gtSeq(ack, seg.seq) && leSeq(ack, seg.nextseq)) {
        seg.seq = ack;
        kept.push(seg);
        continue;
      } else if (gtSeq(seg.nextseq, ack)) {
        kept.push(seg);
        continue;
      }
    }
    if (kept.length !== rev.segments.length) rev.segments = kept.reverse();
    return found;
  }

  /** Bytes sent and not acknowledged, less what the other side's last SACK blocks hold. */
  private bytesInFlight(fwd: Flow, rev: Flow, s: TcpSegmentIn, ta: Acked): void {
    let first = u32(fwd.segments[fwd.segments.length - 1].seq - fwd.baseSeq);
    let last = u32(fwd.segments[fwd.segments.length - 1].nextseq - fwd.baseSeq);
    for (const seg of fwd.segments) {
      last = Math.max(last, u32(seg.nextseq - fwd.baseSeq));
      first = Math.min(first, u32(seg.seq - fwd.baseSeq));
    }
    let inFlight = u32(last - first);
    let delivered = 0;
    for (let i = 0; i < rev.sackLeft.length; i++) delivered = u32(delivered + u32(rev.sackRight[i] - rev.sackLeft[i]));
    inFlight = u32(inFlight - delivered);
    if (inFlight > 0 && inFlight < 2_000_000_000) ta.bytesInFlight = inFlight - (s.flags & (SYN | FIN) ? 1 : 0);
    if (s.flags & PSH) {
      fwd.pushBytesSent = fwd.pushSetLast ? s.seglen : fwd.pushBytesSent + s.seglen;
      fwd.pushSetLast = true;
    } else if (fwd.pushSetLast) {
      fwd.pushBytesSent = s.seglen;
      fwd.pushSetLast = false;
    } else fwd.pushBytesSent += s.seglen;
    ta.pushBytesSent = fwd.pushBytesSent;
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
