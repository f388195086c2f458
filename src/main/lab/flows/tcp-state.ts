/**
 * TCP state from the wire: RFC 793's state machine run for both ends of each connection from
 * the segments a capture saw, plus the per-segment analysis a student needs to see (relative
 * sequence numbers, retransmission, duplicate ACK, zero window, window update, keep-alive, RST).
 *
 * On loopback each segment is captured once, when it is both sent and received, so a segment
 * moves its sender's state (sending SYN, SYN-ACK, FIN) and its receiver's state (receiving an
 * ACK of its SYN or FIN, a FIN, an RST) in the same step. The SYN's receiver is shown in LISTEN
 * until it answers with a SYN-ACK (SYN_RECEIVED): until then the wire cannot tell a listening
 * port from a closed one, and a closed port answers RST instead.
 *
 * Incremental and bounded: `observe` costs O(1) per segment and at most `maxConnections`
 * connections are remembered (least recently active evicted first). Relative numbers and the
 * scaled window come from the dissector's TcpAnalyzer, the same computation as the packet list's
 * Info column and tcp.seq (Wireshark's).
 */
import { fieldLookup } from '../dissect';
import { TcpAnalyzer } from '../dissect/tcp-analysis';
import type { FlowInfo } from '../dissect/types';
import { endpointKey, flowEnds, sameEndpoint, seqAdd, seqDiff, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Endpoint } from './endpoints';

