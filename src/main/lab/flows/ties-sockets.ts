/**
 * The lab sockets as packet endpoints: which socket(s) a packet's source or destination belongs
 * to, by identity (SocketInfo.socketId: a descriptor number handed out again is another socket).
 * Matching costs O(sockets). Sockets that disappear
 * from the table (closed) are remembered for a while, because their FIN, the last ACK and any
 * TIME_WAIT traffic arrive after close() returned.
 */
import type { SocketInfo } from '@shared/socket';
import type { FlowInfo } from '../dissect/types';
import { addressMatches, endpointOfSockAddr, sameEndpoint, type Endpoint } from './endpoints';

/** The fields of a SocketInfo the flows layer reads (a SocketInfo fits). */
export type SocketLike = Pick<SocketInfo, 'socketId' | 'fd' | 'domain' | 'type' | 'protocol' | 'state' | 'local' | 'peer'> &
  Partial<Pick<SocketInfo, 'options' | 'bytesWaiting' | 'acceptedFromId'>>;

export type FlowProto = FlowInfo['proto'];

/** A lab socket as the tie logic sees it. */
export interface KnownSocket {
  socketId: number;
  /** The descriptor it had (a label: the number may now belong to another socket). */
  fd: number;
  proto: FlowProto | null;
  local: Endpoint | null;
  peer: Endpoint | null;
  /** The address connect() was given, until the table reports the peer. */
  connectTo: Endpoint | null;
  listening: boolean;
  /** For a socket accept() returned: the listening socket, which held its packets before. */
  acceptedFromId: number | null;
  /** false once the socket left the table (closed). */
  open: boolean;
  lingerZero: boolean;
  bytesWaiting: number;
}

const MAX_RETIRED = 256;

/** The transport protocol a lab socket's packets carry. */
function protoOf(socket: SocketLike): FlowProto | null {
  if (socket.domain === 'AF_UNIX') return null;
  if (socket.type === 'SOCK_STREAM') return 'tcp';
  if (socket.type === 'SOCK_DGRAM') return 'udp';
  if (socket.protocol === 'IPPROTO_ICMP') return 'icmp';
  if (socket.protocol === 'IPPROTO_ICMPV6') return 'icmpv6';
  return null;
}

/** A local endpoint with port 0 is not bound yet: unknown for matching. */
function boundEndpoint(socket: SocketLike): Endpoint | null {
  const end = endpointOfSockAddr(socket.local);
  return end && (end.port !== 0 || socket.type === 'SOCK_RAW') ? end : null;
}

function lingerZeroOf(socket: SocketLike): boolean {
  const linger = socket.options?.SO_LINGER;
  return typeof linger === 'object' && linger !== null && 'onoff' in linger && linger.onoff === true && linger.linger === 0;
}

/** Lab sockets by identity, with recently closed ones remembered. */
export class SocketIndex {
  private readonly live = new Map<number, KnownSocket>();
  private retired: KnownSocket[] = [];

  /** Takes a snapshot of the socket table; sockets missing from it are remembered as closed. */
  update(sockets: readonly SocketLike[]): void {
    const seen = new Set<number>();
    for (const socket of sockets) {
      seen.add(socket.socketId);
      const previous = this.live.get(socket.socketId);
      const peer = endpointOfSockAddr(socket.peer);
      this.live.set(socket.socketId, {
        socketId: socket.socketId,
        fd: socket.fd,
        proto: protoOf(socket),
        // Keep what packets taught us (an ephemeral port) until the table knows it too.
        local: boundEndpoint(socket) ?? previous?.local ?? null,
        peer: peer && peer.port !== 0 ? peer : (previous?.peer ?? null),
        connectTo: previous?.connectTo ?? null,
        listening: socket.state === 'listening',
        acceptedFromId: socket.acceptedFromId ?? previous?.acceptedFromId ?? null,
        open: true,
        lingerZero: lingerZeroOf(socket) || (previous?.lingerZero ?? false),
        bytesWaiting: socket.bytesWaiting ?? 0,
      });
    }
    for (const known of [...this.live.values()]) if (!seen.has(known.socketId)) this.retire(known);
  }

  /** Notes what a packet taught about a socket: its local endpoint (an ephemeral port). */
  learn(socketId: number, local: Endpoint, peer: Endpoint | null): void {
    const known = this.live.get(socketId);
    if (!known) return;
    if (!known.local || known.local.port === 0) known.local = local;
    if (!known.peer && peer && known.proto === 'tcp') known.peer = peer;
  }

  /** Notes where connect() is going, so the socket matches before the table says so. */
  noteConnect(socketId: number, to: Endpoint | null): void {
    const known = this.live.get(socketId);
    if (known && to) known.connectTo = to;
  }

  /** The socket with this identity, open or remembered as closed. */
  get(socketId: number): KnownSocket | undefined {
    const live = this.live.get(socketId);
    if (live) return live;
    for (let i = this.retired.length - 1; i >= 0; i--) if (this.retired[i].socketId === socketId) return this.retired[i];
    return undefined;
  }

  /** Open sockets, then remembered closed ones. */
  all(): KnownSocket[] {
    return [...this.live.values(), ...this.retired];
  }

  clear(): void {
    this.live.clear();
    this.retired = [];
  }

  /**
   * The sockets whose local end is `local` in a conversation with `remote`: connected sockets
   * with exactly this pair first (open ones before closed ones); failing that, for TCP, a
   * socket listening on `local` (the handshake and anything before accept()); for UDP and raw
   * sockets, unconnected sockets bound there (they take datagrams from anyone).
   */
  match(proto: FlowProto, local: Endpoint, remote: Endpoint): KnownSocket[] {
    const connected: KnownSocket[] = [];
    const loose: KnownSocket[] = [];
    for (const group of [this.live.values(), this.retired.values()]) {
      for (const socket of group) {
        if (socket.proto !== proto || !socket.local) continue;
        if (socket.local.port !== local.port || !addressMatches(socket.local.addr, local.addr)) continue;
        const peer = socket.peer ?? (proto === 'tcp' ? socket.connectTo : null);
        if (peer) {
          if (sameEndpoint(peer, remote) || (peer.port === remote.port && addressMatches(peer.addr, remote.addr))) connected.push(socket);
        } else if (socket.open && (proto !== 'tcp' || socket.listening)) {
          loose.push(socket);
        }
      }
      // A closed socket with the same pair is an older connection: the open one wins.
      if (connected.length > 0) return connected;
    }
    return loose;
  }

  private retire(known: KnownSocket): void {
    if (this.live.get(known.socketId) === known) this.live.delete(known.socketId);
    known.open = false;
    known.listening = false;
    this.retired.push(known);
    if (this.retired.length > MAX_RETIRED) this.retired = this.retired.slice(-MAX_RETIRED);
  }
}
