/**
 * Synthetic packets, calls and socket snapshots for the flows tests (ties, TCP state, ladder):
 * FlowInfo objects built directly, call records as the call log emits them (at their start and
 * again at their end), and a timeline runner that feeds them to `createPacketTies` in time order.
 */
import type { CallName, CallRecord, SockAddr, SocketInfo } from '@shared/socket';
import type { FlowInfo } from '../../src/main/lab/dissect/types';
import type { IcmpFacts } from '../../src/main/lab/flows/icmp-facts';
import { createPacketTies, type PacketTie, type PacketTies, type TiePacketInput } from '../../src/main/lab/flows/ties';

export const FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10;

export interface End {
  addr: string;
  port: number;
}
export const CLIENT: End = { addr: '127.0.0.1', port: 40000 };
export const SERVER: End = { addr: '127.0.0.1', port: 8080 };
export const CLIENT_ISN = 1000;
export const SERVER_ISN = 5000;

export type TestPacket = TiePacketInput & { no: number; info?: string };

export function tcp(
  no: number,
  monoUs: number,
  from: End,
  to: End,
  seq: number,
  ack: number,
  flags: number,
  len = 0,
  window = 65483,
): TestPacket {
  const family = from.addr.includes(':') ? 6 : 4;
  const flow: FlowInfo = {
    proto: 'tcp',
    family,
    src: from.addr,
    dst: to.addr,
    srcPort: from.port,
    dstPort: to.port,
    tcp: { seq: seq >>> 0, ack: ack >>> 0, flags, window },
    payloadOffset: 66,
    payloadLength: len,
  };
  return { no, monoUs, flow };
}

export function udp(no: number, monoUs: number, from: End, to: End, len: number): TestPacket {
  const family = from.addr.includes(':') ? 6 : 4;
  return {
    no,
    monoUs,
    flow: {
      proto: 'udp',
      family,
      src: from.addr,
      dst: to.addr,
      srcPort: from.port,
      dstPort: to.port,
      payloadOffset: 42,
      payloadLength: len,
    },
  };
}

export function icmp(
  no: number,
  monoUs: number,
  src: string,
  dst: string,
  facts: IcmpFacts,
  payloadLength: number,
  info?: string,
): TestPacket {
  const v6 = src.includes(':');
  return {
    no,
    monoUs,
    info,
    flow: { proto: v6 ? 'icmpv6' : 'icmp', family: v6 ? 6 : 4, src, dst, srcPort: 0, dstPort: 0, payloadOffset: 42, payloadLength },
    icmp: facts,
  };
}

export function inet(end: End): SockAddr {
  return end.addr.includes(':')
    ? { family: 'AF_INET6', address: end.addr, port: end.port }
    : { family: 'AF_INET', address: end.addr, port: end.port };
}

/** A socket-table entry with defaults for everything a test does not care about (socket id = fd unless given). */
export function sock(fd: number, fields: Partial<SocketInfo>): SocketInfo {
  return {
    socketId: fd,
    fd,
    domain: 'AF_INET',
    type: 'SOCK_STREAM',
    protocol: 'IPPROTO_IP',
    state: 'created',
    local: null,
    peer: null,
    nonblocking: false,
    options: {},
    backlog: null,
    acceptQueue: [],
    bytesWaiting: 0,
    datagramsWaiting: 0,
    shutRd: false,
    shutWr: false,
    peerClosed: false,
    pendingError: null,
    blockedIn: null,
    counters: { bytesSent: 0, bytesReceived: 0, sendCalls: 0, recvCalls: 0, datagramsSent: 0, datagramsReceived: 0 },
    acceptedFrom: null,
    acceptedFromId: null,
    tcpState: null,
    createdAtUs: fd * 1000,
    ...fields,
  };
}

/**
 * A finished call record. Sockets are named by id; without `ids` the id is the descriptor (tests
 * where no descriptor is reused): `ids.socketId` the socket acted on, `ids.newSocketId` the one made.
 */
export function call(
  id: number,
  fd: number | null,
  name: CallName,
  args: Record<string, unknown>,
  start: number,
  end: number,
  ret: number,
  errno: CallRecord['errno'] = null,
  ids: Partial<Pick<CallRecord, 'socketId' | 'newSocketId'>> = {},
): CallRecord {
  const made = (name === 'socket' || name === 'accept') && ret >= 0 ? ret : null;
  return {
    id,
    fd,
    socketId: ids.socketId ?? fd,
    newSocketId: ids.newSocketId ?? made,
    call: name,
    args: fd === null ? args : { fd, ...args },
    startMonoUs: start,
    startWallUs: start,
    endMonoUs: end,
    durationUs: end - start,
    ret,
    errno,
    message: null,
  };
}

/** The payload summary the socket area logs for send/sendto. */
export const data = (length: number) => ({ length, previewHex: '', previewText: '' });

