/**
 * Datagram sockets (UDP over IPv4 and IPv6) through node:dgram. Node reads datagrams as they
 * arrive (it has no paused mode for UDP), so the lab keeps them in its own queue until
 * recv/recvfrom, bounded like the kernel's receive buffer: each datagram costs its payload plus
 * the kernel's per-datagram overhead (an skb's truesize), so that empty datagrams fill the queue
 * too; datagrams that do not fit are dropped.
 * An ICMP port unreachable on a connected socket reaches Node as an 'error' event; the lab
 * keeps it as the pending error the next call returns, as C's SO_ERROR.
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import type { MsgFlag, SockAddr } from '@shared/socket';
import { UDP_MAX_PAYLOAD, checkAddress, describe, fromNode, mapIpv4ForUdp6 } from './address';
import { errnoOf, fail, fromNodeError, kernelFailure, succeed, type Outcome } from './errors';
import { AF, sysBind, sysSocket, toSockaddr } from '../libc';
import { applyStoredOptions } from './options';
import { takePending } from './stream-setup';
import type { Transcripts } from './transcript';
import { DEFAULT_DGRAM_QUEUE_BYTES, type LabSocket, type SocketTable } from './table';

const SOCK_DGRAM = 2;
/** The kernel descriptor under a lab-network host's UDP socket (Node owns and closes it). */
const hostFds = new WeakMap<LabSocket, number>();

interface DatagramIo {
  table: SocketTable;
  transcripts: Transcripts;
}

/** The Node socket behind a UDP lab socket, created at first need (bind, connect, send). */
function dgramOf(io: DatagramIo, sock: LabSocket): DgramSocket {
  if (sock.dgram) return sock.dgram;
  const socket = createSocket({ type: sock.domain === 'AF_INET6' ? 'udp6' : 'udp4', reuseAddr: sock.options.SO_REUSEADDR === 1 });
  if (sock.netns !== null) {
    // A lab-network host's socket: Node takes a kernel socket made in that host's namespace
    // (one it made itself would live in the engine's). It stays unbound until bind() binds it
    // with the kernel, or the kernel binds it at the first sendto()/connect(), as in C.
    const made = sysSocket(AF[sock.domain], SOCK_DGRAM, 0, sock.netns);
    if (!made.ok) throw Object.assign(new Error(made.message), { code: made.errno });
    socket.bind({ fd: made.value });
    hostFds.set(sock, made.value);
  }
  sock.dgram = socket;
  socket.on('message', (data, rinfo) => {
    const limit = queueLimit(socket);
    if (queueCost(sock) + data.length + DATAGRAM_OVERHEAD_BYTES > limit) {
      sock.datagramsDropped++; // the kernel drops a datagram that does not fit, and so does the lab
      return;
    }
    sock.datagrams.push({ data, from: fromNode(sock.domain, rinfo.address, rinfo.port) });
    sock.datagramBytes += data.length;
    io.table.notify(sock);
  });
  socket.on('error', (error) => {
    sock.pendingError = errnoOf(error) ?? 'EINVAL';
    sock.pendingMessage =
      sock.pendingError === 'ECONNREFUSED'
        ? `recv: ICMP port unreachable came back from ${describe(sock.peer)}: nothing listens there (ECONNREFUSED).`
        : fromNodeError(error, 'recv').message;
    io.table.notify(sock);
  });
  return socket;
}

/**
 * What one queued datagram costs besides its payload. The kernel charges each skb's truesize to
 * the receive buffer: measured here, 256 empty (or 1..100-byte) datagrams fill the default
 * 212,992 bytes, 832 bytes each.
 */
const DATAGRAM_OVERHEAD_BYTES = 832;

/** The receive buffer the queued datagrams take, as the kernel would count it. */
function queueCost(sock: LabSocket): number {
  return sock.datagramBytes + sock.datagrams.length * DATAGRAM_OVERHEAD_BYTES;
}

function queueLimit(socket: DgramSocket): number {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return DEFAULT_DGRAM_QUEUE_BYTES;
  }
}

/**
 * Runs a Node dgram operation to its answer, or to EBADF when the socket is closed first: Node
 * calls neither the callback nor 'error' for a bind, connect or send that close() overtook, and
 * a call must never stay pending forever.
 */
