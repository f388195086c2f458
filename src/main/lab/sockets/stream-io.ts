/**
 * Stream sockets: send, recv, shutdown, close.
 *
 * While the lab still owns the kernel socket (not connected yet, connecting, listening), each
 * call goes to the kernel on it (MSG_DONTWAIT) and answers what the kernel answers: EAGAIN while
 * the SYN is out, the refused connect's ECONNREFUSED, EPIPE/ENOTCONN when unconnected.
 *
 * Once Node owns the connection, send() first offers the bytes to the kernel itself
 * (send(2) with MSG_DONTWAIT | MSG_NOSIGNAL on the same descriptor, when Node has nothing
 * queued): the kernel's count — partial for a non-blocking send, as in C — or its errno
 * (ECONNRESET once after a reset, then EPIPE). A blocking send hands what the kernel could not
 * take yet to `socket.write()` and returns when Node has handed every byte over (the write
 * callback), so it blocks while the peer's window and our send buffer are full, as C's does.
 */
import { Socket as NetSocket } from 'node:net';
import type { MsgFlag, ShutHow } from '@shared/socket';
import { fail, fromNodeError, succeed, type CallFailure, type Outcome } from './errors';
import { releaseKernelFd, settleConnect, takePending, waitConnecting } from './stream-setup';
import { removeUnixPath } from './unix-paths';
import { LINUX, sysRecvNow, sysSendto, sysShutdown, sysTcpInfo, type LibcFailure } from '../libc';
import type { Transcripts } from './transcript';
import { handleFd, isFailure, peerClosed, type LabSocket, type SocketTable } from './table';

interface StreamIo {
  table: SocketTable;
  transcripts: Transcripts;
}

/** The kernel's failure for a call on a stream, with a plain sentence for the usual ones. */
function kernelSaid(failure: LibcFailure, call: string): CallFailure {
  const why: Partial<Record<string, string>> = {
    EAGAIN: 'the kernel has no room (or the connection is not up yet) and the call is non-blocking.',
    ECONNRESET: 'the peer reset the connection (RST).',
    EPIPE: 'the connection can no longer send (it never connected, was shut down, or was reset).',
  };
  const sentence = why[failure.errno];
  return fail(failure.errno, sentence ? `${call}: ${sentence}` : failure.message.replace(/^[^:]+:/, `${call}:`));
}

function recordSent(io: StreamIo, sock: LabSocket, data: Buffer, callId: number): void {
  sock.counters.sendCalls++;
  sock.counters.bytesSent += data.length;
  io.transcripts.append(sock.fd, 'out', data, null, callId);
}

/** send(data, flags) on a stream socket. */
export async function sendStream(io: StreamIo, sock: LabSocket, data: Buffer, flags: MsgFlag[], callId: number): Promise<Outcome> {
  const nonblocking = sock.nonblocking || flags.includes('MSG_DONTWAIT');
  const DONTWAIT = LINUX.MSG_DONTWAIT | LINUX.MSG_NOSIGNAL;
  settleConnect(sock, io.table);
  if (sock.kernelFd !== null) {
    const sent = sysSendto(sock.kernelFd, data, DONTWAIT, null);
    if (!sent.ok && sent.errno === 'EAGAIN' && sock.state === 'connecting' && !nonblocking) {
      const interrupted = await waitConnecting(sock, io.table, 'send');
      return interrupted ?? sendStream(io, sock, data, flags, callId);
    }
    if (!sent.ok) return kernelSaid(sent, 'send');
    recordSent(io, sock, data.subarray(0, sent.value), callId);
    return succeed(sent.value);
  }
  if (sock.pendingError) return takePending(sock, 'send');
  const conn = sock.conn;
  if (sock.shutWr) return fail('EPIPE', 'send: this socket was shut down for writing (shutdown SHUT_WR); it can no longer send.');
  if (!conn || conn.destroyed || !conn.writable)
    return fail('EPIPE', 'send: the connection is gone (reset or closed); nothing more can be sent.');
  if (data.length === 0) return succeed(0);
  if (conn.writableLength > 0 && nonblocking) {
    return fail(
      'EAGAIN',
      `send: ${conn.writableLength} bytes of an earlier send still wait for room in the kernel's send buffer (the peer is not reading fast enough); try again later.`,
    );
  }
  // Node has nothing queued: the kernel takes what fits now and says how much (or why not).
  let taken = 0;
  const fd = handleFd(conn);
  if (conn.writableLength === 0 && fd !== null) {
    const sent = sysSendto(fd, data, DONTWAIT, null);
    if (sent.ok) taken = sent.value;
    else if (sent.errno !== 'EAGAIN') return kernelSaid(sent, 'send');
    else if (nonblocking) return kernelSaid(sent, 'send');
  }
  if (taken === data.length || nonblocking) {
    recordSent(io, sock, data.subarray(0, taken), callId);
    return succeed(taken);
  }
  let written = false;
  let writeError: unknown = null;
  conn.write(data.subarray(taken), (error) => {
    written = true;
    writeError = error ?? null;
    io.table.notify(sock);
  });
  recordSent(io, sock, data, callId);
  const interrupted = await io.table.block(sock, 'send', () => written || conn.destroyed);
  if (interrupted) {
    return fail('EINTR', `${interrupted.message} The bytes stay queued in Node and will still be sent once the peer reads.`);
  }
  if (writeError) return fromNodeError(writeError, 'send');
  if (!written)
    return sock.pendingError ? takePending(sock, 'send') : fail('EPIPE', 'send: the connection closed before the bytes could be sent.');
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
      if (peek) conn.unshift(chunk); // Node's read-ahead goes back, then the kernel's bytes are peeked
      if (!waitAll && chunk.length < maxBytes) return appendKernelBytes(sock, chunk, maxBytes, peek);
      return chunk;
    }
  }
  if (sock.pendingError) return takePending(sock, 'recv');
  if (sock.eof || sock.shutRd || conn.destroyed) return 'eof';
  if (!waitAll) {
    const direct = appendKernelBytes(sock, Buffer.alloc(0), maxBytes, peek);
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
 * to read, which it handles); with MSG_PEEK the kernel's bytes are peeked and stay there.
 * A FIN seen here marks end of stream.
 */
