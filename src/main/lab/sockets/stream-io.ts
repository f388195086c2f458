/**
 * Stream sockets once connected: send, recv, shutdown, close.
 *
 * send() maps to `socket.write()`. A blocking send returns when Node has handed every byte to
 * the kernel (the write callback), so it blocks while the peer's window and our send buffer are
 * full, as C's does. A non-blocking send answers EAGAIN while bytes of an earlier send still
 * wait in Node's write queue (the kernel could not take them); otherwise it queues all bytes
 * and returns their count (where C could return a partial count: see docs/fidelity.md).
 */
import { Socket as NetSocket } from 'node:net';
import type { MsgFlag, ShutHow } from '@shared/socket';
import { fail, fromNodeError, succeed, type CallFailure, type Outcome } from './errors';
import { takePending } from './stream-setup';
import { LINUX, sysClose, sysRecvNow, sysShutdown } from '../libc';
import type { Transcripts } from './transcript';
import { handleFd, isFailure, peerClosed, type LabSocket, type SocketTable } from './table';

export interface StreamIo {
  table: SocketTable;
  transcripts: Transcripts;
}

/** send(data, flags) on a stream socket. */
export async function sendStream(
  io: StreamIo,
  sock: LabSocket,
  data: Buffer,
  flags: MsgFlag[],
  callId: number,
): Promise<Outcome> {
  const nonblocking = sock.nonblocking || flags.includes('MSG_DONTWAIT');
  if (sock.state === 'connecting') {
    if (nonblocking) return fail('EAGAIN', 'send: the non-blocking connect() has not finished yet.');
    const interrupted = await io.table.block(sock, 'send', () => sock.state !== 'connecting');
    if (interrupted) return interrupted;
  }
  if (sock.pendingError) return takePending(sock, 'send');
  if (sock.state !== 'connected' || !sock.conn) {
    // Linux answers EPIPE for an unconnected TCP socket and ENOTCONN for AF_UNIX (checked with Python).
    return sock.domain === 'AF_UNIX'
      ? fail('ENOTCONN', `send: descriptor ${sock.fd} is not connected; connect() first.`)
      : fail('EPIPE', `send: descriptor ${sock.fd} is not connected (${sock.state}); Linux answers EPIPE for a TCP socket that never connected.`);
  }
  if (sock.shutWr) return fail('EPIPE', 'send: this socket was shut down for writing (shutdown SHUT_WR); it can no longer send.');
  const conn = sock.conn;
  if (conn.destroyed || !conn.writable) return fail('EPIPE', 'send: the connection is gone (reset or closed); nothing more can be sent.');
  if (data.length === 0) return succeed(0);
  if (nonblocking && conn.writableLength > 0) {
    return fail('EAGAIN', `send: ${conn.writableLength} bytes of an earlier send still wait for room in the kernel's send buffer (the peer is not reading fast enough); try again later.`);
  }
  let written = false;
  let writeError: unknown = null;
  conn.write(data, (error) => {
    written = true;
    writeError = error ?? null;
    io.table.notify(sock);
  });
  sock.counters.sendCalls++;
  sock.counters.bytesSent += data.length;
  io.transcripts.append(sock.fd, 'out', data, null, callId);
  if (nonblocking) {
    const queued = conn.writableLength;
    return succeed(
      data.length,
      {},
      queued > 0 ? `${queued} of these bytes wait in Node's write queue until the kernel has room; C would have returned only the part the kernel took.` : undefined,
    );
  }
  const interrupted = await io.table.block(sock, 'send', () => written || conn.destroyed);
  if (interrupted) {
    return fail('EINTR', `${interrupted.message} The bytes stay queued in Node and will still be sent once the peer reads.`);
  }
  if (writeError) return fromNodeError(writeError, 'send');
  if (!written) return sock.pendingError ? takePending(sock, 'send') : fail('EPIPE', 'send: the connection closed before the bytes could be sent.');
  return succeed(data.length);
}

