/**
 * The ladder (sequence) diagram of one conversation, as a model the UI draws and
 * `ladderToSvg` renders: the two endpoints as columns, one arrow per segment, datagram or ICMP
 * message (flags, relative seq/ack, length, window), time down the side, each side's API calls
 * where they happened, each side's TCP state along the way, and what stands out (RST, zero
 * window, retransmission, ...). Pure: built from packets, the call log and the socket table.
 */
import type { CallName, CallRecord } from '@shared/socket';
import { TCP_A } from '../dissect/tcp-analysis';
import type { FlowInfo } from '../dissect/types';
import {
  addressMatches,
  endpointOfArg,
  endpointOfSockAddr,
  flowEnds,
  formatEndpoint,
  sameEndpoint,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type Endpoint,
} from './endpoints';
import type { IcmpFacts } from './icmp-facts';
import { TcpStateTracker, type TcpMark, type TcpSide, type TcpState } from './tcp-state';
import type { KnownSocket, SocketLike, TieCause } from './ties';

/** The ladder marks of a segment from its TCP analysis flags (and RST from its own flags). */
function analysisMarks(tcpFlags: number, flags: number): LadderMark[] {
  const marks: LadderMark[] = [];
  if (tcpFlags & TCP_RST) marks.push('rst');
  if (flags & TCP_A.ZERO_WINDOW) marks.push('zero-window');
  if (flags & TCP_A.WINDOW_UPDATE) marks.push('window-update');
  if (flags & (TCP_A.RETRANSMISSION | TCP_A.FAST_RETRANSMISSION | TCP_A.SPURIOUS_RETRANSMISSION)) marks.push('retransmission');
  if (flags & TCP_A.OUT_OF_ORDER) marks.push('out-of-order');
  if (flags & TCP_A.DUPLICATE_ACK) marks.push('dup-ack');
  if (flags & TCP_A.KEEP_ALIVE) marks.push('keep-alive');
  return marks;
}

/** A packet for the ladder: what tying needs, its frame number and, optionally, its tie. */
export interface LadderPacket {
  no: number;
  monoUs: number;
  flow: FlowInfo | null;
  icmp?: IcmpFacts | null;
  /** For a SYN: its window-scale shift (`tcpWindowShiftOf`), so `Win=` shows bytes. */
  windowShift?: number | null;
  /** The packet list's info column; used as the label of ICMP messages. */
  info?: string;
  /**
   * The capture's TCP analysis flags of the packet (Wireshark's, `TCP_A`): when given, the
   * arrow's marks are those, so the ladder and the packet list report the same findings.
   */
  tcpAnalysisFlags?: number;
  socketIds?: number[];
  fds?: number[];
  callId?: number | null;
  cause?: TieCause | null;
}

/** A socket as the ladder needs it: a SocketInfo or a `PacketTies.knownSockets()` entry. */
export type LadderSocket = (Pick<SocketLike, 'socketId' | 'fd' | 'local' | 'peer'> & { state?: SocketLike['state'] }) | KnownSocket;

export type Column = 0 | 1;
export type LadderMark = TcpMark | 'icmp-error';

export interface LadderColumn {
  /** `127.0.0.1:40000`, `[::1]:8080`, or the bare address for ICMP. */
  endpoint: string;
  /** Lab sockets on this side (a listening socket and the socket accept() returned, say). */
  socketIds: number[];
  /** Their descriptors, in the same order (labels: a number may have been reused since). */
  fds: number[];
  /** The lab-network host this side is (docs/lab-network.md); absent on this machine. */
  host?: string;
}

export interface LadderArrow {
  kind: 'packet';
  no: number;
  /** Microseconds since the ladder's first row. */
  timeUs: number;
  from: Column;
  to: Column;
  proto: FlowInfo['proto'];
  /** `[SYN, ACK] Seq=0 Ack=1 Win=65535 Len=0`, `UDP Len=5`, `Echo (ping) request ...`. */
  label: string;
  /** `win` is the window in bytes (scaled when the SYNs gave the scale), as Wireshark's Win=. */
  tcp: { flags: string; relSeq: number; relAck: number | null; len: number; win: number } | null;
  marks: LadderMark[];
  cause: TieCause | null;
  callId: number | null;
  /** Each column's TCP state after this packet (null for UDP/ICMP), and which changed. */
  states: [TcpState | null, TcpState | null];
  changed: [boolean, boolean];
}

