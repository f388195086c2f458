/**
 * Stream sockets (TCP, AF_UNIX SOCK_STREAM) up to an established connection: bind, listen,
 * accept, connect. One owner per descriptor at every moment: the lab owns the kernel socket it
 * made at socket() (non-blocking underneath) through bind, listen, accept and connect, and
 * calls the kernel on it itself (libc), so backlog, accept queue, SYN queue, connect's
 * EINPROGRESS/EALREADY/EISCONN and its errors are the kernel's own. Only an established
 * connection — one accept(2) returned, or one the kernel reports connected — is handed to Node
 * (`net.Socket({ fd })`), which owns and closes it from then on (stream-io.ts).
 */
import { Socket as NetSocket } from 'node:net';
import type { SockAddr } from '@shared/socket';
import { checkAddress, describe, unboundAddress } from './address';
import { labText, type LabText } from '@shared/lab-text';
import { errnoOf, fail, failWith, fromNodeError, kernelFailure, succeed, type CallFailure, type Outcome } from './errors';
import {
  AF,
  LINUX,
  fromSockaddr,
  readinessPoller,
  sysAccept,
  sysBind,
  sysClose,
  sysConnect,
  sysListen,
  sysPeerNameBytes,
  sysPollNow,
  sysSockNameBytes,
  sysSocket,
  toSockaddr,
  type LibcFailure,
} from '../libc';
import { applyStoredOptions } from './options';
import { refreshQueue, stopWatch, watchQueue } from './accept-queue';
import { reserveFailure } from './descriptors';
import { confineUnixPath, rememberUnixPath } from './unix-paths';
import { handleFd, isFailure, type LabSocket, type SocketTable } from './table';

/** How often a blocking AF_UNIX connect retries while the listener's backlog is full. */
const UNIX_RETRY_MS = 20;

/** Where a socket lives, for the sockets accept() makes from it (they live there too). */
export function placementOf(sock: LabSocket): { host: string; netns: number } | null {
  return sock.host !== null && sock.netns !== null ? { host: sock.host, netns: sock.netns } : null;
}

/** Makes the kernel socket for a stream lab socket at socket(), in its host's namespace if any. */
export function ensureKernelFd(sock: LabSocket, call: string): Outcome | null {
  if (sock.kernelFd !== null) return null;
  const opened = sysSocket(AF[sock.domain], LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK, 0, sock.netns);
  if (!opened.ok) return kernelFailure(opened.errno, call, 'The kernel refused to create the socket.');
  sock.kernelFd = opened.value;
  const applied = applyStoredOptions(sock);
  return isFailure(applied) ? applied : null;
}

/** A libc failure as this call's failure (its sentence names the call already). */
function kernel(failure: LibcFailure): CallFailure {
  return fail(failure.errno, failure.message);
}

/** bind(): a real bind(2) on the kernel socket; port 0 gets its ephemeral port now. */
export function bindStream(sock: LabSocket, given: SockAddr, unixDir: UnixPolicy): Outcome {
  if (sock.state !== 'created') {
    return failWith('EINVAL', 'bind', labText('bind.alreadyBound', { fd: sock.fd, address: describe(sock.local), state: sock.state }));
  }
  const bad = checkAddress(sock.domain, given, 'bind');
  if (bad) return bad;
  const address = given.family === 'AF_UNIX' ? confineUnixPath(unixDir, given, 'bind') : given;
  if (isFailure(address)) return address;
  const made = ensureKernelFd(sock, 'bind');
  if (made) return made;
  const bound = sysBind(sock.kernelFd as number, toSockaddr(address));
  if (!bound.ok) return kernelFailure(bound.errno, 'bind', bindDetail(bound.errno, address));
  if (address.family === 'AF_UNIX') rememberUnixPath(sock, address.path);
  sock.local = kernelName(sock.kernelFd) ?? address;
  sock.state = 'bound';
  return succeed(0);
}

/** Where AF_UNIX paths may live (./unix-paths). */
export type UnixPolicy = Parameters<typeof confineUnixPath>[0];

