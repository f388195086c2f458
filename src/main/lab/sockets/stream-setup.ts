/**
 * Stream sockets (TCP, AF_UNIX SOCK_STREAM) up to an established connection: bind, listen,
 * accept, connect. socket() makes a real kernel socket with libc so bind() binds at once, as in
 * C; listen() hands that descriptor to a Node server (pauseOnConnect, so connections wait in the
 * lab's accept queue until accept()); connect() goes through node:net.
 */
import { Server, Socket as NetSocket } from 'node:net';
import type { SockAddr } from '@shared/socket';
import { monoUs } from '../context';
import { checkAddress, describe, fromNode, unboundAddress } from './address';
import { errnoOf, fail, fromNodeError, kernelFailure, succeed, type Outcome } from './errors';
import { AF, LINUX, fromSockaddr, sysBind, sysClose, sysSockNameBytes, sysSocket, toSockaddr } from '../libc';
import { applyStoredOptions } from './options';
import { handleFd, isFailure, type LabSocket, type SocketTable } from './table';

/** Where a socket lives, for the sockets accept() makes from it (they live there too). */
export function placementOf(sock: LabSocket): { host: string; netns: number } | null {
  return sock.host !== null && sock.netns !== null ? { host: sock.host, netns: sock.netns } : null;
}

/** Makes the kernel socket for a stream lab socket (also after a failed connect released it). */
export function ensureKernelFd(sock: LabSocket, call: string): Outcome | null {
  if (sock.kernelFd !== null) return null;
  const opened = sysSocket(AF[sock.domain], LINUX.SOCK_STREAM, 0, sock.netns);
  if (!opened.ok) return kernelFailure(opened.errno, call, 'The kernel refused to create the socket.');
  sock.kernelFd = opened.value;
  const applied = applyStoredOptions(sock);
  return isFailure(applied) ? applied : null;
}

/** bind(): a real bind(2) on the kernel socket; port 0 gets its ephemeral port now. */
export function bindStream(sock: LabSocket, address: SockAddr): Outcome {
  if (sock.state !== 'created') {
    return fail('EINVAL', `bind: descriptor ${sock.fd} is already bound to ${describe(sock.local)} (or ${sock.state}); a socket is bound once.`);
  }
  const bad = checkAddress(sock.domain, address, 'bind');
  if (bad) return bad;
  const made = ensureKernelFd(sock, 'bind');
  if (made) return made;
  const bound = sysBind(sock.kernelFd as number, toSockaddr(address));
  if (!bound.ok) return kernelFailure(bound.errno, 'bind', bindDetail(bound.errno, address));
  sock.local = kernelName(sock) ?? address;
  sock.state = 'bound';
  return succeed(0);
}

function bindDetail(errno: string, address: SockAddr): string {
  if (errno === 'EADDRINUSE') return `${describe(address)} is taken.`;
  if (errno === 'EACCES') return `Port ${'port' in address ? address.port : ''} is below 1024 and this process is not privileged.`;
  if (errno === 'EADDRNOTAVAIL') return `No interface of this machine has ${describe(address)}.`;
  return `(${describe(address)})`;
}

/** The address the kernel reports for the socket's own descriptor. */
function kernelName(sock: LabSocket): SockAddr | null {
  if (sock.kernelFd === null) return null;
  const name = sysSockNameBytes(sock.kernelFd);
  return name.ok ? fromSockaddr(name.value) : null;
}

