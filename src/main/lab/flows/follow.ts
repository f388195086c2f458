/**
 * "Follow TCP/UDP stream": from one selected frame, find its conversation (both directions of
 * the 5-tuple) and return its payload as the applications exchanged it, with a display filter
 * that selects the same packets.
 */
import { ERRNO, type ErrnoName } from '@shared/errno';
import type { FollowedStream } from '@shared/capture';
import type { FlowInfo } from '../dissect/types';
import { initialSequence, TcpDirection, type DeliveredBytes, type TcpPiece } from './follow-tcp';

/** A captured packet as stream following needs it. */
export interface StreamPacket {
  no: number;
  flow: FlowInfo | null;
  /** The transport payload bytes that were captured. */
  payload: Uint8Array;
}

export type Direction = 'a-to-b' | 'b-to-a';

/** A segment of the followed stream, bytes kept as bytes. */
export interface FollowedSegment {
  direction: Direction;
  no: number;
  data: Uint8Array;
  /** Bytes of this direction the capture never saw just before this segment (TCP only). */
  missingBefore: number;
}

/** The followed stream with raw bytes; `toFollowedStream` gives the contract's form. */
export interface FollowedStreamBytes {
  protocol: 'tcp' | 'udp';
  /** The endpoint that sent first, as `address:port` (`[::1]:8080` for IPv6). */
  a: string;
  b: string;
  filter: string;
  segments: FollowedSegment[];
}

export type FollowResult<T> = { ok: true; value: T } | { ok: false; errno: ErrnoName; code: number; message: string };

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** The payload of a captured frame, from the offsets the summary decode found. */
export function payloadOf(frame: Uint8Array, flow: FlowInfo): Uint8Array {
  return frame.subarray(flow.payloadOffset, flow.payloadOffset + flow.payloadLength);
}

/**
 * Follows the stream of frame `selected` through `packets` (in capture order). TCP bytes are
 * reassembled by sequence number; UDP datagrams are listed in capture order.
 */
export function followStreamBytes(packets: Iterable<StreamPacket>, selected: number): FollowResult<FollowedStreamBytes> {
  const all = Array.isArray(packets) ? (packets as StreamPacket[]) : [...packets];
  const chosen = all.find((packet) => packet.no === selected);
  if (chosen === undefined) return fail('EINVAL', `Frame ${selected} is not in the capture (the ring store may have dropped it).`);
  const flow = chosen.flow;
  if (flow === null || (flow.proto !== 'tcp' && flow.proto !== 'udp')) {
    const what = flow === null ? 'has no TCP or UDP header SockLab could decode' : `is ${flow.proto.toUpperCase()}`;
    return fail('EINVAL', `Frame ${selected} ${what}: only TCP and UDP streams can be followed.`);
  }
  const key = conversationKey(flow);
  let conversation = all.filter((packet) => packet.flow !== null && conversationKey(packet.flow) === key);
  if (flow.proto === 'tcp') conversation = connectionOf(conversation, selected);
  const first = conversation[0].flow as FlowInfo;
  const a = endpoint(first.src, first.srcPort);
  const b = endpoint(first.dst, first.dstPort);
  const directionOf = (packet: StreamPacket): Direction =>
    endpoint((packet.flow as FlowInfo).src, (packet.flow as FlowInfo).srcPort) === a ? 'a-to-b' : 'b-to-a';
  const segments =
    flow.proto === 'udp'
      ? conversation.map((packet): FollowedSegment => ({
          direction: directionOf(packet),
          no: packet.no,
          data: packet.payload,
          missingBefore: 0,
        }))
      : reassembleTcp(conversation, directionOf);
  return { ok: true, value: { protocol: flow.proto, a, b, filter: streamFilter(first), segments } };
}

/** `followStreamBytes` in the form the `capture.follow` route returns. */
export function followStream(packets: Iterable<StreamPacket>, selected: number): FollowResult<FollowedStream> {
  const followed = followStreamBytes(packets, selected);
  if (!followed.ok) return followed;
  return { ok: true, value: toFollowedStream(followed.value) };
}

/** Converts raw segments to the shared contract's form. */
export function toFollowedStream(stream: FollowedStreamBytes): FollowedStream {
  return {
    protocol: stream.protocol,
    a: stream.a,
    b: stream.b,
    filter: stream.filter,
    segments: stream.segments.map((segment) => ({
      direction: segment.direction,
      no: segment.no,
      // A copy of just these bytes: the segment is a view into the store, whose whole chunk
      // structured clone (Electron IPC) would otherwise copy.
      data: new Uint8Array(segment.data),
      // Only gaps are worth the bytes on the wire; absent means none.
      ...(segment.missingBefore > 0 ? { missingBefore: segment.missingBefore } : {}),
    })),
  };
}