function bindDetail(errno: string, address: SockAddr): string | LabText {
  if (errno === 'EADDRINUSE') return labText('bind.addressInUse', { address: describe(address) });
  if (errno === 'EACCES') return labText('bind.privilegedPort', { port: 'port' in address ? address.port : '' });
  if (errno === 'EADDRNOTAVAIL') return labText('bind.addressNotAvailable', { address: describe(address) });
  return `(${describe(address)})`;
}

/** The address the kernel reports for a descriptor (getsockname). */
function kernelName(fd: number | null): SockAddr | null {
  if (fd === null) return null;
  const name = sysSockNameBytes(fd);
  return name.ok ? fromSockaddr(name.value) : null;
}

/** listen(backlog): listen(2) on the lab's own descriptor; the kernel keeps the accept queue. */
export function listenStream(sock: LabSocket, backlog: number, table: SocketTable): Outcome {
  const fd = sock.kernelFd;
  // A connection Node owns: Linux refuses listen() on a connected socket.
  if (fd === null) return failWith('EINVAL', 'listen', labText('listen.notListenable', { fd: sock.fd, state: sock.state }));
  const done = sysListen(fd, backlog);
  if (!done.ok) return kernel(done); // EINVAL: connecting, or an unbound AF_UNIX socket
  sock.local = kernelName(fd) ?? sock.local; // an unbound inet socket got an ephemeral port
  sock.backlog = backlog;
  sock.state = 'listening';
  watchQueue(sock, table);
  return succeed(0);
}

/** Re-reads what the kernel says of a stream socket before a snapshot (queue, connect done). */
export function refreshStreamView(sock: LabSocket, table: SocketTable): void {
  // A change wakes a blocked accept() here too: the queue watch will not see it change again.
  if (sock.state === 'listening') {
    if (refreshQueue(sock)) table.notify(sock);
  } else settleConnect(sock, table);
}

/** Hands an established connection's descriptor to Node, paused until the first recv(). */
function adopt(fd: number): NetSocket {
  return new NetSocket({ fd, readable: true, writable: true, allowHalfOpen: true, pauseOnCreate: true } as ConstructorParameters<
    typeof NetSocket
  >[0]);
}

/** accept(): accept(2) on the lab's listener, waiting (off the event loop) unless non-blocking. */
export async function acceptStream(
  listener: LabSocket,
  table: SocketTable,
  nonblocking: boolean,
): Promise<Outcome<{ peer: SockAddr | null }>> {
  let answer: Outcome<{ peer: SockAddr | null }> | null = null;
  const attempt = (): boolean => {
    answer = acceptNow(listener, table);
    return answer !== null;
  };
  if (!attempt()) {
    if (nonblocking) return fail('EAGAIN', 'accept: no connection is waiting in the accept queue and the socket is non-blocking.');
    const interrupted = await table.block(listener, 'accept', attempt);
    if (interrupted) return interrupted;
  }
  return answer ?? fail('EBADF', 'accept: the listening socket was closed while accept() waited.');
}

/** One accept(2) attempt: the new socket, a failure, or null when the queue is empty. */
function acceptNow(listener: LabSocket, table: SocketTable): Outcome<{ peer: SockAddr | null }> | null {
  const fd = listener.kernelFd;
  if (listener.state === 'closed') return fail('EBADF', 'accept: the listening socket was closed while accept() waited.');
  if (fd === null)
    return fail('EINVAL', `accept: descriptor ${listener.fd} is not listening (it is ${listener.state}); call listen() first.`);
  if (listener.state === 'listening') {
    const ready = sysPollNow(fd, LINUX.POLLIN);
    if (ready.ok && ready.value === 0) return null; // nothing queued: no descriptor is spent
  }
  // EMFILE leaves the connection in the kernel's queue, as in C.
  const reserve = reserveFailure('accept');
  if (reserve) return reserve;
  const accepted = table.open(listener.domain, 'SOCK_STREAM', listener.protocol, placementOf(listener));
  if (isFailure(accepted)) return accepted;
  const taken = sysAccept(fd);
  if (!taken.ok) {
    table.remove(accepted);
    return taken.errno === 'EAGAIN' && listener.state === 'listening' ? null : kernel(taken);
  }
  try {
    accepted.conn = adopt(taken.value.fd);
  } catch (error) {
    sysClose(taken.value.fd); // Node did not take it: the lab still owns it and lets it go
    table.remove(accepted);
    return fail('EMFILE', `accept: Node could not take the accepted connection (${String(error)}).`);
  }
  accepted.state = 'connected';
  accepted.acceptedFrom = listener.fd;
  accepted.local = kernelName(taken.value.fd) ?? listener.local;
  accepted.peer = fromSockaddr(taken.value.sockaddr) ?? unboundAddress(listener.domain);
  wireConnection(accepted, table);
  watchQueue(listener, table);
  table.notify(listener);
  table.notify(accepted);
  return succeed(accepted.fd, { peer: accepted.peer });
}