/** listen(backlog): hands the bound kernel socket to a Node server (auto-binding inet sockets). */
export async function listenStream(sock: LabSocket, backlog: number, table: SocketTable): Promise<Outcome> {
  if (sock.state === 'listening') {
    sock.backlog = backlog;
    return succeed(0, {}, 'Already listening: Linux updates the backlog; Node keeps the one it was given at the first listen().');
  }
  if (sock.state !== 'created' && sock.state !== 'bound') {
    return fail('EINVAL', `listen: descriptor ${sock.fd} is ${sock.state}; only an unconnected socket can listen.`);
  }
  if (sock.state === 'created') {
    if (sock.domain === 'AF_UNIX') return fail('EINVAL', 'listen: an AF_UNIX socket must be bind()-ed to a path before it can listen.');
    const bound = bindStream(sock, unboundAddress(sock.domain));
    if (bound.failed) return bound;
  }
  const fd = sock.kernelFd as number;
  const server = new Server({ pauseOnConnect: true, allowHalfOpen: true });
  const outcome = await new Promise<Outcome>((resolve) => {
    server.once('error', (error) => resolve(fromNodeError(error, 'listen')));
    server.once('listening', () => resolve(succeed(0)));
    server.listen({ fd, backlog });
  });
  if (outcome.failed) {
    // Node may already own (and close) the descriptor: never touch that number again. The
    // socket goes back to unbound; a later bind() makes a fresh kernel socket.
    server.close();
    sock.kernelFd = null;
    sock.state = 'created';
    sock.local = null;
    return outcome;
  }
  sock.kernelFd = null; // the server owns the descriptor now and closes it
  sock.server = server;
  sock.backlog = backlog;
  sock.state = 'listening';
  server.on('error', (error) => {
    sock.pendingError = errnoOf(error) ?? 'EINVAL';
    sock.pendingMessage = fromNodeError(error, 'listen').message;
    table.notify(sock);
  });
  server.on('connection', (conn: NetSocket) => {
    const entry = {
      conn,
      peer: sock.domain === 'AF_UNIX' ? unboundAddress('AF_UNIX') : fromNode(sock.domain, conn.remoteAddress, conn.remotePort),
      since: monoUs(),
      error: null as ReturnType<typeof errnoOf>,
    };
    // A queued connection the peer resets is still handed out by accept(); recv then fails.
    conn.on('error', (error) => (entry.error = errnoOf(error) ?? 'ECONNRESET'));
    sock.acceptQueue.push(entry);
    table.notify(sock);
  });
  return outcome;
}

/** accept(): takes the oldest queued connection, waiting for one unless non-blocking. */
export async function acceptStream(
  listener: LabSocket,
  table: SocketTable,
  nonblocking: boolean,
): Promise<Outcome<{ peer: SockAddr | null }>> {
  if (listener.state !== 'listening') {
    return fail('EINVAL', `accept: descriptor ${listener.fd} is not listening (it is ${listener.state}); call listen() first.`);
  }
  if (listener.acceptQueue.length === 0) {
    if (nonblocking) return fail('EAGAIN', 'accept: no connection is waiting in the accept queue and the socket is non-blocking.');
    const interrupted = await table.block(listener, 'accept', () => listener.acceptQueue.length > 0 || listener.state !== 'listening');
    if (interrupted) return interrupted;
    if (listener.state !== 'listening') return fail('EBADF', 'accept: the listening socket was closed while accept() waited.');
  }
  const pending = listener.acceptQueue[0];
  const accepted = table.open(listener.domain, 'SOCK_STREAM', listener.protocol, placementOf(listener));
  if (isFailure(accepted)) return accepted; // EMFILE: the connection stays queued, as in C
  listener.acceptQueue.shift();
  accepted.conn = pending.conn;
  accepted.state = 'connected';
  accepted.acceptedFrom = listener.fd;
  accepted.local = listener.domain === 'AF_UNIX' ? listener.local : fromNode(listener.domain, pending.conn.localAddress, pending.conn.localPort);
  accepted.peer = pending.peer;
  accepted.pendingError = pending.error;
  pending.conn.removeAllListeners('error');
  wireConnection(accepted, table);
  applyStoredOptions(accepted);
  table.notify(listener);
  table.notify(accepted);
  return succeed(accepted.fd, { peer: pending.peer });
}

/** Listens to a connected Node socket's events and keeps the lab socket's fields in step. */
export function wireConnection(sock: LabSocket, table: SocketTable): void {
  const conn = sock.conn as NetSocket;
  conn.on('error', (error) => {
    sock.pendingError = errnoOf(error) ?? 'ECONNRESET';
    sock.pendingMessage = fromNodeError(error, 'the connection').message;
    table.notify(sock);
  });
  conn.on('end', () => {
    sock.eof = true;
    table.notify(sock);
  });
  conn.on('close', () => table.notify(sock));
  conn.on('drain', () => table.notify(sock));
}