function untilClosed(socket: DgramSocket, call: string, start: (resolve: (outcome: Outcome) => void) => void): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const onClose = () => resolve(fail('EBADF', `${call}: the socket was closed while ${call}() was under way.`));
    socket.once('close', onClose);
    start((outcome) => {
      socket.off('close', onClose);
      resolve(outcome);
    });
  });
}

/** Records the address Node bound (bind, or the implicit bind of connect/send). */
function noteBound(sock: LabSocket): void {
  try {
    const address = sock.dgram?.address();
    if (address) sock.local = fromNode(sock.domain, address.address, address.port);
    if (sock.state === 'created') sock.state = 'bound';
  } catch {
    // not bound yet: address() throws ERR_SOCKET_DGRAM_NOT_RUNNING
  }
}

/** bind() on a UDP socket: real, immediate. */
export async function bindDatagram(io: DatagramIo, sock: LabSocket, address: SockAddr): Promise<Outcome> {
  if (sock.state !== 'created') {
    return fail('EINVAL', `bind: descriptor ${sock.fd} is already bound to ${describe(sock.local)}; a socket is bound once.`);
  }
  const bad = checkAddress(sock.domain, address, 'bind');
  if (bad || address.family === 'AF_UNIX') return bad ?? fail('EINVAL', 'bind: not an inet address.');
  const socket = dgramOf(io, sock);
  if (sock.netns !== null) {
    const bound = sysBind(hostFds.get(sock) ?? -1, toSockaddr(address));
    if (!bound.ok) return kernelFailure(bound.errno, 'bind', `(${describe(address)})`);
    noteBound(sock);
    return applyStoredOptions(sock) ?? succeed(0);
  }
  const outcome = await untilClosed(socket, 'bind', (resolve) => {
    const onError = (error: Error) => resolve(fromNodeError(error, 'bind'));
    socket.once('error', onError);
    socket.bind({ port: address.port, address: address.address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(succeed(0));
    });
  });
  if (outcome.failed) {
    // Node's failed socket cannot bind again; the next call starts from a fresh one.
    sock.dgram = null;
    sock.pendingError = null;
    socket.close();
    return outcome;
  }
  noteBound(sock);
  return applyStoredOptions(sock) ?? outcome;
}

/** connect() on a UDP socket: sets the default peer and filters what arrives. */
export async function connectDatagram(io: DatagramIo, sock: LabSocket, given: SockAddr): Promise<Outcome> {
  const address = mapIpv4ForUdp6(sock.domain, given);
  const bad = checkAddress(sock.domain, address, 'connect');
  if (bad || address.family === 'AF_UNIX') return bad ?? fail('EINVAL', 'connect: not an inet address.');
  const socket = dgramOf(io, sock);
  if (sock.state === 'connected') socket.disconnect(); // C may re-connect a UDP socket at will
  const outcome = await untilClosed(socket, 'connect', (resolve) => {
    const onError = (error: Error) => resolve(fromNodeError(error, 'connect'));
    socket.once('error', onError);
    socket.connect(address.port, address.address, () => {
      socket.off('error', onError);
      resolve(succeed(0));
    });
  });
  if (outcome.failed) return outcome;
  noteBound(sock);
  sock.state = 'connected';
  sock.peer = address;
  applyStoredOptions(sock);
  return outcome;
}