/** Listens to a connected Node socket's events and keeps the lab socket's fields in step. */
function wireConnection(sock: LabSocket, table: SocketTable): void {
  const conn = sock.conn as NetSocket;
  conn.on('error', (error) => {
    // Node's read took the kernel's error (SO_ERROR): the next call returns it, once.
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

/** Where a non-blocking connect stands, read without consuming anything (no SO_ERROR). */
function connectProgress(fd: number): 'in-flight' | 'connected' | 'finished' {
  const ready = sysPollNow(fd, LINUX.POLLOUT);
  if (!ready.ok || ready.value === 0) return 'in-flight';
  return sysPeerNameBytes(fd).ok ? 'connected' : 'finished';
}

/**
 * Brings the lab's view of a connecting socket up to the kernel's: established → handed to
 * Node; failed → unconnected again (the error waits in the kernel for the next call, as in C).
 */
export function settleConnect(sock: LabSocket, table: SocketTable): void {
  const fd = sock.kernelFd;
  if (sock.state !== 'connecting' || fd === null) return;
  const progress = connectProgress(fd);
  if (progress === 'in-flight') return;
  connectWatches.get(sock)?.();
  connectWatches.delete(sock);
  if (progress === 'connected') {
    sock.conn = adopt(fd);
    sock.kernelFd = null; // Node owns it now
    sock.state = 'connected';
    sock.local = kernelName(handleFd(sock.conn)) ?? sock.local;
    wireConnection(sock, table);
  } else {
    sock.state = sock.local ? 'bound' : 'created';
  }
  table.notify(sock);
}

const connectWatches = new WeakMap<LabSocket, () => void>();

/** Settles a connecting socket as soon as the kernel reports the handshake done (POLLOUT). */
function watchConnect(sock: LabSocket, table: SocketTable): void {
  const fd = sock.kernelFd;
  if (fd === null || connectWatches.has(sock)) return;
  const waiting = readinessPoller.waitFor(fd, LINUX.POLLOUT, () => {
    connectWatches.delete(sock);
    settleConnect(sock, table);
    if (sock.state === 'connecting') watchConnect(sock, table);
  });
  if (waiting.ok) connectWatches.set(sock, waiting.value);
}

/** Waits (off the event loop, cancellable) until a connecting socket is settled. */
export async function waitConnecting(sock: LabSocket, table: SocketTable, call: 'connect' | 'send' | 'recv'): Promise<CallFailure | null> {
  watchConnect(sock, table);
  return table.block(sock, call, () => {
    settleConnect(sock, table);
    return sock.state !== 'connecting';
  });
}

/** connect(): connect(2) on the lab's descriptor; the kernel's answer, call after call. */
export async function connectStream(
  sock: LabSocket,
  given: SockAddr,
  table: SocketTable,
  nonblocking: boolean,
  unixDir: UnixPolicy,
): Promise<Outcome> {
  const bad = checkAddress(sock.domain, given, 'connect');
  if (bad) return bad;
  const address = given.family === 'AF_UNIX' ? confineUnixPath(unixDir, given, 'connect') : given;
  if (isFailure(address)) return address;
  settleConnect(sock, table);
  for (;;) {
    const fd = sock.kernelFd ?? handleFd(sock.conn);
    // Node closed a connection that failed: Linux still answers EISCONN on a socket that was connected.
    if (fd === null) return fail('EISCONN', `connect: descriptor ${sock.fd} is already connected (the connection has since ended).`);
    const done = sysConnect(fd, toSockaddr(address));
    if (sock.kernelFd === null || sock.state === 'listening') {
      return done.ok ? succeed(0) : kernel(done); // 0 once after a non-blocking connect, then EISCONN
    }
    if (done.ok) {
      sock.state = 'connecting';
      sock.peer = address;
      settleConnect(sock, table); // established: hand it to Node
      if (sock.state === 'connecting') watchConnect(sock, table);
      return succeed(0);
    }
    const inFlight = done.errno === 'EINPROGRESS' || done.errno === 'EALREADY';
    if (inFlight) {
      sock.state = 'connecting';
      sock.peer = address;
      if (nonblocking) {
        watchConnect(sock, table);
        table.notify(sock);
        return done.errno === 'EINPROGRESS'
          ? fail(
              'EINPROGRESS',
              `connect: the SYN to ${describe(address)} is on its way; the handshake finishes in the background (call connect() again, or poll for writability).`,
            )
          : kernel(done);
      }
      const interrupted = await waitConnecting(sock, table, 'connect');
      if (interrupted) return interrupted; // the handshake goes on, as after a signal in C
      continue; // connect(2) again: 0 once established, or the error the kernel kept
    }
    if (done.errno === 'EAGAIN' && sock.domain === 'AF_UNIX') {
      // Linux answers EAGAIN (not EINPROGRESS) when an AF_UNIX listener's backlog is full.
      if (nonblocking) return kernel(done);
      const interrupted = await pause(sock, table);
      if (interrupted) return interrupted;
      continue;
    }
    if (sock.state === 'connecting') sock.state = sock.local ? 'bound' : 'created';
    sock.peer = null;
    table.notify(sock);
    return kernel(done);
  }
}

/** Waits a little, shown as blocked in connect and cancellable (AF_UNIX backlog full). */
async function pause(sock: LabSocket, table: SocketTable): Promise<CallFailure | null> {
  let due = false;
  const timer = setTimeout(() => {
    due = true;
    table.notify(sock);
  }, UNIX_RETRY_MS);
  const interrupted = await table.block(sock, 'connect', () => due || sock.state === 'closed');
  clearTimeout(timer);
  if (interrupted) return interrupted;
  return sock.state === 'closed' ? fail('EBADF', 'connect: the socket was closed while connect() waited.') : null;
}

/** Returns and clears the error the OS reported asynchronously (C's SO_ERROR). */
export function takePending(sock: LabSocket, call: string): Outcome & { failed: true } {
  const errno = sock.pendingError ?? 'EINVAL';
  const message = sock.pendingMessage ?? `${call}: an earlier error was reported by the OS.`;
  sock.pendingError = null;
  sock.pendingMessage = null;
  return fail(errno, message.replace(/^[^:]+:/, `${call}:`));
}

/** The socket's current local address, from the kernel wherever the descriptor is. */
export function streamLocalName(sock: LabSocket): SockAddr {
  return kernelName(sock.kernelFd ?? handleFd(sock.conn)) ?? sock.local ?? unboundAddress(sock.domain);
}

/** getpeername(): the kernel's answer on the socket's descriptor (ENOTCONN until connected). */
export function streamPeerName(sock: LabSocket): Outcome<{ address: SockAddr | null }> {
  const fd = sock.kernelFd ?? handleFd(sock.conn);
  if (fd === null) return fail('ENOTCONN', `getpeername: descriptor ${sock.fd} is not connected (the connection has ended).`);
  const name = sysPeerNameBytes(fd);
  if (!name.ok) return fail(name.errno, `getpeername: descriptor ${sock.fd} is not connected (${sock.state}).`);
  return succeed(0, { address: fromSockaddr(name.value) ?? sock.peer });
}

/**
 * Releases what the lab owns of a stream socket: its watches and, while it still holds the
 * kernel socket (not connected yet, or listening), the descriptor itself — through the shared
 * poller, which defers close(2) while a worker thread still polls that number.
 */
export function releaseKernelFd(sock: LabSocket): Promise<unknown> | undefined {
  stopWatch(sock);
  connectWatches.get(sock)?.();
  connectWatches.delete(sock);
  const fd = sock.kernelFd;
  sock.kernelFd = null;
  return fd === null ? undefined : readinessPoller.close(fd);
}