/** Starts Node reading from the kernel for this socket (on the first recv, never before). */
function ensureReading(io: StreamIo, sock: LabSocket): void {
  if (sock.reading || !sock.conn) return;
  sock.reading = true;
  sock.conn.on('readable', () => io.table.notify(sock));
}

/** What recv() can answer right now: bytes, 'eof' (0), a failure, or null when it would block. */
function readNow(sock: LabSocket, maxBytes: number, flags: MsgFlag[]): Buffer | 'eof' | CallFailure | null {
  const conn = sock.conn;
  if (!conn) return 'eof';
  const waitAll = flags.includes('MSG_WAITALL');
  const peek = flags.includes('MSG_PEEK');
  const available = conn.readableLength;
  if (available > 0 && (!waitAll || available >= maxBytes || peerClosed(sock) || sock.shutRd)) {
    const chunk = conn.read(Math.min(maxBytes, available)) as Buffer | null;
    if (chunk) {
      if (peek) conn.unshift(chunk);
      else if (!waitAll && chunk.length < maxBytes) return appendKernelBytes(sock, chunk, maxBytes);
      return chunk;
    }
  }
  if (sock.pendingError) return takePending(sock, 'recv');
  if (sock.eof || sock.shutRd || conn.destroyed) return 'eof';
  if (!peek && !waitAll) {
    const direct = appendKernelBytes(sock, Buffer.alloc(0), maxBytes);
    if (isFailure(direct) || direct === 'eof' || direct.length > 0) return direct;
  }
  // read() with an empty buffer lets Node emit 'end' once the peer's FIN was seen.
  if (available === 0 && peerClosed(sock)) conn.read(0);
  return null;
}

/**
 * C's recv returns everything the kernel holds, up to maxBytes; Node hands out at most what it
 * has read ahead (64 KiB chunks). So after Node's buffer, the rest comes straight from the
 * kernel with recv(MSG_DONTWAIT) on the same descriptor, in order (libuv then finds nothing
 * to read, which it handles). A FIN seen here marks end of stream.
 */
function appendKernelBytes(sock: LabSocket, head: Buffer, maxBytes: number): Buffer | 'eof' | CallFailure {
  const fd = handleFd(sock.conn);
  if (fd === null) return head;
  const more = sysRecvNow(fd, maxBytes - head.length);
  if (more.ok) {
    if (more.value.length === 0) {
      sock.eof = true;
      return head.length > 0 ? head : 'eof';
    }
    return head.length > 0 ? Buffer.concat([head, more.value]) : more.value;
  }
  if (more.errno === 'EAGAIN' || more.errno === 'ENOSYS' || head.length > 0) return head;
  return fail(more.errno, `recv: ${more.errno === 'ECONNRESET' ? 'the peer reset the connection (RST).' : 'the kernel reported an error.'}`);
}

/** recv(maxBytes, flags) on a stream socket: bytes, 0 at end of stream, or -1. */
export async function recvStream(
  io: StreamIo,
  sock: LabSocket,
  maxBytes: number,
  flags: MsgFlag[],
  callId: number,
): Promise<Outcome<{ data: Uint8Array }>> {
  const nonblocking = sock.nonblocking || flags.includes('MSG_DONTWAIT');
  if (sock.state !== 'connected' && sock.state !== 'connecting') {
    return fail('ENOTCONN', `recv: descriptor ${sock.fd} is not connected (${sock.state}).`);
  }
  if (maxBytes === 0) return succeed(0, { data: new Uint8Array(0) });
  ensureReading(io, sock);
  let answer = sock.state === 'connected' ? readNow(sock, maxBytes, flags) : null;
  if (answer === null) {
    if (nonblocking) return fail('EAGAIN', 'recv: no bytes are waiting and the socket is non-blocking.');
    const interrupted = await io.table.block(sock, 'recv', () => {
      if (sock.state === 'connecting') return false;
      answer = readNow(sock, maxBytes, flags);
      return answer !== null;
    });
    if (interrupted) return interrupted;
  }
  const result = answer as Buffer | 'eof' | CallFailure;
  if (isFailure(result)) return result;
  sock.counters.recvCalls++;
  if (result === 'eof') return succeed(0, { data: new Uint8Array(0) });
  if (!flags.includes('MSG_PEEK')) {
    sock.counters.bytesReceived += result.length;
    io.transcripts.append(sock.fd, 'in', result, null, callId);
  }
  return succeed(result.length, { data: result });
}

