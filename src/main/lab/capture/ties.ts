/**
 * Ties packets to lab sockets by their endpoints. A packet belongs to a socket when one of its
 * ends is the socket's local address and the other its peer (connected sockets), or, when no
 * connected socket matches that end, when it reaches a socket with no peer on that local
 * address (listening sockets see the handshakes of connections not yet accepted; unconnected
 * UDP sockets see their datagrams). Endpoints of closed sockets are remembered, so the FIN
 * that close() sends still names its descriptor.
 */
import type { SockAddr, SocketInfo } from '@shared/socket';
import type { SocketView } from '../areas';
import type { FlowInfo } from '../dissect/types';

/** How long a refreshed view of the sockets is trusted (rows are built in bursts). */
const REFRESH_MS = 50;

type Proto = 'tcp' | 'udp';

function protoOf(socket: SocketInfo): Proto | null {
  if (socket.type === 'SOCK_STREAM') return 'tcp';
  if (socket.type === 'SOCK_DGRAM') return 'udp';
  return null;
}

/** Addresses as the dissector prints them: IPv4-mapped IPv6 becomes plain IPv4. */
function normalize(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function inet(addr: SockAddr | null): { address: string; port: number } | null {
  if (addr === null || addr.family === 'AF_UNIX') return null;
  return { address: normalize(addr.address), port: addr.port };
}

export class SocketTies {
  private exact = new Map<string, number>();
  private unconnected = new Map<string, number>();
  private refreshedAt = -Infinity;
  /** Bumped whenever what a packet would be tied to may have changed. */
  generation = 0;

  constructor(private view: SocketView) {}

  /** Re-reads the lab's sockets when the last read is older than a moment. */
  refresh(force = false): void {
    const now = performance.now();
    if (!force && now - this.refreshedAt < REFRESH_MS) return;
    this.refreshedAt = now;
    let changed = false;
    const remember = (map: Map<string, number>, key: string, fd: number) => {
      if (map.get(key) !== fd) {
        map.set(key, fd);
        changed = true;
      }
    };
    for (const socket of this.view.sockets()) {
      const proto = protoOf(socket);
      const local = inet(socket.local);
      if (proto === null || local === null || local.port === 0) continue;
      const peer = inet(socket.peer);
      const localAddress = isWildcard(local.address) ? '*' : local.address;
      if (peer !== null) remember(this.exact, `${proto}|${local.address}|${local.port}|${peer.address}|${peer.port}`, socket.fd);
      else remember(this.unconnected, `${proto}|${localAddress}|${local.port}`, socket.fd);
    }
    if (changed) this.generation += 1;
  }

  /** Forgets remembered endpoints (a fresh lab). */
  reset(): void {
    this.exact.clear();
    this.unconnected.clear();
    this.generation += 1;
  }

  /** The descriptors of lab sockets a packet with this flow belongs to, ascending. */
  fdsOf(flow: FlowInfo | null): number[] {
    if (flow === null || (flow.proto !== 'tcp' && flow.proto !== 'udp')) return [];
    const found = new Set<number>();
    const src = normalize(flow.src);
    const dst = normalize(flow.dst);
    this.side(flow.proto, src, flow.srcPort, dst, flow.dstPort, found);
    this.side(flow.proto, dst, flow.dstPort, src, flow.srcPort, found);
    return [...found].sort((a, b) => a - b);
  }

  /** The socket whose local end is (address, port) and whose peer is (peerAddress, peerPort). */
  private side(proto: Proto, address: string, port: number, peerAddress: string, peerPort: number, found: Set<number>): void {
    const exact = this.exact.get(`${proto}|${address}|${port}|${peerAddress}|${peerPort}`);
    if (exact !== undefined) {
      found.add(exact);
      return;
    }
    const loose = this.unconnected.get(`${proto}|${address}|${port}`) ?? this.unconnected.get(`${proto}|*|${port}`);
    if (loose !== undefined) found.add(loose);
  }
}