export interface LadderCall {
  kind: 'call';
  side: Column;
  callId: number;
  socketId: number;
  /** The descriptor the socket had (its label). */
  fd: number;
  call: CallName;
  timeUs: number;
  durationUs: number | null;
  /** C-like: `connect(4, 127.0.0.1:8080) = 0`, `recv(5, 4096) = -1 EAGAIN`, `accept(3) …`. */
  text: string;
  failed: boolean;
}

export type LadderRow = LadderArrow | LadderCall;

export interface LadderModel {
  proto: FlowInfo['proto'] | null;
  columns: [LadderColumn, LadderColumn];
  /** CLOCK_MONOTONIC µs of time 0 (the first row). */
  startMonoUs: number;
  /** Each column's TCP state before the first packet (null for UDP/ICMP). */
  initialStates: [TcpState | null, TcpState | null];
  rows: LadderRow[];
  /** Rows beyond `maxRows` were left out. */
  truncated: boolean;
}

export interface LadderOptions {
  /** Lab sockets (open and recently closed) to place calls on their side. */
  sockets?: readonly LadderSocket[];
  /** Rows at most (default 1000): a ladder of a bulk transfer is unreadable anyway. */
  maxRows?: number;
}

const FLAG_NAMES: [number, string][] = [
  [TCP_FIN, 'FIN'],
  [TCP_SYN, 'SYN'],
  [TCP_RST, 'RST'],
  [TCP_PSH, 'PSH'],
  [TCP_ACK, 'ACK'],
  [TCP_URG, 'URG'],
  [TCP_ECE, 'ECE'],
  [TCP_CWR, 'CWR'],
];

/** TCP flags as Wireshark lists them: `SYN, ACK`. */
export function tcpFlagNames(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(', ');
}

/** A packet's conversation key: protocol plus both endpoints, direction-free. */
function conversationOf(proto: string, x: Endpoint, y: Endpoint): string {
  const kx = formatEndpoint(x);
  const ky = formatEndpoint(y);
  return `${proto} ${kx < ky ? `${kx} ${ky}` : `${ky} ${kx}`}`;
}

/** The conversation a packet is part of (an ICMP error: the conversation it quotes). */
function conversationKeyOf(packet: LadderPacket): string | null {
  const flow = packet.flow;
  if (!flow) return null;
  const quoted = packet.icmp?.quoted;
  if (packet.icmp?.isError && quoted && quoted.proto !== 'other') {
    const ports = quoted.proto === 'tcp' || quoted.proto === 'udp';
    return conversationOf(
      quoted.proto,
      { addr: quoted.src, port: ports ? quoted.srcPort : 0 },
      { addr: quoted.dst, port: ports ? quoted.dstPort : 0 },
    );
  }
  const { src, dst } = flowEnds(flow);
  const key = conversationOf(flow.proto, src, dst);
  return packet.icmp?.echo ? `${key} id=${packet.icmp.echo.id}` : key;
}

/**
 * The packets of the conversation frame `no` belongs to, in order: both directions of its
 * 5-tuple (for TCP, only the connection it is part of, not an earlier one on the same ports),
 * plus ICMP errors quoting it. Empty when `no` is not there or has no flow.
 */
