/**
 * Packets tied to the lab sockets they belong to and, where the link is certain, to the call
 * that caused them. Sockets are named by identity (socketId), never by descriptor number alone:
 * numbers are reused, and a packet of a closed socket must not land on the next one on its fd.
 * Rules (docs/ladder.md explains them for students):
 * - a packet belongs to every lab socket whose local end is its source or destination and
 *   whose peer is the other end (listening sockets take the handshake and anything before
 *   accept(); unconnected UDP/raw sockets take datagrams from anyone); loopback traffic
 *   belongs to both ends;
 * - connect → its SYN; send → the data segments whose bytes it wrote (by stream offset from the
 *   ISN); shutdown(SHUT_WR)/close → the FIN; close with SO_LINGER {on, 0} (or unread data) →
 *   the RST; sendto/send on a datagram socket → its datagram (same length and destination);
 *   sendto on a raw ICMP socket → the echo request;
 * - SYN-ACK, the handshake's last ACK, pure ACKs, window updates, keep-alives,
 *   retransmissions, echo replies and ICMP errors are 'kernel' (an ICMP error is tied to the
 *   socket that sent the packet it quotes);
 * - a packet counts as a call's effect only when stamped inside the call's window:
 *   [startMonoUs, endMonoUs + slackUs]. Never before the start (the call is logged before the
 *   system call, the capture stamps a packet after the kernel sent it); the slack covers a
 *   capture whose stamps lag the call (capture/ties.ts: 10 ms with kernel stamps, 250 ms for the
 *   FIN/RST of shutdown()/close(), which Node sends after the call returned).
 * Where the link is not certain (bytes of two sends in one segment, a call never seen), the
 * tie says null rather than guess.
 */
import type { CallRecord } from '@shared/socket';
import type { FlowInfo } from '../dissect/types';
import { flowEnds, sameEndpoint, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Endpoint } from './endpoints';
import type { IcmpFacts } from './icmp-facts';
import { CallBook, inWindow, sendHolding, type SocketCalls } from './ties-calls';
import { SocketIndex, type KnownSocket, type SocketLike } from './ties-sockets';
import { TcpStateTracker, type TcpObservation, type TcpState } from './tcp-state';

export type { SocketLike, KnownSocket } from './ties-sockets';

/** A captured packet as tying needs it (PacketRow.monoUs and the summary's flow). */
export interface TiePacketInput {
  monoUs: number;
  flow: FlowInfo | null;
  /** For ICMP: from `icmpFactsOf(frame, flow)`; needed to tie errors and echo replies. */
  icmp?: IcmpFacts | null;
  /** For a SYN: its window-scale shift, from `tcpWindowShiftOf(frame, linkType, flow)`. */
  windowShift?: number | null;
}

export type TieCause = 'call' | 'kernel';

/** What the capture area writes into PacketRow (socketIds, fds, callId, cause), plus the TCP analysis. */
export interface PacketTie {
  socketIds: number[];
  /** The descriptor each of `socketIds` had, in the same order (labels). */
  fds: number[];
  callId: number | null;
  cause: TieCause | null;
  tcp: TcpObservation | null;
}

export interface PacketTiesOptions {
  /** Microseconds after a call's end during which its packet may still be stamped. Default 250 ms. */
  slackUs?: number;
  /**
   * The same for the FIN or RST of shutdown()/close(), which Node carries out after the call
   * has returned (libuv's shutdown request, a deferred destroy). Default: slackUs.
   */
  closeSlackUs?: number;
  /** Echo requests remembered to tie their replies. Default 1024. */
  maxEchoes?: number;
}

/** Incremental packet ↔ socket ↔ call tying for a capture's stream of packets. */
export interface PacketTies {
  /** Feeds a snapshot of the socket table (call on each `sockets` change, before its packets). */
  updateSockets(sockets: readonly SocketLike[]): void;
  /** Feeds a call record, when it starts and when it finishes (`call.logged`). */
  noteCall(record: CallRecord): void;
  /** Ties one packet; packets must come in capture order. */
  tie(packet: TiePacketInput): PacketTie;
  /** The TCP state inferred for a socket (for SocketInfo.tcpState), or null. */
  tcpState(socketId: number): TcpState | null;
  /** The sockets known, open and recently closed, with the endpoints packets taught. */
  knownSockets(): KnownSocket[];
  clear(): void;
}

const NONE: PacketTie = { socketIds: [], fds: [], callId: null, cause: null, tcp: null };