/** shutdown(how) on a stream socket. */
export function shutdownStream(io: StreamIo, sock: LabSocket, how: ShutHow): Outcome {
  if (sock.state === 'listening') {
    if (how === 'SHUT_WR') return succeed(0, {}, 'shutdown(SHUT_WR) on a listening socket does nothing, as on Linux.');
    return fail('EOPNOTSUPP', 'shutdown: Linux would stop this listener (SHUT_RD); SockLab cannot do that through Node — use close().');
  }
  if (sock.state !== 'connected' || !sock.conn) {
    return fail('ENOTCONN', `shutdown: descriptor ${sock.fd} is not connected (${sock.state}).`);
  }
  let note: string | undefined;
  if (how !== 'SHUT_WR' && !sock.shutRd) {
    sock.shutRd = true;
    // Node has no SHUT_RD; the kernel gets the real shutdown(2) on Node's descriptor.
    const fd = handleFd(sock.conn);
    const done = fd === null ? null : sysShutdown(fd, LINUX.SHUT_RD);
    note = done?.ok
      ? 'SHUT_RD sends no packet (as on Linux): recv() returns what is already buffered, then 0.'
      : 'SHUT_RD: the lab stops returning data (recv gives 0 once its buffer is empty), but the kernel could not be told; no packet is sent either way.';
  }
  if (how !== 'SHUT_RD' && !sock.shutWr) {
    sock.shutWr = true;
    sock.conn.end(); // FIN after any queued bytes
  }
  io.table.notify(sock);
  return succeed(0, {}, note);
}

/**
 * close(): frees the descriptor at once. The connection ends with FIN after queued bytes, or
 * with RST when SO_LINGER is {on, 0} or unread bytes remain (Linux resets then too).
 */
export function closeStream(sock: LabSocket): string | undefined {
  if (sock.kernelFd !== null) {
    sysClose(sock.kernelFd);
    sock.kernelFd = null;
  }
  if (sock.server) {
    const server = sock.server;
    server.close();
    server.on('error', () => undefined);
    sock.server = null;
  }
  // Connections nobody accepted are reset by the kernel when the listener closes.
  for (const pending of sock.acceptQueue.splice(0)) resetConnection(pending.conn);
  const conn = sock.conn;
  if (!conn || conn.destroyed) return undefined;
  const linger = sock.options.SO_LINGER;
  const abortive = typeof linger === 'object' && 'onoff' in linger && linger.onoff && linger.linger === 0;
  if (abortive || conn.readableLength > 0 || sock.state === 'connecting') {
    resetConnection(conn);
    return abortive
      ? 'SO_LINGER {on, 0}: the connection was reset (RST).'
      : conn.readableLength > 0
        ? 'Unread bytes were waiting, so the connection was reset (RST), as Linux does.'
        : undefined;
  }
  if (conn.writableLength > 0) {
    conn.end(() => conn.destroy());
    return 'Queued bytes are still sent, then FIN, as the kernel does after close().';
  }
  conn.destroy();
  return undefined;
}

/** Ends a connection with RST where Node can (TCP); AF_UNIX has no RST, so it just closes. */
function resetConnection(conn: NetSocket): void {
  if (conn.connecting || conn.remoteFamily === undefined) conn.destroy();
  else conn.resetAndDestroy();
}
