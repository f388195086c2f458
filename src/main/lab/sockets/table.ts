/**
 * The descriptor table: lab sockets by number (3 and up, lowest free number first, as a fresh
 * C process hands them out), each with a lab-wide identity that is never reused, what each holds, the snapshot the UI sees, and the wait
 * mechanism blocking calls use (a poll re-run whenever the socket changes, cancellable).
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket as NetSocket } from 'node:net';
import type { ErrnoName } from '@shared/errno';
import type { BlockingCall, Counters, Domain, OptionValue, Protocol, SockAddr, SockType, SocketInfo, SocketState } from '@shared/socket';
import { NET_FD_BASE, NET_SOCKET_ID_BASE } from '@shared/net';
import type { LabContext } from '../context';
import { monoUs } from '../context';
import { fail, type CallFailure } from './errors';
import { sysBytesWaiting } from '../libc';
import type { RawSocket } from '../raw';

/**
 * A connection in the kernel's accept queue, as the listener's view shows it: the kernel keeps
 * the queue; its peer is known only once accept() takes it (null until then).
 */
export interface PendingConnection {
  peer: SockAddr | null;
  since: number;
}

export interface Datagram {
  data: Buffer;
  from: SockAddr | null;
}

interface Waiter {
  call: BlockingCall;
  poll: () => boolean;
  abort: (failure: CallFailure) => void;
}

export interface LabSocket {
  /** Lab-wide identity, never reused (SocketInfo.socketId); `fd` is reused as in C. */
  socketId: number;
  fd: number;
  domain: Domain;
  type: SockType;
  protocol: Protocol;
  state: SocketState;
  local: SockAddr | null;
  peer: SockAddr | null;
  nonblocking: boolean;
  options: Record<string, OptionValue>;
  backlog: number | null;
  shutRd: boolean;
  shutWr: boolean;
  pendingError: ErrnoName | null;
  pendingMessage: string | null;
  counters: Counters;
  acceptedFrom: number | null;
  /** The listening socket's identity, for sockets returned by accept(). */
  acceptedFromId: number | null;
  createdAtUs: number;
  /** The lab-network host it lives on and that host's namespace (null: this machine). */
  host: string | null;
  netns: number | null;
  /**
   * Stream: the kernel socket the lab made with libc at socket() and owns (listening, or not
   * connected yet); null once Node owns the connection (`conn`), which then closes it.
   */
  kernelFd: number | null;
  acceptQueue: PendingConnection[];
  conn: NetSocket | null;
  /** Stream: the lab has started reading (first recv); until then the kernel buffers fill. */
  reading: boolean;
  /** Stream: end of stream reached in the lab's buffer (the peer's FIN was consumed). */
  eof: boolean;
  dgram: DgramSocket | null;
  datagrams: Datagram[];
  datagramBytes: number;
  datagramsDropped: number;
  /** SOCK_RAW: the kernel raw socket (../raw), from socket() to close(). */
  raw: RawSocket | null;
  waiters: Set<Waiter>;
}

/** Linux's default SO_RCVBUF for UDP here (net.core.rmem_default), used to bound the lab's queue. */
export const DEFAULT_DGRAM_QUEUE_BYTES = 212_992;

export interface SocketTable {
  /** Allocates the lowest free descriptor, or EMFILE past options.maxSockets. */
  open(domain: Domain, type: SockType, protocol: Protocol, on?: { host: string; netns: number } | null): LabSocket | CallFailure;
  get(fd: number): LabSocket | undefined;
  /** The open socket with this identity. */
  byId(socketId: number): LabSocket | undefined;
  /** The socket, or EBADF naming the call. */
  lookup(fd: number, call: string): LabSocket | CallFailure;
  remove(sock: LabSocket): void;
  all(): LabSocket[];
  /** Re-runs the waiters of a socket and schedules one 'socket.changed' event. */
  notify(sock: LabSocket): void;
  /** Waits until poll() returns true, showing the socket as blocked in `call`. */
  block(sock: LabSocket, call: BlockingCall, poll: () => boolean): Promise<CallFailure | null>;
  /**
   * Shows the socket as blocked in `call` while something outside the table waits (a raw
   * socket's receive); `onAbort` hears cancel/close. Returns the function that ends the hold.
   */
  hold(sock: LabSocket, call: BlockingCall, onAbort: (failure: CallFailure) => void): () => void;
  /** Ends every blocked call of a socket with the given failure; returns how many. */
  abortWaiters(sock: LabSocket, failure: CallFailure): number;
  info(sock: LabSocket): SocketInfo;
}

/** Whether a value is a failure rather than a result. */
export function isFailure(value: unknown): value is CallFailure {
  return typeof value === 'object' && value !== null && (value as { failed?: unknown }).failed === true;
}