/** Creates the incremental tier: O(sockets) per packet, bounded memory. */
export function createPacketTies(options: PacketTiesOptions = {}): PacketTies {
  const slackUs = options.slackUs ?? 250_000;
  const closeSlackUs = options.closeSlackUs ?? slackUs;
  const maxEchoes = options.maxEchoes ?? 1024;
  const sockets = new SocketIndex();
  const calls = new CallBook();
  const tracker = new TcpStateTracker();
  /** Echo requests a lab socket sent, by conversation and echo id/seq, to tie their replies. */
  const echoes = new Map<string, KnownSocket>();

  /** The tie's sockets: each once, by identity, with its descriptor label. */
  const socketsOf = (list: readonly KnownSocket[]): Pick<PacketTie, 'socketIds' | 'fds'> => {
    const seen = new Map<number, number>();
    for (const socket of list) if (!seen.has(socket.socketId)) seen.set(socket.socketId, socket.fd);
    return { socketIds: [...seen.keys()], fds: [...seen.values()] };
  };

  /** The lab socket that sent a packet, when only a call tells (its local port is not known yet). */
  function senderByCall(monoUs: number, proto: FlowInfo['proto'], src: Endpoint, dst: Endpoint, flow: FlowInfo): KnownSocket[] {
    const found: KnownSocket[] = [];
    for (const socketId of calls.socketIds()) {
      const socket = sockets.get(socketId);
      // Only an open socket sends: a closed one is remembered for the packets still addressed to it.
      if (!socket?.open || socket.proto !== proto || (socket.local && socket.local.port !== 0 && proto !== 'icmp' && proto !== 'icmpv6'))
        continue;
      const book = calls.get(socketId) as SocketCalls;
      if (proto === 'tcp') {
        const syn = flow.tcp && (flow.tcp.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
        if (syn && book.connect && sameEndpoint(book.connect.to, dst) && inWindow(book.connect, monoUs, slackUs)) found.push(socket);
      } else if (proto === 'udp' && pendingDatagram(book, monoUs, flow.payloadLength, dst, false)) {
        found.push(socket);
      }
    }
    if (found.length === 1) sockets.learn(found[0].socketId, src, proto === 'tcp' ? dst : null);
    return found.length === 1 ? found : [];
  }

  /** The oldest datagram send on a socket that this datagram can be (length, destination, time). */
  function pendingDatagram(book: SocketCalls, monoUs: number, length: number, dst: Endpoint, addrOnly: boolean) {
    return book.datagrams.find(
      (d) =>
        !d.matched &&
        d.length === length &&
        inWindow(d, monoUs, slackUs) &&
        (d.to === null || (addrOnly ? d.to.addr === dst.addr : sameEndpoint(d.to, dst))),
    );
  }

  /** Which call on the sending socket caused this TCP segment, or kernel, or unknown. */
  function tcpCause(sender: KnownSocket | null, monoUs: number, flow: FlowInfo, obs: TcpObservation): Pick<PacketTie, 'callId' | 'cause'> {
    const flags = obs.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const len = flow.payloadLength;
    const kernel = { callId: null, cause: 'kernel' as const };
    const unknown = { callId: null, cause: null };
    if (obs.marks.includes('retransmission') || obs.marks.includes('keep-alive')) return kernel;
    if (syn && (flags & TCP_ACK) !== 0) return kernel; // the SYN-ACK: accept() sends nothing
    if (!syn && !fin && !rst && len === 0) return kernel; // ACKs, window updates, duplicate ACKs
    const book = sender ? calls.get(sender.socketId) : undefined;
    if (rst) {
      const close = book?.close;
      const aborts = sender !== null && (sender.lingerZero || (book?.lingerZero ?? false) || sender.bytesWaiting > 0);
      if (close && aborts && inWindow(close, monoUs, closeSlackUs)) return { callId: close.callId, cause: 'call' };
      // Not an abortive close: the kernel answers a segment nothing accepts, or gives up.
      return sender || obs.before[obs.from === 'a' ? 'b' : 'a'] === 'SYN_SENT' ? kernel : unknown;
    }
    if (!book) return unknown;
    if (syn) return book.connect && inWindow(book.connect, monoUs, slackUs) ? { callId: book.connect.callId, cause: 'call' } : unknown;
    if (fin && len === 0) {
      // The first shutdown(SHUT_WR)/close on this socket sends the one FIN.
      const first = book.finCalls[0];
      return first && inWindow(first, monoUs, closeSlackUs) ? { callId: first.callId, cause: 'call' } : unknown;
    }
    if (len > 0 && !fin && obs.streamOffset !== null) {
      const span = sendHolding(book.sends, obs.streamOffset, len);
      // Data may leave long after send() returned (a closed window), so only the start bounds it.
      return span && monoUs >= span.startMonoUs ? { callId: span.callId, cause: 'call' } : unknown;
    }
    return unknown;
  }

  function tieTcp(packet: TiePacketInput, flow: FlowInfo): PacketTie {
    const { src, dst } = flowEnds(flow);
    const obs = tracker.observe(flow, packet.windowShift ?? null);
    let senders = sockets.match('tcp', src, dst);
    if (senders.length === 0 && obs) senders = senderByCall(packet.monoUs, 'tcp', src, dst, flow);
    const receivers = sockets.match('tcp', dst, src);
    // A header too short to read its flags: the sockets are known, the cause is not.
    if (!obs) return { ...socketsOf([...senders, ...receivers]), callId: null, cause: null, tcp: null };
    const sender = senders.length === 1 ? senders[0] : null;
    const cause = tcpCause(sender, packet.monoUs, flow, obs);
    return { ...socketsOf([...senders, ...receivers]), ...cause, tcp: obs };
  }

  function tieUdp(packet: TiePacketInput, flow: FlowInfo): PacketTie {
    const { src, dst } = flowEnds(flow);
    let senders = sockets.match('udp', src, dst);
    if (senders.length === 0) senders = senderByCall(packet.monoUs, 'udp', src, dst, flow);
    const receivers = sockets.match('udp', dst, src);
    const tied = socketsOf([...senders, ...receivers]);
    const book = senders.length === 1 ? calls.get(senders[0].socketId) : undefined;
    const send = book ? pendingDatagram(book, packet.monoUs, flow.payloadLength, dst, false) : undefined;
    if (!send) return { ...tied, callId: null, cause: null, tcp: null };
    send.matched = true;
    return { ...tied, callId: send.callId, cause: 'call', tcp: null };
  }

  function tieIcmp(packet: TiePacketInput, flow: FlowInfo): PacketTie {
    const icmp = packet.icmp;
    if (!icmp) return { ...NONE };
    const { src, dst } = flowEnds(flow);
    if (icmp.isError) {
      const q = icmp.quoted;
      if (!q || q.proto === 'other') return { socketIds: [], fds: [], callId: null, cause: 'kernel', tcp: null };
      // The socket that sent the quoted packet is the one the error is about.
      const quotedSrc = { addr: q.src, port: q.srcPort };
      const quotedDst = { addr: q.dst, port: q.dstPort };
      return { ...socketsOf(sockets.match(q.proto, quotedSrc, quotedDst)), callId: null, cause: 'kernel', tcp: null };
    }
    if (!icmp.echo) return { ...NONE };
    const key = (from: Endpoint, to: Endpoint) => `${flow.proto}|${from.addr}|${to.addr}|${icmp.echo?.id}|${icmp.echo?.seq}`;
    if (!icmp.echo.request) {
      const sender = echoes.get(key(dst, src));
      return { ...socketsOf(sender ? [sender] : []), callId: null, cause: 'kernel', tcp: null };
    }
    // A raw socket's sendto carries the whole ICMP message: 8 header bytes plus the payload.
    for (const socketId of calls.socketIds()) {
      const socket = sockets.get(socketId);
      const book = calls.get(socketId);
      if (!socket || !book || socket.proto !== flow.proto) continue;
      const send = pendingDatagram(book, packet.monoUs, flow.payloadLength + 8, dst, true);
      if (!send) continue;
      send.matched = true;
      echoes.set(key(src, dst), socket);
      if (echoes.size > maxEchoes) echoes.delete(echoes.keys().next().value as string);
      return { ...socketsOf([socket]), callId: send.callId, cause: 'call', tcp: null };
    }
    return { ...NONE };
  }

  return {
    updateSockets(list) {
      sockets.update(list);
    },
    noteCall(record) {
      calls.note(record);
      if (record.call === 'connect' && record.socketId !== null)
        sockets.noteConnect(record.socketId, calls.get(record.socketId)?.connect?.to ?? null);
    },
    tie(packet) {
      const flow = packet.flow;
      if (!flow) return { ...NONE };
      if (flow.proto === 'tcp') return tieTcp(packet, flow);
      if (flow.proto === 'udp') return tieUdp(packet, flow);
      return tieIcmp(packet, flow);
    },
    tcpState(socketId) {
      const socket = sockets.get(socketId);
      if (!socket || socket.proto !== 'tcp') return null;
      if (socket.listening) return 'LISTEN';
      const peer = socket.peer ?? socket.connectTo;
      return socket.local && peer ? tracker.stateOf(socket.local, peer) : null;
    },
    knownSockets() {
      return sockets.all().map((s) => ({ ...s }));
    },
    clear() {
      sockets.clear();
      calls.clear();
      tracker.clear();
      echoes.clear();
    },
  };
}

/**
 * Ties a finished capture in one go: the socket table once, then every call (the windows
 * decide which packet each caused), then the packets in order. For tests and imported captures.
 */
export function tiePackets(
  packets: readonly TiePacketInput[],
  socketTable: readonly SocketLike[],
  callLog: readonly CallRecord[],
  options: PacketTiesOptions = {},
): PacketTie[] {
  const ties = createPacketTies(options);
  ties.updateSockets(socketTable);
  for (const record of callLog) ties.noteCall(record);
  return packets.map((packet) => ties.tie(packet));
}