/** connect(): a TCP handshake or AF_UNIX connect through node:net. */
export async function connectStream(
  sock: LabSocket,
  address: SockAddr,
  table: SocketTable,
  nonblocking: boolean,
): Promise<Outcome> {
  if (sock.state === 'connected' || sock.state === 'listening') {
    return fail('EISCONN', `connect: descriptor ${sock.fd} is already ${sock.state}.`);
  }
  if (sock.state === 'connecting') {
    if (nonblocking) return fail('EALREADY', 'connect: the earlier non-blocking connect() is still in progress.');
    return waitConnected(sock, table);
  }
  const bad = checkAddress(sock.domain, address, 'connect');
  if (bad) return bad;
  if (sock.pendingError) return takePending(sock, 'connect');
  let note: string | undefined;
  const local = sock.state === 'bound' ? sock.local : null;
  if (local?.family === 'AF_UNIX') {
    return fail('EOPNOTSUPP', 'connect: SockLab cannot connect an AF_UNIX socket bound to its own path (Node gives a Unix client no local name); connect without bind().');
  }
  let conn: NetSocket;
  if (sock.netns !== null) {
    // A lab-network host's socket: Node connects the kernel socket made in that host's
    // namespace (a socket Node made itself would be in the engine's own, unconnected one).
    const made = ensureKernelFd(sock, 'connect');
    if (made) return made;
    conn = new NetSocket({ fd: sock.kernelFd as number, allowHalfOpen: true, readable: true, writable: true, pauseOnCreate: true } as ConstructorParameters<typeof NetSocket>[0]);
    sock.kernelFd = null; // Node owns the descriptor now and closes it
  } else {
    if (sock.kernelFd !== null) {
      // Node opens its own socket for connect; the lab's is released and its address reused.
      sysClose(sock.kernelFd);
      sock.kernelFd = null;
      if (local) note = `Node connects with a new kernel socket bound to ${describe(local)} (the bind() socket was released just before).`;
    }
    conn = new NetSocket({ allowHalfOpen: true });
  }
  conn.pause(); // reads stay paused until recv(), so the kernel's window really fills
  sock.conn = conn;
  sock.state = 'connecting';
  sock.peer = address;
  wireConnection(sock, table);
  conn.once('connect', () => {
    sock.state = 'connected';
    sock.local = sock.domain === 'AF_UNIX' ? unboundAddress('AF_UNIX') : fromNode(sock.domain, conn.localAddress, conn.localPort);
    applyStoredOptions(sock);
    table.notify(sock);
  });
  conn.once('error', () => {
    if (sock.state !== 'connecting') return;
    // A failed connect leaves an unconnected socket that may connect again, as on Linux.
    sock.state = 'created';
    sock.conn = null;
    sock.peer = null;
    table.notify(sock);
  });
  if (address.family === 'AF_UNIX') conn.connect({ path: address.path });
  else {
    conn.connect({
      host: address.address,
      port: address.port,
      family: address.family === 'AF_INET6' ? 6 : 4,
      ...(local && sock.netns === null ? { localAddress: local.address, localPort: local.port } : {}),
    });
  }
  if (nonblocking) {
    table.notify(sock);
    return fail('EINPROGRESS', `connect: the SYN to ${describe(address)} is on its way; the handshake finishes in the background (call connect() again or send()).`);
  }
  const outcome = await waitConnected(sock, table);
  return outcome.failed || !note ? outcome : succeed(0, {}, note);
}

/** Waits for a connect in progress to finish; EINTR leaves it running, as a signal does in C. */
async function waitConnected(sock: LabSocket, table: SocketTable): Promise<Outcome> {
  const interrupted = await table.block(sock, 'connect', () => sock.state !== 'connecting');
  if (interrupted) return interrupted;
  if (sock.state === 'connected') return succeed(0);
  if (sock.pendingError) return takePending(sock, 'connect');
  return fail('EBADF', 'connect: the socket was closed while connect() waited.');
}

/** Returns and clears the error the OS reported asynchronously (C's SO_ERROR). */
export function takePending(sock: LabSocket, call: string): Outcome & { failed: true } {
  const errno = sock.pendingError ?? 'EINVAL';
  const message = sock.pendingMessage ?? `${call}: an earlier error was reported by the OS.`;
  sock.pendingError = null;
  sock.pendingMessage = null;
  return fail(errno, message.replace(/^[^:]+:/, `${call}:`));
}

/** The socket's current local address, from the kernel where the lab holds the descriptor. */
export function streamLocalName(sock: LabSocket): SockAddr {
  if (sock.kernelFd !== null) return kernelName(sock) ?? unboundAddress(sock.domain);
  const owner = sock.server ?? sock.conn;
  if (sock.domain !== 'AF_UNIX' && owner && handleFd(owner) !== null) {
    const address = sock.server?.address() ?? null;
    if (address && typeof address === 'object') return fromNode(sock.domain, address.address, address.port) ?? unboundAddress(sock.domain);
  }
  return sock.local ?? unboundAddress(sock.domain);
}
