/**
 * packet-tcp.c's tcp_analyze_sequence_number (Wireshark 4.0), as SockLab runs it: one segment
 * against its conversation's two directions, in capture order. It sets the segment's analysis
 * flags, finds the segment an ACK acknowledges (for the RTT) and counts the bytes in flight.
 * TcpAnalyzer (tcp-analysis.ts) keeps the conversations and turns the result into what is shown.
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

export const SYN = 0x02;
export const FIN = 0x01;
const RST = 0x04;
export const ACK = 0x10;
const PSH = 0x08;
export const MAX_UNACKED = 1000;
/** SACK blocks kept for bytes in flight: Wireshark keeps at most three (MAX_TCP_SACK_RANGES 4, 1-based). */
export const MAX_SACK = 3;
/** Window scale: -1 unknown, -2 known not to be used, else the shift. */
export const WS_UNKNOWN = -1;
export const WS_NONE = -2;

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

interface Unacked {
  frame: number;
  seq: number;
  nextseq: number;
  tsNs: bigint;
}

export interface Flow {
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

export interface Conversation {
  stream: number;
  /** Flow of the endpoint whose key sorts first. */
  flow1: Flow;
  flow2: Flow;
  firstRttNs: bigint;
  mruSynNs: bigint;
}

export const u32 = (n: number): number => n >>> 0;
/** Wireshark's GT_SEQ / LT_SEQ / LE_SEQ: comparisons that survive wrap-around. */
const gtSeq = (a: number, b: number): boolean => ((b - a) | 0) < 0;
const ltSeq = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const leSeq = (a: number, b: number): boolean => ((a - b) | 0) <= 0;

/** Unacknowledged segments a conversation holds. */
export const held = (conv: Conversation): number => conv.flow1.segments.length + conv.flow2.segments.length;

export function newFlow(): Flow {
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
export interface Acked {
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

export const newAcked = (): Acked => ({
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

/** tcp_analyze_sequence_number: the flags, the ACK's RTT and the bytes in flight. */
export function analyzeSequence(conv: Conversation, fwd: Flow, rev: Flow, s: TcpSegmentIn, given: Acked | null): Acked | null {
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
  if (seglen > 0 || flags & (SYN | FIN)) retransmissionKind(conv, fwd, rev, s, mark, () => ta);
  remember(fwd, s, ta);
  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastackTime = tsNs;
  fwd.lastSegmentFlags = ta?.flags ?? 0;
  const acked = ackSegments(rev, ack, tsNs);
  if (acked) {
    ta ??= newAcked();
    ta.frameAcked = acked.frame;
    ta.rttNs = acked.rttNs;
  }
  if (seglen !== 0 && fwd.segments.length > 0 && fwd.validBif) {
    ta ??= newAcked();
    bytesInFlight(fwd, rev, s, ta);
  }
  return ta;
}

/** Retransmission, fast retransmission, spurious retransmission or out-of-order. */
function retransmissionKind(
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
function remember(fwd: Flow, s: TcpSegmentIn, ta: Acked | null): void {
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
function ackSegments(rev: Flow, ack: number, tsNs: bigint): { frame: number; rttNs: bigint } | null {
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
function bytesInFlight(fwd: Flow, rev: Flow, s: TcpSegmentIn, ta: Acked): void {
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