export function selectConversation<T extends LadderPacket>(packets: readonly T[], no: number): T[] {
  const chosen = packets.find((p) => p.no === no);
  const key = chosen ? conversationKeyOf(chosen) : null;
  if (!chosen || key === null) return [];
  const same = packets.filter((p) => conversationKeyOf(p) === key);
  if (chosen.flow?.proto !== 'tcp') return same;
  const tracker = new TcpStateTracker();
  const connectionOf = new Map<number, number>();
  for (const p of same) {
    const obs = p.flow?.proto === 'tcp' ? tracker.observe(p.flow, p.windowShift ?? null) : null;
    if (obs) connectionOf.set(p.no, obs.connection);
  }
  const target = connectionOf.get(no);
  return same.filter((p) => !connectionOf.has(p.no) || connectionOf.get(p.no) === target);
}

/** Builds the ladder model of a conversation (use `selectConversation` to pick one). */
export function buildLadder(packets: readonly LadderPacket[], calls: readonly CallRecord[], options: LadderOptions = {}): LadderModel {
  const maxRows = options.maxRows ?? 1000;
  const first = packets.find((p) => p.flow !== null && !p.icmp?.isError) ?? packets.find((p) => p.flow !== null);
  if (!first?.flow) {
    const none = { endpoint: '', socketIds: [], fds: [] };
    return { proto: null, columns: [none, { ...none }], startMonoUs: 0, initialStates: [null, null], rows: [], truncated: false };
  }
  const ends = columnsOf(first);
  const isTcp = first.flow.proto === 'tcp';
  const tracker = new TcpStateTracker();
  const sideColumn: Record<TcpSide, Column> = { a: 0, b: 1 };
  let connection: number | null = null;
  const arrows: (LadderArrow & { monoUs: number })[] = [];
  const tied: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  const callById = new Map(calls.map((c) => [c.id, c]));

  for (const packet of packets) {
    const flow = packet.flow;
    if (!flow) continue;
    const direction = directionOf(packet, flow, ends);
    if (!direction) continue;
    const [from, to] = direction;
    let tcp: LadderArrow['tcp'] = null;
    let marks: LadderMark[] = packet.icmp?.isError ? ['icmp-error'] : [];
    let states: LadderArrow['states'] = [null, null];
    let changed: LadderArrow['changed'] = [false, false];
    if (flow.proto === 'tcp' && flow.tcp) {
      const obs = tracker.observe(flow, packet.windowShift ?? null);
      if (!obs) continue;
      if (connection === null) {
        connection = obs.connection;
        const view = tracker.connection(obs.connection);
        if (view) sideColumn.a = sameEndpoint(view.a, ends[0]) ? 0 : 1;
        sideColumn.b = sideColumn.a === 0 ? 1 : 0;
      }
      tcp = { flags: tcpFlagNames(obs.flags), relSeq: obs.relSeq, relAck: obs.relAck, len: obs.payloadLength, win: obs.calcWindow };
      marks = packet.tcpAnalysisFlags === undefined ? obs.marks : analysisMarks(flow.tcp.flags, packet.tcpAnalysisFlags);
      states = sideColumn.a === 0 ? [obs.after.a, obs.after.b] : [obs.after.b, obs.after.a];
      changed = [false, false];
      for (const t of obs.transitions) changed[sideColumn[t.side]] = true;
    }
    if (packet.cause === 'call' && packet.callId != null) {
      const caller = callById.get(packet.callId);
      if (caller?.socketId != null && caller.fd !== null) tied[from].set(caller.socketId, caller.fd);
    }
    arrows.push({
      kind: 'packet',
      monoUs: packet.monoUs,
      no: packet.no,
      timeUs: 0,
      from,
      to,
      proto: flow.proto,
      label: labelOf(packet, flow, tcp),
      tcp,
      marks,
      cause: packet.cause ?? null,
      callId: packet.callId ?? null,
      states,
      changed,
    });
  }

  let initialStates: LadderModel['initialStates'] = [null, null];
  if (isTcp && connection !== null) {
    const view = tracker.connection(connection);
    if (view) initialStates = sideColumn.a === 0 ? [view.initial.a, view.initial.b] : [view.initial.b, view.initial.a];
  }
  const sides = columnSockets(ends, options.sockets ?? [], tied);
  const lastPacket = arrows.length ? arrows[arrows.length - 1].monoUs : 0;
  const callRows = callsOf(calls, sides, lastPacket);
  const rows: (LadderRow & { monoUs: number })[] = [...callRows, ...arrows];
  // Calls first on equal times: the call is logged before the packet it causes.
  rows.sort((x, y) => x.monoUs - y.monoUs || (x.kind === y.kind ? 0 : x.kind === 'call' ? -1 : 1));
  const kept = rows.slice(0, maxRows);
  const startMonoUs = kept.length ? kept[0].monoUs : first.monoUs;
  return {
    proto: first.flow.proto,
    columns: [columnOf(ends[0], sides[0]), columnOf(ends[1], sides[1])],
    startMonoUs,
    initialStates,
    rows: kept.map(({ monoUs, ...row }) => ({ ...row, timeUs: monoUs - startMonoUs }) as LadderRow),
    truncated: rows.length > kept.length,
  };
}