/** Creates the descriptor table for one lab; `onRemove` hears of each socket that leaves it. */
export function createSocketTable(ctx: LabContext, onRemove: (sock: LabSocket) => void = () => undefined): SocketTable {
  const sockets = new Map<number, LabSocket>();
  const byId = new Map<number, LabSocket>();
  // Identities count on across resets, so nothing a client still holds can name a new socket.
  // Identities are never reused; the engine's are numbered apart from the machine's (NET_SOCKET_ID_BASE).
  let nextSocketId = ctx.options.role === 'engine' ? NET_SOCKET_ID_BASE : 1;
  const changed = new Set<LabSocket>();
  let flushScheduled = false;

  function flushChanges(): void {
    flushScheduled = false;
    for (const sock of changed) if (sockets.get(sock.fd) === sock) ctx.emit('socket.changed', table.info(sock));
    changed.clear();
  }

  const table: SocketTable = {
    open(domain, type, protocol, on = null) {
      if (sockets.size >= ctx.options.maxSockets) {
        return fail(
          'EMFILE',
          `socket: the lab already has ${sockets.size} sockets open, its limit (maxSockets = ${ctx.options.maxSockets}); close some first.`,
        );
      }
      // The engine's descriptors are numbered apart from the machine's (see NET_FD_BASE).
      let fd = ctx.options.role === 'engine' ? NET_FD_BASE : 3;
      while (sockets.has(fd)) fd++;
      const sock: LabSocket = {
        socketId: nextSocketId++,
        fd,
        domain,
        type,
        protocol,
        state: 'created',
        local: null,
        peer: null,
        nonblocking: false,
        options: {},
        backlog: null,
        shutRd: false,
        shutWr: false,
        pendingError: null,
        pendingMessage: null,
        counters: { bytesSent: 0, bytesReceived: 0, sendCalls: 0, recvCalls: 0, datagramsSent: 0, datagramsReceived: 0 },
        acceptedFrom: null,
        acceptedFromId: null,
        createdAtUs: monoUs(),
        host: on?.host ?? null,
        netns: on?.netns ?? null,
        kernelFd: null,
        acceptQueue: [],
        conn: null,
        reading: false,
        eof: false,
        dgram: null,
        datagrams: [],
        datagramBytes: 0,
        datagramsDropped: 0,
        raw: null,
        waiters: new Set(),
      };
      sockets.set(fd, sock);
      byId.set(sock.socketId, sock);
      return sock;
    },
    get: (fd) => sockets.get(fd),
    byId: (socketId) => byId.get(socketId),
    lookup(fd, call) {
      return sockets.get(fd) ?? fail('EBADF', `${call}: descriptor ${fd} is not an open socket in this lab.`);
    },
    remove(sock) {
      sockets.delete(sock.fd);
      byId.delete(sock.socketId);
      sock.state = 'closed';
      ctx.tcpStates.delete(sock.socketId);
      ctx.emit('socket.removed', { fd: sock.fd, socketId: sock.socketId });
      onRemove(sock);
    },
    all: () => [...sockets.values()].sort((a, b) => a.fd - b.fd),
    notify(sock) {
      for (const waiter of [...sock.waiters]) if (waiter.poll()) sock.waiters.delete(waiter);
      changed.add(sock);
      if (!flushScheduled) {
        flushScheduled = true;
        queueMicrotask(flushChanges);
      }
    },
    block(sock, call, poll) {
      if (poll()) return Promise.resolve(null);
      return new Promise<CallFailure | null>((resolve) => {
        const waiter: Waiter = {
          call,
          poll: () => {
            if (!poll()) return false;
            resolve(null);
            return true;
          },
          abort: (failure) => resolve(failure),
        };
        sock.waiters.add(waiter);
        table.notify(sock);
      }).finally(() => table.notify(sock));
    },
    hold(sock, call, onAbort) {
      const waiter: Waiter = { call, poll: () => false, abort: onAbort };
      sock.waiters.add(waiter);
      table.notify(sock);
      return () => {
        if (sock.waiters.delete(waiter)) table.notify(sock);
      };
    },
    abortWaiters(sock, failure) {
      const waiters = [...sock.waiters];
      sock.waiters.clear();
      for (const waiter of waiters) waiter.abort(failure);
      if (waiters.length > 0) table.notify(sock);
      return waiters.length;
    },
    info(sock) {
      const first = sock.waiters.values().next();
      return {
        socketId: sock.socketId,
        fd: sock.fd,
        domain: sock.domain,
        type: sock.type,
        protocol: sock.protocol,
        state: sock.state,
        local: sock.local,
        peer: sock.peer,
        nonblocking: sock.nonblocking,
        options: { ...sock.options },
        backlog: sock.backlog,
        acceptQueue: sock.acceptQueue.map((p) => ({ peer: p.peer, since: p.since })),
        bytesWaiting: bytesWaiting(sock),
        datagramsWaiting: sock.datagrams.length,
        shutRd: sock.shutRd,
        shutWr: sock.shutWr,
        peerClosed: peerClosed(sock),
        pendingError: sock.pendingError,
        blockedIn: first.done ? null : first.value.call,
        counters: { ...sock.counters },
        acceptedFrom: sock.acceptedFrom,
        acceptedFromId: sock.acceptedFromId,
        tcpState: ctx.tcpStates.get(sock.socketId) ?? null,
        createdAtUs: sock.createdAtUs,
        ...(sock.host ? { host: sock.host } : {}),
      };
    },
  };
  return table;
}

/** The real descriptor Node holds for a handle (Unix only), or null. */
export function handleFd(owner: unknown): number | null {
  if (typeof owner !== 'object' || owner === null) return null;
  const handle = (owner as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : null;
}

/** Bytes a reader would get: those Node already read into its buffer plus those still in the kernel. */
function bytesWaiting(sock: LabSocket): number {
  if (sock.type === 'SOCK_DGRAM') return sock.datagramBytes;
  // A raw socket: FIONREAD gives the size of the next queued packet (Linux), 0 when none.
  if (sock.raw) return sock.raw.closed ? 0 : sysBytesWaiting(sock.raw.fd);
  if (sock.kernelFd !== null) return sysBytesWaiting(sock.kernelFd);
  if (!sock.conn || sock.conn.destroyed) return 0;
  return sock.conn.readableLength + sysBytesWaiting(handleFd(sock.conn));
}

/**
 * Whether the peer's FIN has arrived. Node has no public flag for "EOF received but data still
 * buffered" before 'end', so this reads the readable state's `ended` (documented Node field).
 */
export function peerClosed(sock: LabSocket): boolean {
  if (sock.eof) return true;
  const state = (sock.conn as unknown as { _readableState?: { ended?: boolean } } | null)?._readableState;
  return state?.ended === true;
}