export const TCP_STATES = [
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'LAST_ACK',
  'CLOSING',
  'TIME_WAIT',
  'CLOSED',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/** What stands out about one segment. */
/** 'out-of-order' comes only from the capture's TCP analysis (Wireshark's), not from this tracker. */
export type TcpMark = 'rst' | 'zero-window' | 'window-update' | 'retransmission' | 'out-of-order' | 'dup-ack' | 'keep-alive';

/** 'a' is the end that opened the connection (sent the first SYN), or the first sender seen. */
export type TcpSide = 'a' | 'b';

export interface TcpTransition {
  side: TcpSide;
  from: TcpState;
  to: TcpState;
}

/** The analysis of one TCP segment. */
export interface TcpObservation {
  /** Connection number, from 1, new for each SYN that opens a new connection on a 4-tuple. */
  connection: number;
  from: TcpSide;
  /** Sequence and acknowledgment numbers relative to each side's initial sequence number. */
  relSeq: number;
  relAck: number | null;
  /**
   * Offset of the segment's first payload byte in its sender's byte stream (0 = the first
   * byte ever sent), known only when the capture saw that side's SYN; otherwise null.
   */
  streamOffset: number | null;
  payloadLength: number;
  flags: number;
  /** The window field as sent. */
  window: number;
  /**
   * The window in bytes: the field shifted by the sender's window scale once both SYNs offered
   * the option (RFC 7323; a SYN's own window is never scaled). The field itself when the scale
   * is unknown (the capture missed a SYN, or the caller gave no shift).
   */
  calcWindow: number;
  marks: TcpMark[];
  before: Record<TcpSide, TcpState>;
  after: Record<TcpSide, TcpState>;
  transitions: TcpTransition[];
}

/** A connection as the tracker sees it. */
export interface TcpConnectionView {
  connection: number;
  a: Endpoint;
  b: Endpoint;
  /** States before the first observed segment (b's LISTEN becomes CLOSED for a refused SYN). */
  initial: Record<TcpSide, TcpState>;
  current: Record<TcpSide, TcpState>;
}

interface SideTrack {
  end: Endpoint;
  state: TcpState;
  /** Initial sequence number, when its SYN was seen. */
  isn: number | null;
  /** One past the highest sequence number this side has used (SYN and FIN count one). */
  nextSeq: number | null;
  /** Sequence number of this side's FIN, once sent. */
  finSeq: number | null;
  lastAck: number | null;
  lastWindow: number | null;
  lastSeq: number | null;
}

interface Connection {
  id: number;
  key: string;
  a: SideTrack;
  b: SideTrack;
  initial: Record<TcpSide, TcpState>;
  /** Whether side b has sent anything yet (to spot a refused SYN). */
  bSpoke: boolean;
}

export interface TcpStateTrackerOptions {
  /** Connections remembered at most (least recently active evicted first). Default 4096. */
  maxConnections?: number;
}

function side(end: Endpoint, state: TcpState): SideTrack {
  return { end, state, isn: null, nextSeq: null, finSeq: null, lastAck: null, lastWindow: null, lastSeq: null };
}

function conversationKey(x: Endpoint, y: Endpoint): string {
  const kx = endpointKey(x);
  const ky = endpointKey(y);
  return kx < ky ? `${kx}/${ky}` : `${ky}/${kx}`;
}

const FINISHED: ReadonlySet<TcpState> = new Set(['CLOSED', 'TIME_WAIT']);

/** Runs the TCP state machine over a stream of segments, both ends of every connection. */
export class TcpStateTracker {
  private readonly connections = new Map<string, Connection>();
  private nextId = 1;
  private readonly maxConnections: number;
  /** Relative numbers and scaled windows, computed as the Info column computes them. */
  private readonly sequence: TcpAnalyzer;

  constructor(options: TcpStateTrackerOptions = {}) {
    this.maxConnections = options.maxConnections ?? 4096;
    this.sequence = new TcpAnalyzer({ maxConversations: this.maxConnections });
  }

  /**
   * Analyses one segment (in capture order); null for anything that is not TCP. `windowShift`
   * is the window-scale option's shift count of a SYN or SYN-ACK (`tcpWindowShiftOf`), which
   * FlowInfo does not carry.
   */
  observe(flow: FlowInfo | null, windowShift: number | null = null): TcpObservation | null {
    if (!flow || flow.proto !== 'tcp' || !flow.tcp) return null;
    const { src, dst } = flowEnds(flow);
    const { seq, ack, flags, window } = flow.tcp;
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    const key = conversationKey(src, dst);
    let conn = this.connections.get(key);
    const opensNew = syn && !hasAck && conn !== undefined && this.isNewConnection(conn, src, seq);
    if (conn === undefined || opensNew) conn = this.open(key, src, dst, flags);
    // Re-insert so Map order is least recently active first.
    this.connections.delete(key);
    this.connections.set(key, conn);

    const fromA = sameEndpoint(conn.a.end, src);
    const from: TcpSide = fromA ? 'a' : 'b';
    const sender = fromA ? conn.a : conn.b;
    const receiver = fromA ? conn.b : conn.a;
    const firstFromB = !fromA && !conn.bSpoke;
    if (!fromA) conn.bSpoke = true;
    const before = { a: conn.a.state, b: conn.b.state };
    const len = flow.payloadLength;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;

    if (syn) sender.isn = seq;
    // Only the numbers are used here: the frame's number and time matter to the findings alone.
    const relative = this.sequence.segment(
      { frame: 0, tsNs: 0n, src: src.addr, dst: dst.addr, srcPort: src.port, dstPort: dst.port, seq, ack, flags, window, seglen: len },
      syn ? windowShift : null,
      [],
    );
    const marks = this.marksOf(sender, receiver, seq, ack, flags, window, len);
    const segEnd = seqAdd(seq, len + (syn ? 1 : 0) + (fin ? 1 : 0));
    if (sender.nextSeq === null || seqDiff(segEnd, sender.nextSeq) > 0) sender.nextSeq = segEnd;
    if (fin && !marks.includes('retransmission')) sender.finSeq = seqAdd(seq, len);

    if (rst && firstFromB && before.b === 'LISTEN') {
      // b answered the SYN with RST: nothing listened there, b was CLOSED all along.
      conn.initial.b = 'CLOSED';
      before.b = 'CLOSED';
      conn.b.state = 'CLOSED';
    }
    // A retransmission repeats what was sent; the transitions it could cause already happened.
    step(sender, receiver, flags, ack);

    if (hasAck) sender.lastAck = ack;
    sender.lastWindow = window;
    sender.lastSeq = seq;

    const after = { a: conn.a.state, b: conn.b.state };
    const transitions: TcpTransition[] = [];
    for (const s of ['a', 'b'] as const) if (before[s] !== after[s]) transitions.push({ side: s, from: before[s], to: after[s] });
    const streamStart = sender.isn === null ? null : seqDiff(seq, seqAdd(sender.isn, 1));
    return {
      connection: conn.id,
      from,
      relSeq: relative.seq,
      relAck: hasAck ? relative.ack : null,
      streamOffset: streamStart === null || syn ? null : streamStart,
      payloadLength: len,
      flags,
      window,
      // Scaled once the SYNs told the scale (as Wireshark), never a SYN's own window.
      calcWindow: relative.window,
      marks,
      before,
      after,
      transitions,
    };
  }

  /** The current state of the end `local` in its connection with `peer`, if one was seen. */
  stateOf(local: Endpoint, peer: Endpoint): TcpState | null {
    const conn = this.connections.get(conversationKey(local, peer));
    if (!conn) return null;
    return sameEndpoint(conn.a.end, local) ? conn.a.state : conn.b.state;
  }

  /** Every remembered connection, least recently active first. */
  connectionsView(): TcpConnectionView[] {
    return [...this.connections.values()].map((c) => ({
      connection: c.id,
      a: c.a.end,
      b: c.b.end,
      initial: { ...c.initial },
      current: { a: c.a.state, b: c.b.state },
    }));
  }

  /** The connection with this number, if still remembered. */
  connection(id: number): TcpConnectionView | null {
    return this.connectionsView().find((c) => c.connection === id) ?? null;
  }

  clear(): void {
    this.connections.clear();
    this.sequence.clear();
  }

  /** Marks of one segment, judged against what its sender and receiver sent before it. */
  private marksOf(sender: SideTrack, receiver: SideTrack, seq: number, ack: number, flags: number, window: number, len: number): TcpMark[] {
    const marks: TcpMark[] = [];
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    if (rst) marks.push('rst');
    if (window === 0 && !rst) marks.push('zero-window');
    if (rst || sender.nextSeq === null) return marks;
    const consumes = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    const ahead = seqDiff(seq, sender.nextSeq);
    if (!syn && !fin && len <= 1 && ahead === -1) {
      // One byte (or none) below what was sent: a keep-alive probe, not lost data.
      marks.push('keep-alive');
      return marks;
    }
    if (consumes > 0 && seqDiff(seqAdd(seq, consumes), sender.nextSeq) <= 0) {
      marks.push('retransmission');
      return marks;
    }
    const pureAck = consumes === 0 && hasAck;
    if (pureAck && sender.lastAck === ack && sender.lastWindow !== null && window > 0) {
      if (window !== sender.lastWindow) marks.push('window-update');
      else if (sender.lastSeq === seq && receiver.nextSeq !== null && seqDiff(receiver.nextSeq, ack) > 0) {
        // Same ACK, same window, while the other side has unacknowledged data: a duplicate ACK.
        marks.push('dup-ack');
      }
    }
    return marks;
  }

  /** A SYN on a known 4-tuple opens a new connection once the old one is over or its ISN differs. */
  private isNewConnection(conn: Connection, src: Endpoint, seq: number): boolean {
    const s = sameEndpoint(conn.a.end, src) ? conn.a : conn.b;
    if (FINISHED.has(conn.a.state) && FINISHED.has(conn.b.state)) return true;
    return s.isn !== null && s.isn !== seq;
  }

  private open(key: string, src: Endpoint, dst: Endpoint, flags: number): Connection {
    const syn = (flags & TCP_SYN) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    let a: SideTrack;
    let b: SideTrack;
    if (syn && !ack) {
      a = side(src, 'CLOSED');
      b = side(dst, 'LISTEN');
    } else if (syn && ack) {
      // The capture missed the SYN: the SYN-ACK's receiver opened the connection.
      a = side(dst, 'SYN_SENT');
      b = side(src, 'LISTEN');
    } else {
      // Joined mid-connection: both ends are past the handshake.
      a = side(src, 'ESTABLISHED');
      b = side(dst, 'ESTABLISHED');
    }
    const conn: Connection = {
      id: this.nextId++,
      key,
      a,
      b,
      initial: { a: a.state, b: b.state },
      bSpoke: false,
    };
    if (this.connections.size >= this.maxConnections) {
      const oldest = this.connections.keys().next().value;
      if (oldest !== undefined) this.connections.delete(oldest);
    }
    return conn;
  }
}

/** Whether `ack` acknowledges the FIN of `side` (the ACK covers the FIN's sequence number). */
function acksFin(track: SideTrack, ack: number): boolean {
  return track.finSeq !== null && seqDiff(ack, track.finSeq) > 0;
}

/** Whether `ack` acknowledges the SYN of `side`. */
function acksSyn(track: SideTrack, ack: number): boolean {
  return track.isn === null || seqDiff(ack, track.isn) > 0;
}

/** RFC 793's transitions for one segment: the sender's for what it sent, the receiver's for what arrived. */
function step(sender: SideTrack, receiver: SideTrack, flags: number, ack: number): void {
  const syn = (flags & TCP_SYN) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const hasAck = (flags & TCP_ACK) !== 0;
  if (rst) {
    sender.state = 'CLOSED';
    // A listener that gets an RST for a half-open connection keeps listening.
    if (receiver.state !== 'LISTEN') receiver.state = 'CLOSED';
    return;
  }
  if (syn && !hasAck) {
    if (sender.state === 'CLOSED' || sender.state === 'LISTEN') sender.state = 'SYN_SENT';
    // Simultaneous open: both ends sent a SYN.
    if (receiver.state === 'SYN_SENT') receiver.state = 'SYN_RECEIVED';
    return;
  }
  if (syn && hasAck) {
    if (sender.state === 'LISTEN' || sender.state === 'SYN_SENT' || sender.state === 'CLOSED') sender.state = 'SYN_RECEIVED';
    if ((receiver.state === 'SYN_SENT' || receiver.state === 'SYN_RECEIVED') && acksSyn(receiver, ack)) receiver.state = 'ESTABLISHED';
    return;
  }
  // The ACK part first: it may complete the receiver's handshake or acknowledge its FIN.
  if (hasAck) {
    if (receiver.state === 'SYN_RECEIVED' && acksSyn(receiver, ack)) receiver.state = 'ESTABLISHED';
    if (acksFin(receiver, ack)) {
      if (receiver.state === 'FIN_WAIT_1') receiver.state = 'FIN_WAIT_2';
      else if (receiver.state === 'CLOSING') receiver.state = 'TIME_WAIT';
      else if (receiver.state === 'LAST_ACK') receiver.state = 'CLOSED';
    }
  }
  if (fin) {
    if (sender.state === 'ESTABLISHED' || sender.state === 'SYN_RECEIVED') sender.state = 'FIN_WAIT_1';
    else if (sender.state === 'CLOSE_WAIT' && receiver.state === 'FIN_WAIT_1' && hasAck && !acksFin(receiver, ack)) {
      // Simultaneous close: this FIN left before the peer's FIN arrived (it does not ACK it),
      // so this end went FIN_WAIT_1 and then, on the peer's FIN, CLOSING.
      sender.state = 'CLOSING';
      receiver.state = 'CLOSING';
      return;
    } else if (sender.state === 'CLOSE_WAIT') sender.state = 'LAST_ACK';
    if (receiver.state === 'ESTABLISHED' || receiver.state === 'SYN_RECEIVED') receiver.state = 'CLOSE_WAIT';
    else if (receiver.state === 'FIN_WAIT_1') receiver.state = 'CLOSING';
    else if (receiver.state === 'FIN_WAIT_2') receiver.state = 'TIME_WAIT';
  }
}

/** Runs a fresh tracker over a whole capture: one observation per packet (null for non-TCP). */
export function inferTcpStates(flows: Iterable<FlowInfo | null>): (TcpObservation | null)[] {
  const tracker = new TcpStateTracker();
  return Array.from(flows, (flow) => tracker.observe(flow));
}

/**
 * The window-scale shift count in a SYN's options, read with the dissector (only for SYNs, so
 * the cost of a full decode is paid once per connection end); null for other segments.
 */
export function tcpWindowShiftOf(frame: Uint8Array, linkType: number, flow: FlowInfo | null): number | null {
  if (!flow?.tcp || (flow.tcp.flags & TCP_SYN) === 0) return null;
  const shift = fieldLookup(frame, linkType)('tcp.options.wscale.shift')?.[0];
  return shift === undefined ? null : Number(shift);
}