/**
 * The display filter selecting exactly this conversation's packets, in both directions.
 * (Wireshark's own is `tcp.stream eq N`; SockLab numbers no streams, so it names the 5-tuple.)
 */
export function streamFilter(flow: FlowInfo): string {
  const ip = flow.family === 6 ? 'ipv6' : 'ip';
  const port = flow.proto;
  const side = (src: string, sport: number, dst: string, dport: number): string =>
    `${ip}.src == ${src} && ${port}.srcport == ${sport} && ${ip}.dst == ${dst} && ${port}.dstport == ${dport}`;
  return `(${side(flow.src, flow.srcPort, flow.dst, flow.dstPort)}) || (${side(flow.dst, flow.dstPort, flow.src, flow.srcPort)})`;
}

function fail(errno: ErrnoName, message: string): { ok: false; errno: ErrnoName; code: number; message: string } {
  return { ok: false, errno, code: ERRNO[errno].code, message };
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The same text for both directions of a 5-tuple. */
function conversationKey(flow: FlowInfo): string {
  const here = endpoint(flow.src, flow.srcPort);
  const there = endpoint(flow.dst, flow.dstPort);
  return here < there ? `${flow.proto} ${here} ${there}` : `${flow.proto} ${there} ${here}`;
}

/**
 * A 5-tuple can carry several TCP connections one after another (a client port reused): a
 * SYN without ACK starts the next one, unless it repeats the current connection's SYN. Packets
 * before the first SYN belong to a connection whose start the capture missed. Keeps the
 * connection that holds the selected frame.
 */
function connectionOf(conversation: StreamPacket[], selected: number): StreamPacket[] {
  let start = 0;
  let synSeq: number | undefined;
  for (let i = 0; i < conversation.length; i++) {
    const tcp = (conversation[i].flow as FlowInfo).tcp;
    if (tcp === undefined || (tcp.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) continue;
    if (i > start && tcp.seq !== synSeq) {
      if (conversation.slice(start, i).some((packet) => packet.no === selected)) return conversation.slice(start, i);
      start = i;
    }
    synSeq = tcp.seq;
  }
  return conversation.slice(start);
}

function reassembleTcp(conversation: readonly StreamPacket[], directionOf: (packet: StreamPacket) => Direction): FollowedSegment[] {
  const pieces: Record<Direction, TcpPiece[]> = { 'a-to-b': [], 'b-to-a': [] };
  const acks: (number | undefined)[] = [];
  for (const packet of conversation) {
    const tcp = (packet.flow as FlowInfo).tcp;
    if (tcp === undefined) continue;
    pieces[directionOf(packet)].push({
      no: packet.no,
      seq: tcp.seq,
      syn: (tcp.flags & TCP_SYN) !== 0,
      fin: (tcp.flags & TCP_FIN) !== 0,
      data: packet.payload,
    });
    acks.push((tcp.flags & TCP_ACK) !== 0 ? tcp.ack : undefined);
  }
  const assemblers: Partial<Record<Direction, TcpDirection>> = {};
  for (const direction of ['a-to-b', 'b-to-a'] as const) {
    const isn = initialSequence(pieces[direction]);
    if (isn !== undefined) assemblers[direction] = new TcpDirection(isn);
  }
  const segments: FollowedSegment[] = [];
  const emit = (direction: Direction, delivered: DeliveredBytes[]): void => {
    for (const bytes of delivered) segments.push({ direction, ...bytes });
  };
  const cursor: Record<Direction, number> = { 'a-to-b': 0, 'b-to-a': 0 };
  let index = 0;
  for (const packet of conversation) {
    if ((packet.flow as FlowInfo).tcp === undefined) continue;
    const direction = directionOf(packet);
    const other: Direction = direction === 'a-to-b' ? 'b-to-a' : 'a-to-b';
    emit(direction, (assemblers[direction] as TcpDirection).push(pieces[direction][cursor[direction]++]));
    const ack = acks[index++];
    const peer = assemblers[other];
    if (ack !== undefined && peer !== undefined) emit(other, peer.acknowledge(ack));
  }
  for (const direction of ['a-to-b', 'b-to-a'] as const) {
    const assembler = assemblers[direction];
    if (assembler !== undefined) emit(direction, assembler.finish());
  }
  return segments;
}