/** sendto()/send() on a UDP socket: one datagram, or -1. */
export async function sendDatagram(
  io: DatagramIo,
  sock: LabSocket,
  data: Buffer,
  given: SockAddr | null,
  callId: number,
): Promise<Outcome> {
  const address = given && mapIpv4ForUdp6(sock.domain, given);
  const call = address ? 'sendto' : 'send';
  if (sock.pendingError) return takePending(sock, call);
  if (sock.shutWr) return fail('EPIPE', `${call}: this socket was shut down for writing.`);
  if (address) {
    const bad = checkAddress(sock.domain, address, call);
    if (bad || address.family === 'AF_UNIX') return bad ?? fail('EINVAL', `${call}: not an inet address.`);
    if (sock.state === 'connected') {
      return fail(
        'EISCONN',
        `${call}: this UDP socket is connected to ${describe(sock.peer)}; Node cannot send elsewhere from it (Linux could): use send(), or a second socket.`,
      );
    }
  } else if (sock.state !== 'connected') {
    return fail('EDESTADDRREQ', `${call}: this UDP socket is not connected; give a destination with sendto().`);
  }
  const family = (address ?? sock.peer)?.family;
  const max = family === 'AF_INET6' ? UDP_MAX_PAYLOAD.AF_INET6 : UDP_MAX_PAYLOAD.AF_INET;
  if (data.length > max) {
    return fail(
      'EMSGSIZE',
      `${call}: ${data.length} bytes do not fit one UDP datagram over ${family === 'AF_INET6' ? 'IPv6' : 'IPv4'} (at most ${max}).`,
    );
  }
  const socket = dgramOf(io, sock);
  const outcome = await untilClosed(socket, call, (resolve) => {
    const done = (error: Error | null) => resolve(error ? fromNodeError(error, call) : succeed(data.length));
    try {
      if (address) socket.send(data, address.port, address.address, done);
      else socket.send(data, done);
    } catch (error) {
      resolve(fromNodeError(error, call));
    }
  });
  noteBound(sock); // sending binds an unbound socket to an ephemeral port, as in C
  if (!outcome.failed) {
    sock.counters.sendCalls++;
    sock.counters.bytesSent += data.length;
    sock.counters.datagramsSent++;
    io.transcripts.append(sock.fd, 'out', data, address ?? sock.peer, callId);
  }
  return outcome;
}

/** recvfrom()/recv() on a UDP socket: one datagram (truncated to maxBytes), or -1. */
export async function recvDatagram(
  io: DatagramIo,
  sock: LabSocket,
  maxBytes: number,
  flags: MsgFlag[],
  callId: number,
  call: 'recv' | 'recvfrom',
): Promise<Outcome<{ data: Uint8Array; from: SockAddr | null }>> {
  const nonblocking = sock.nonblocking || flags.includes('MSG_DONTWAIT');
  const ready = () => sock.datagrams.length > 0 || sock.pendingError !== null || sock.shutRd || sock.state === 'closed';
  if (!ready()) {
    if (nonblocking) return fail('EAGAIN', `${call}: no datagram is waiting and the socket is non-blocking.`);
    const interrupted = await io.table.block(sock, call, ready);
    if (interrupted) return interrupted;
  }
  if (sock.pendingError) return takePending(sock, call);
  const datagram = flags.includes('MSG_PEEK') ? sock.datagrams[0] : sock.datagrams.shift();
  if (!datagram) return succeed(0, { data: new Uint8Array(0), from: null });
  const kept = datagram.data.subarray(0, maxBytes); // the rest of a longer datagram is discarded, as in C
  sock.counters.recvCalls++;
  if (!flags.includes('MSG_PEEK')) {
    sock.datagramBytes -= datagram.data.length;
    sock.counters.bytesReceived += kept.length;
    sock.counters.datagramsReceived++;
    io.transcripts.append(sock.fd, 'in', kept, datagram.from, callId);
  }
  io.table.notify(sock);
  return succeed(kept.length, { data: kept, from: datagram.from });
}

/** shutdown() on a UDP socket: Linux allows it on a connected socket and only sets flags. */
export function shutdownDatagram(io: DatagramIo, sock: LabSocket, how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR'): Outcome {
  if (sock.state !== 'connected') return fail('ENOTCONN', `shutdown: descriptor ${sock.fd} is not connected.`);
  if (how !== 'SHUT_WR') sock.shutRd = true;
  if (how !== 'SHUT_RD') sock.shutWr = true;
  io.table.notify(sock);
  return succeed(0, {}, "No packet is sent: for UDP, shutdown only stops this socket's own sends/receives.");
}

/** close() on a UDP socket: the queued datagrams are released with it. */
export function closeDatagram(sock: LabSocket): void {
  const socket = sock.dgram;
  sock.dgram = null;
  sock.datagrams = [];
  sock.datagramBytes = 0;
  if (!socket) return;
  socket.on('error', () => undefined);
  try {
    socket.close();
  } catch {
    // already closed by Node after an error
  }
}