function appendKernelBytes(sock: LabSocket, head: Buffer, maxBytes: number, peek = false): Buffer | 'eof' | CallFailure {
  const fd = handleFd(sock.conn);
  if (fd === null) return head;
  const more = sysRecvNow(fd, maxBytes - head.length, peek ? LINUX.MSG_PEEK : 0);
  if (more.ok) {
    if (more.value.length === 0) {
      sock.eof = true;
      return head.length > 0 ? head : 'eof';
    }
    return head.length > 0 ? Buffer.concat([head, more.value]) : more.value;
  }
  if (more.errno === 'EAGAIN' || more.errno === 'ENOSYS' || head.length > 0) return head;
  return fail(
    more.errno,
    `recv: ${more.errno === 'ECONNRESET' ? 'the peer reset the connection (RST).' : 'the kernel reported an error.'}`,
  );
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
  settleConnect(sock, io.table);
  if (sock.kernelFd !== null) {
    // Not connected (yet): the kernel answers (EAGAIN while the SYN is out, ENOTCONN, ECONNREFUSED).
    const got = sysRecvNow(sock.kernelFd, maxBytes, flags.includes('MSG_PEEK') ? LINUX.MSG_PEEK : 0);
    if (!got.ok && got.errno === 'EAGAIN' && sock.state === 'connecting' && !nonblocking) {
      const interrupted = await waitConnecting(sock, io.table, 'recv');
      return interrupted ?? recvStream(io, sock, maxBytes, flags, callId);
    }
    if (!got.ok) return kernelSaid(got, 'recv');
    sock.counters.recvCalls++;
    return succeed(got.value.length, { data: got.value });
  }
  if (maxBytes === 0) return succeed(0, { data: new Uint8Array(0) });
  ensureReading(io, sock);
  let answer = readNow(sock, maxBytes, flags);
  if (answer === null) {
    if (nonblocking) return fail('EAGAIN', 'recv: no bytes are waiting and the socket is non-blocking.');
    const interrupted = await io.table.block(sock, 'recv', () => {
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
  settleConnect(sock, io.table);
  if (sock.kernelFd !== null) {
    // The lab's own descriptor (unconnected, connecting, listening): the kernel decides.
    const done = sysShutdown(sock.kernelFd, LINUX[how]);
    if (!done.ok) return kernelSaid(done, 'shutdown');
    const info = sock.state === 'listening' && sock.domain !== 'AF_UNIX' ? sysTcpInfo(sock.kernelFd) : null;
    const TCP_LISTEN = 10;
    if (info?.ok && info.value.state !== TCP_LISTEN) {
      sock.state = 'bound'; // SHUT_RD stopped the listener: its queued connections were reset
      sock.acceptQueue = [];
    }
    io.table.notify(sock);
    return succeed(0);
  }
  if (sock.state !== 'connected' || !sock.conn) {
    return fail('ENOTCONN', `shutdown: descriptor ${sock.fd} is not connected (${sock.state}).`);
  }
  if (connectionClosed(sock)) {
    return fail(
      'ENOTCONN',
      `shutdown: the connection on descriptor ${sock.fd} is closed already (the peer reset it); there is nothing to shut down.`,
    );
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

/** Whether the kernel has closed this TCP connection (a reset: TCP_CLOSE), as shutdown(2) sees it. */
function connectionClosed(sock: LabSocket): boolean {
  const fd = handleFd(sock.conn);
  if (fd === null) return sock.conn?.destroyed === true;
  if (sock.domain === 'AF_UNIX') return false;
  const info = sysTcpInfo(fd);
  const TCP_CLOSE = 7;
  return info.ok && info.value.state === TCP_CLOSE;
}

/**
 * close(): frees the descriptor. A descriptor the lab owns (a listener, a socket not connected
 * yet) is closed with close(2) — the kernel resets the connections still queued on a listener;
 * the promise settles once no worker thread polls it any more. A connection Node owns ends with
 * FIN after queued bytes, or with RST when SO_LINGER is {on, 0} or unread bytes remain (Linux
 * resets then too). A socket file the lab's bind() created is unlinked.
 */
export function closeStream(sock: LabSocket): Promise<string | undefined> | string | undefined {
  removeUnixPath(sock);
  sock.acceptQueue = [];
  const released = releaseKernelFd(sock);
  const note = closeConnection(sock);
  return released ? released.then(() => note) : note;
}

function closeConnection(sock: LabSocket): string | undefined {
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