export type Event = { at: number; sockets: SocketInfo[] } | { at: number; call: CallRecord } | { at: number; packet: TestPacket };

/** Both log emissions of a call: at its start (still running) and at its end. */
export function callEvents(record: CallRecord): Event[] {
  const running: CallRecord = { ...record, endMonoUs: null, durationUs: null, ret: null, errno: null };
  return [
    { at: record.startMonoUs, call: running },
    { at: record.endMonoUs ?? record.startMonoUs, call: record },
  ];
}

/** Feeds a timeline to a fresh tier in time order (stable for equal times); ties by frame number. */
export function runTimeline(
  events: Event[],
  ties: PacketTies = createPacketTies(),
): { ties: PacketTies; byNo: Map<number, PacketTie>; packets: TestPacket[] } {
  const ordered = events.map((e, i) => ({ e, i })).sort((x, y) => x.e.at - y.e.at || x.i - y.i);
  const byNo = new Map<number, PacketTie>();
  const packets: TestPacket[] = [];
  for (const { e } of ordered) {
    if ('sockets' in e) ties.updateSockets(e.sockets);
    else if ('call' in e) ties.noteCall(e.call);
    else {
      byNo.set(e.packet.no, ties.tie(e.packet));
      packets.push(e.packet);
    }
  }
  return { ties, byNo, packets };
}

const C = CLIENT,
  S = SERVER,
  c = CLIENT_ISN,
  s = SERVER_ISN;

/**
 * The classic conversation: server socket/bind/listen (fd 3), client socket/connect (fd 4),
 * accept (fd 5), client send "hello", shutdown(SHUT_WR), server recv, recv → 0, close, client
 * close. Packets: SYN, SYN-ACK, ACK, data, ACK, FIN, ACK, FIN, ACK.
 */
export function classicConversation(): { events: Event[]; calls: CallRecord[]; ids: Record<string, number> } {
  const listener = sock(3, { state: 'listening', local: { family: 'AF_INET', address: '0.0.0.0', port: 8080 }, backlog: 5 });
  const clientNew = sock(4, {});
  const client = sock(4, { state: 'connected', local: inet(C), peer: inet(S) });
  const accepted = sock(5, { state: 'connected', local: inet(S), peer: inet(C), acceptedFrom: 3 });
  const calls = [
    call(1, null, 'socket', { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_IP' }, 100, 101, 3),
    call(2, 3, 'bind', { address: { family: 'AF_INET', address: '0.0.0.0', port: 8080 } }, 110, 111, 0),
    call(3, 3, 'listen', { backlog: 5 }, 120, 121, 0),
    call(4, null, 'socket', { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_IP' }, 130, 131, 4),
    call(5, 4, 'connect', { address: inet(S) }, 200, 260, 0),
    call(6, 3, 'accept', {}, 300, 301, 5),
    call(7, 4, 'send', { data: data(5), flags: [] }, 400, 410, 5),
    call(8, 5, 'recv', { maxBytes: 4096, flags: [] }, 500, 501, 5),
    call(9, 4, 'shutdown', { how: 'SHUT_WR' }, 600, 605, 0),
    call(10, 5, 'recv', { maxBytes: 4096, flags: [] }, 700, 701, 0),
    call(11, 5, 'close', {}, 800, 801, 0),
    call(12, 4, 'close', {}, 900, 901, 0),
  ];
  const events: Event[] = [
    ...calls.flatMap(callEvents),
    { at: 101.5, sockets: [listener] },
    { at: 121.5, sockets: [listener] },
    { at: 131.5, sockets: [listener, clientNew] },
    { at: 205, packet: tcp(1, 205, C, S, c, 0, SYN) },
    { at: 206, packet: tcp(2, 206, S, C, s, c + 1, SYN | ACK) },
    { at: 207, packet: tcp(3, 207, C, S, c + 1, s + 1, ACK) },
    { at: 260.5, sockets: [listener, client] },
    { at: 301.5, sockets: [listener, client, accepted] },
    { at: 402, packet: tcp(4, 402, C, S, c + 1, s + 1, PSH | ACK, 5) },
    { at: 403, packet: tcp(5, 403, S, C, s + 1, c + 6, ACK) },
    { at: 602, packet: tcp(6, 602, C, S, c + 6, s + 1, FIN | ACK) },
    { at: 603, packet: tcp(7, 603, S, C, s + 1, c + 7, ACK) },
    { at: 801.5, sockets: [listener, client] },
    { at: 802, packet: tcp(8, 802, S, C, s + 1, c + 7, FIN | ACK) },
    { at: 803, packet: tcp(9, 803, C, S, c + 7, s + 2, ACK) },
    { at: 901.5, sockets: [listener] },
  ];
  return { events, calls, ids: { connect: 5, accept: 6, send: 7, shutdown: 9, serverClose: 11, clientClose: 12 } };
}