/** The two columns: the side that opened the conversation on the left. */
function columnsOf(first: LadderPacket): [Endpoint, Endpoint] {
  const flow = first.flow as FlowInfo;
  const { src, dst } = flowEnds(flow);
  if (first.icmp?.isError && first.icmp.quoted) {
    const q = first.icmp.quoted;
    const ports = q.proto === 'tcp' || q.proto === 'udp';
    return [
      { addr: q.src, port: ports ? q.srcPort : 0 },
      { addr: q.dst, port: ports ? q.dstPort : 0 },
    ];
  }
  const synAck = flow.tcp && (flow.tcp.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
  const echoReply = first.icmp?.echo && !first.icmp.echo.request;
  return synAck || echoReply ? [dst, src] : [src, dst];
}

/** Which column sends and which receives, or null for a packet between other endpoints. */
function directionOf(packet: LadderPacket, flow: FlowInfo, ends: [Endpoint, Endpoint]): [Column, Column] | null {
  const quoted = packet.icmp?.isError ? packet.icmp.quoted : null;
  if (quoted) {
    // An ICMP error goes back to the sender of the packet it quotes.
    const ports = quoted.proto === 'tcp' || quoted.proto === 'udp';
    const origin = { addr: quoted.src, port: ports ? quoted.srcPort : 0 };
    if (sameEndpoint(origin, ends[0])) return [1, 0];
    if (sameEndpoint(origin, ends[1])) return [0, 1];
    return null;
  }
  const { src, dst } = flowEnds(flow);
  if (packet.icmp?.echo && src.addr === dst.addr) return packet.icmp.echo.request ? [0, 1] : [1, 0];
  if (sameEndpoint(src, ends[0]) && sameEndpoint(dst, ends[1])) return [0, 1];
  if (sameEndpoint(src, ends[1]) && sameEndpoint(dst, ends[0])) return [1, 0];
  return null;
}

function labelOf(packet: LadderPacket, flow: FlowInfo, tcp: LadderArrow['tcp']): string {
  if (tcp) {
    const ack = tcp.relAck === null ? '' : ` Ack=${tcp.relAck}`;
    return `[${tcp.flags}] Seq=${tcp.relSeq}${ack} Win=${tcp.win} Len=${tcp.len}`;
  }
  if (flow.proto === 'udp') return `UDP Len=${flow.payloadLength}`;
  if (packet.info) return packet.info;
  const icmp = packet.icmp;
  if (icmp?.echo) return `Echo ${icmp.echo.request ? 'request' : 'reply'} id=${icmp.echo.id} seq=${icmp.echo.seq}`;
  return icmp ? `${flow.proto.toUpperCase()} type=${icmp.type} code=${icmp.code}` : flow.proto.toUpperCase();
}

/** A column: its endpoint and its sockets in creation order, each with its descriptor label. */
function columnOf(end: Endpoint, sockets: Map<number, number>): LadderColumn {
  const ids = [...sockets.keys()].sort((x, y) => x - y);
  return { endpoint: formatEndpoint(end), socketIds: ids, fds: ids.map((id) => sockets.get(id) as number) };
}

/**
 * The lab sockets on each side (socket id → its descriptor): by their endpoints, and by the calls
 * tied to its packets.
 */
function columnSockets(
  ends: [Endpoint, Endpoint],
  sockets: readonly LadderSocket[],
  tied: [Map<number, number>, Map<number, number>],
): [Map<number, number>, Map<number, number>] {
  const result: [Map<number, number>, Map<number, number>] = [new Map(tied[0]), new Map(tied[1])];
  for (const socket of sockets) {
    const local = 'open' in socket ? socket.local : endpointOfSockAddr(socket.local);
    const peer = 'open' in socket ? socket.peer : endpointOfSockAddr(socket.peer);
    if (!local) continue;
    for (const column of [0, 1] as const) {
      const self = ends[column];
      const other = ends[column === 0 ? 1 : 0];
      if (local.port !== self.port || !addressMatches(local.addr, self.addr)) continue;
      // A socket with a peer belongs here only for this peer; one without (a listener) always.
      if (peer === null || peer.port === 0 || (peer.port === other.port && addressMatches(peer.addr, other.addr)))
        result[column].set(socket.socketId, socket.fd);
    }
  }
  return result;
}

/**
 * The calls drawn: those on each side's sockets (by identity, so a reused descriptor number
 * brings in nothing of the socket that had it before); a listening socket's calls up to the last
 * packet, leaving out its accept() calls that returned sockets of other conversations.
 */
function callsOf(calls: readonly CallRecord[], sides: [Map<number, number>, Map<number, number>], lastMonoUs: number) {
  const rows: (LadderCall & { monoUs: number })[] = [];
  const sideOf = new Map<number, Column>();
  for (const column of [0, 1] as const)
    for (const socketId of sides[column].keys()) if (!sideOf.has(socketId)) sideOf.set(socketId, column);
  const listeners = new Set(
    calls.filter((c) => c.call === 'listen' && c.socketId !== null && sideOf.has(c.socketId)).map((c) => c.socketId as number),
  );
  for (const c of calls) {
    const socketId = c.call === 'socket' ? c.newSocketId : c.socketId;
    const fd = c.call === 'socket' ? c.ret : c.fd;
    if (socketId === null || fd === null) continue;
    const side = sideOf.get(socketId);
    if (side === undefined) continue;
    const acceptedHere = c.call === 'accept' && c.newSocketId !== null && sideOf.has(c.newSocketId);
    if (c.call === 'accept' && c.newSocketId !== null && !acceptedHere) continue;
    // A listener lives on after this conversation: its later calls are about other ones (but the
    // accept() that took this connection may well come after its last packet).
    if (listeners.has(socketId) && c.startMonoUs > lastMonoUs && !acceptedHere) continue;
    rows.push({
      kind: 'call',
      monoUs: c.startMonoUs,
      side,
      callId: c.id,
      socketId,
      fd,
      call: c.call,
      timeUs: 0,
      durationUs: c.durationUs,
      text: callText(c, fd),
      failed: c.ret === -1,
    });
  }
  return rows;
}

/** The call as C code reads: name, arguments, result. */
export function callText(c: CallRecord, fd: number): string {
  const args: string[] = c.call === 'socket' ? [] : [String(fd)];
  const a = c.args;
  if (c.call === 'socket') args.push(String(a.domain ?? ''), String(a.type ?? ''));
  const address = endpointOfArg(a.address);
  if (address) args.push(formatEndpoint(address));
  const data = a.data as { length?: unknown } | undefined;
  if (data && typeof data.length === 'number') args.push(`${data.length} bytes`);
  if (typeof a.maxBytes === 'number') args.push(String(a.maxBytes));
  if (typeof a.how === 'string') args.push(a.how);
  if (typeof a.backlog === 'number') args.push(String(a.backlog));
  if (typeof a.option === 'string') args.push(a.option);
  const result = c.ret === null ? '…' : c.ret === -1 ? `= -1 ${c.errno ?? ''}`.trim() : `= ${c.ret}`;
  return `${c.call}(${args.join(', ')}) ${result}`;
}
