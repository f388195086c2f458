/**
 * Stream sockets through the lab facade on real loopback sockets: the classic server and client
 * flows (IPv4, IPv6, AF_UNIX), half-close, RST, the common errors, non-blocking calls, cancel.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, steps, tempDir, text } from '../helpers/lab';

let lab: Lab;
let s: ReturnType<typeof steps>;
beforeEach(() => {
  lab = openLab();
  s = steps(lab);
});
afterEach(async () => {
  await lab.close();
});

const loop4 = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

describe('stream flows', () => {
  it('runs the server flow and the client flow over 127.0.0.1', async () => {
    const listener = await s.socket('AF_INET', 'SOCK_STREAM');
    expect(listener).toBe(3); // a fresh C process hands out 3 first
    ok(await call(lab, 'socket.bind', { fd: listener, address: loop4(0) }));
    const port = await s.port(listener);
    expect(port).toBeGreaterThan(0); // bind() to port 0 got an ephemeral port at once
    ok(await call(lab, 'socket.listen', { fd: listener, backlog: 8 }));
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: loop4(port) }));

    // The connection waits in the lab's accept queue until accept().
    const before = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === listener);
    expect(before?.acceptQueue.length).toBe(1);
    const accepted = ok(await call(lab, 'socket.accept', { fd: listener }));
    expect(accepted.ret).toBe(5);
    const clientPort = await s.port(client);
    expect(accepted.peer).toEqual(loop4(clientPort));

    expect(ok(await call(lab, 'socket.send', { fd: client, data: bin('GET / HTTP/1.0\r\n\r\n') })).ret).toBe(18);
    const got = ok(await call(lab, 'socket.recv', { fd: accepted.ret, maxBytes: 4 }));
    expect(text(got.data)).toBe('GET ');
    const rest = ok(await call(lab, 'socket.recv', { fd: accepted.ret, maxBytes: 100 }));
    expect(text(rest.data)).toBe('/ HTTP/1.0\r\n\r\n');
    ok(await call(lab, 'socket.send', { fd: accepted.ret, data: bin('HTTP/1.0 200 OK\r\n') }));
    expect(text(ok(await call(lab, 'socket.recv', { fd: client, maxBytes: 100 })).data)).toBe('HTTP/1.0 200 OK\r\n');

    const peer = ok(await call(lab, 'socket.getpeername', { fd: client })).address;
    expect(peer).toEqual(loop4(port));
    ok(await call(lab, 'socket.close', { fd: accepted.ret }));
    expect(ok(await call(lab, 'socket.recv', { fd: client, maxBytes: 10 })).ret).toBe(0);
    ok(await call(lab, 'socket.close', { fd: client }));
    ok(await call(lab, 'socket.close', { fd: listener }));
    expect(ok(await call(lab, 'lab.sockets', {})).value).toEqual([]);

    const info = ok(await call(lab, 'lab.transcript', { socketId: accepted.socketId })).value;
    expect(info.map((e) => e.direction)).toEqual(['in', 'in', 'out']);
  });

  it('runs both flows over ::1', async () => {
    const { fd: listener, port } = await s.listener('AF_INET6');
    const client = await s.socket('AF_INET6', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET6', address: '::1', port } }));
    const server = ok(await call(lab, 'socket.accept', { fd: listener }));
    expect(server.peer).toMatchObject({ family: 'AF_INET6', address: '::1' });
    ok(await call(lab, 'socket.send', { fd: server.ret, data: bin('v6') }));
    expect(text(ok(await call(lab, 'socket.recv', { fd: client, maxBytes: 10 })).data)).toBe('v6');
  });

  it('runs both flows over an AF_UNIX path (a directory the instructor allowed)', async () => {
    const tmp = tempDir();
    await lab.close();
    lab = openLab({ unixAllowedDirs: [tmp.dir] });
    s = steps(lab);
    try {
      const path = tmp.path('lab.sock');
      const listener = await s.socket('AF_UNIX', 'SOCK_STREAM');
      ok(await call(lab, 'socket.bind', { fd: listener, address: { family: 'AF_UNIX', path } }));
      expect(ok(await call(lab, 'socket.getsockname', { fd: listener })).address).toEqual({ family: 'AF_UNIX', path });
      ok(await call(lab, 'socket.listen', { fd: listener, backlog: 4 }));
      const client = await s.socket('AF_UNIX', 'SOCK_STREAM');
      ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_UNIX', path } }));
      const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
      ok(await call(lab, 'socket.send', { fd: client, data: bin('over a path') }));
      expect(text(ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 64 })).data)).toBe('over a path');
      // A second bind to the same path: the file exists, the kernel says EADDRINUSE.
      const other = await s.socket('AF_UNIX', 'SOCK_STREAM');
      expect(failed(await call(lab, 'socket.bind', { fd: other, address: { family: 'AF_UNIX', path } })).errno).toBe('EADDRINUSE');
    } finally {
      tmp.remove();
    }
  });
});

describe('half-close and reset', () => {
  it('half-close: recv gives 0 after the peer FIN, the other direction still works, send after SHUT_WR is EPIPE', async () => {
    const { client, server } = await s.pair();
    ok(await call(lab, 'socket.send', { fd: client, data: bin('last words') }));
    ok(await call(lab, 'socket.shutdown', { fd: client, how: 'SHUT_WR' }));
    expect(text(ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 64 })).data)).toBe('last words');
    expect(ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 64 })).ret).toBe(0);
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === server);
    expect(info?.peerClosed).toBe(true);
    ok(await call(lab, 'socket.send', { fd: server, data: bin('reply') }));
    expect(text(ok(await call(lab, 'socket.recv', { fd: client, maxBytes: 64 })).data)).toBe('reply');
    const refused = failed(await call(lab, 'socket.send', { fd: client, data: bin('more') }));
    expect(refused.errno).toBe('EPIPE');
    expect(refused.code).toBe(32);
  });

  it('close with SO_LINGER {on, 0} resets: the peer recv gives ECONNRESET', async () => {
    const { client, server } = await s.pair();
    ok(await call(lab, 'socket.setsockopt', { fd: client, option: 'SO_LINGER', value: { onoff: true, linger: 0 } }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: client, option: 'SO_LINGER' })).value).toEqual({ onoff: true, linger: 0 });
    const closed = ok(await call(lab, 'socket.close', { fd: client }));
    expect(closed.note).toMatch(/RST/);
    const reset = failed(await call(lab, 'socket.recv', { fd: server, maxBytes: 10 }));
    expect(reset.errno).toBe('ECONNRESET');
  });
});

describe('errors the OS gives', () => {
  it('EADDRINUSE at bind when another socket holds the port', async () => {
    const { port } = await s.listener();
    const second = await s.socket('AF_INET', 'SOCK_STREAM');
    const answer = failed(await call(lab, 'socket.bind', { fd: second, address: loop4(port) }));
    expect(answer.errno).toBe('EADDRINUSE');
    expect(answer.message).toContain(String(port));
  });

  it('ECONNREFUSED when nothing listens', async () => {
    const probe = await s.listener();
    ok(await call(lab, 'socket.close', { fd: probe.fd })); // a port known to be free now
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    const answer = failed(await call(lab, 'socket.connect', { fd: client, address: loop4(probe.port) }));
    expect(answer.errno).toBe('ECONNREFUSED');
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === client);
    expect(info?.state).toBe('created'); // may connect again, as on Linux
  });

  it('wrong-state calls answer as Linux does', async () => {
    const fd = await s.socket('AF_INET', 'SOCK_STREAM');
    expect(failed(await call(lab, 'socket.accept', { fd })).errno).toBe('EINVAL');
    expect(failed(await call(lab, 'socket.send', { fd, data: bin('x') })).errno).toBe('EPIPE');
    expect(failed(await call(lab, 'socket.recv', { fd, maxBytes: 1 })).errno).toBe('ENOTCONN');
    expect(failed(await call(lab, 'socket.getpeername', { fd })).errno).toBe('ENOTCONN');
    expect(failed(await call(lab, 'socket.shutdown', { fd, how: 'SHUT_WR' })).errno).toBe('ENOTCONN');
    ok(await call(lab, 'socket.bind', { fd, address: loop4(0) }));
    expect(failed(await call(lab, 'socket.bind', { fd, address: loop4(0) })).errno).toBe('EINVAL');
    ok(await call(lab, 'socket.listen', { fd, backlog: 1 }));
    expect(failed(await call(lab, 'socket.connect', { fd, address: loop4(1) })).errno).toBe('EISCONN');
    const { client } = await s.pair();
    expect(failed(await call(lab, 'socket.listen', { fd: client, backlog: 1 })).errno).toBe('EINVAL');
    expect(failed(await call(lab, 'socket.connect', { fd: client, address: loop4(1) })).errno).toBe('EISCONN');
  });

  it('listen() on an unbound inet socket binds it to an ephemeral port, as Linux does', async () => {
    const fd = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.listen', { fd, backlog: 1 }));
    expect(ok(await call(lab, 'socket.getsockname', { fd })).address).toMatchObject({ address: '0.0.0.0' });
    expect(await s.port(fd)).toBeGreaterThan(0);
  });
});

describe('non-blocking calls and cancel', () => {
  it('accept, recv and send answer EAGAIN with O_NONBLOCK', async () => {
    const { fd: listener } = await s.listener();
    const set = ok(await call(lab, 'socket.fcntl', { fd: listener, cmd: 'F_SETFL', nonblock: true }));
    expect(set.nonblock).toBe(true);
    const flags = ok(await call(lab, 'socket.fcntl', { fd: listener, cmd: 'F_GETFL' }));
    expect(flags.ret & 0o4000).toBe(0o4000);
    expect(failed(await call(lab, 'socket.accept', { fd: listener })).errno).toBe('EAGAIN');
    const { server } = await s.pair();
    expect(failed(await call(lab, 'socket.recv', { fd: server, maxBytes: 10, flags: ['MSG_DONTWAIT'] })).errno).toBe('EAGAIN');
  });

  it("connect with O_NONBLOCK: EINPROGRESS, EALREADY while in flight, 0 once done, then EISCONN (the kernel's answers)", async () => {
    const { fd: listener, port } = await s.listener();
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.fcntl', { fd: client, cmd: 'F_SETFL', nonblock: true }));
    expect(failed(await call(lab, 'socket.connect', { fd: client, address: loop4(port) })).errno).toBe('EINPROGRESS');
    let again = await call(lab, 'socket.connect', { fd: client, address: loop4(port) });
    for (let i = 0; i < 100 && !again.ok; i++) {
      expect(failed(again).errno).toBe('EALREADY');
      await new Promise((resolve) => setTimeout(resolve, 5));
      again = await call(lab, 'socket.connect', { fd: client, address: loop4(port) });
    }
    expect(ok(again).ret).toBe(0); // once, as Linux's inet_stream_connect answers
    expect(failed(await call(lab, 'socket.connect', { fd: client, address: loop4(port) })).errno).toBe('EISCONN');
    ok(await call(lab, 'socket.accept', { fd: listener }));
  });

  it('socket.cancel makes a blocked recv return EINTR, and accept too', async () => {
    const { server, listener } = await s.pair();
    const pending = call(lab, 'socket.recv', { fd: server, maxBytes: 10 });
    await new Promise((resolve) => setImmediate(resolve));
    const blocked = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === server);
    expect(blocked?.blockedIn).toBe('recv');
    const calls = ok(await call(lab, 'lab.calls', {})).value;
    expect(calls.at(-1)).toMatchObject({ call: 'recv', ret: null }); // logged as started, still blocked
    expect(ok(await call(lab, 'socket.cancel', { fd: server })).value.cancelled).toBe(true);
    const answer = failed(await pending);
    expect(answer.errno).toBe('EINTR');
    expect(answer.code).toBe(4);
    const acceptPending = call(lab, 'socket.accept', { fd: listener });
    await new Promise((resolve) => setImmediate(resolve));
    ok(await call(lab, 'socket.cancel', { fd: listener }));
    expect(failed(await acceptPending).errno).toBe('EINTR');
  });

  it("recv returns everything waiting up to maxBytes in one call, as C does (not Node's 64 KiB chunks)", async () => {
    // A large receive buffer on the listener (accepted sockets inherit it) holds all 200 000 bytes.
    const listener = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.setsockopt', { fd: listener, option: 'SO_RCVBUF', value: 4 * 1024 * 1024 }));
    ok(await call(lab, 'socket.bind', { fd: listener, address: loop4(0) }));
    ok(await call(lab, 'socket.listen', { fd: listener, backlog: 1 }));
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: loop4(await s.port(listener)) }));
    const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    ok(await call(lab, 'socket.send', { fd: client, data: bin(Buffer.alloc(200_000, 0x63)) }));
    const waiting = async () => ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === server)?.bytesWaiting ?? 0;
    while ((await waiting()) < 200_000) await new Promise((resolve) => setImmediate(resolve));
    const got = ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 1024 * 1024 }));
    expect(got.ret).toBe(200_000);
    expect(Buffer.from(got.data).equals(Buffer.alloc(200_000, 0x63))).toBe(true);
    expect(failed(await call(lab, 'socket.recv', { fd: server, maxBytes: 10, flags: ['MSG_DONTWAIT'] })).errno).toBe('EAGAIN');
  });

  it('a paused reader fills the kernel buffers until a non-blocking send gives EAGAIN', async () => {
    const { client, server } = await s.pair();
    ok(await call(lab, 'socket.fcntl', { fd: client, cmd: 'F_SETFL', nonblock: true }));
    const chunk = bin(Buffer.alloc(64 * 1024, 0x61));
    let sent = 0;
    let last: Awaited<ReturnType<typeof call<'socket.send'>>> | null = null;
    for (let i = 0; i < 2000; i++) {
      last = await call(lab, 'socket.send', { fd: client, data: chunk });
      if (!last.ok) break;
      sent += last.ret;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(last && !last.ok && last.errno).toBe('EAGAIN');
    expect(sent).toBeGreaterThan(64 * 1024);
    // The receiver sees the bytes the kernel holds for it (FIONREAD), without having read any.
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === server);
    expect(info?.bytesWaiting).toBeGreaterThan(0);
    expect(info?.counters.bytesReceived).toBe(0);
    const first = ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 1000 }));
    expect(first.ret).toBeGreaterThan(0);
  });
});
