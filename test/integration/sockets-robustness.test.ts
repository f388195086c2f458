/**
 * Nothing the lab does may crash the process: peers that reset or vanish, descriptors closed
 * under a blocked call, blocked sends cancelled. Every such case answers with an errno, and no
 * error escapes as an uncaught exception or an unhandled rejection.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, steps } from '../helpers/lab';

const escaped: unknown[] = [];
const record = (error: unknown) => escaped.push(error);
beforeAll(() => {
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
});
afterAll(() => {
  process.off('uncaughtException', record);
  process.off('unhandledRejection', record);
});

let lab: Lab;
let s: ReturnType<typeof steps>;
beforeEach(() => {
  lab = openLab();
  s = steps(lab);
});
afterEach(async () => {
  await lab.close();
  await new Promise((resolve) => setTimeout(resolve, 20)); // let late socket events arrive
  expect(escaped).toEqual([]);
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('robustness', () => {
  it('sending to a peer that reset gives ECONNRESET or EPIPE, never a crash', async () => {
    const { client, server } = await s.pair();
    ok(await call(lab, 'socket.setsockopt', { fd: server, option: 'SO_LINGER', value: { onoff: true, linger: 0 } }));
    ok(await call(lab, 'socket.close', { fd: server }));
    let answer = await call(lab, 'socket.send', { fd: client, data: bin('hello?') });
    for (let i = 0; i < 50 && answer.ok; i++) {
      await tick();
      answer = await call(lab, 'socket.send', { fd: client, data: bin('hello?') });
    }
    expect(['ECONNRESET', 'EPIPE']).toContain(failed(answer).errno);
  });

  it('closing a descriptor under a blocked recv ends that recv with EBADF', async () => {
    const { server } = await s.pair();
    const pending = call(lab, 'socket.recv', { fd: server, maxBytes: 10 });
    await tick();
    ok(await call(lab, 'socket.close', { fd: server }));
    expect(failed(await pending).errno).toBe('EBADF');
  });

  it('a blocked send (peer not reading) shows as blocked in send and can be cancelled with EINTR', async () => {
    const { client } = await s.pair();
    const big = bin(Buffer.alloc(16 * 1024 * 1024, 0x62)); // more than both kernel buffers hold
    const pending = call(lab, 'socket.send', { fd: client, data: big });
    await tick();
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === client);
    expect(info?.blockedIn).toBe('send');
    ok(await call(lab, 'socket.cancel', { fd: client }));
    const answer = failed(await pending);
    expect(answer.errno).toBe('EINTR');
    expect(answer.message).toMatch(/still be sent/);
  });

  it('a listener closed with connections still queued resets them; the client sees ECONNRESET', async () => {
    const { fd: listener, port } = await s.listener();
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } }));
    while (ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === listener)?.acceptQueue.length === 0) await tick();
    ok(await call(lab, 'socket.close', { fd: listener }));
    expect(failed(await call(lab, 'socket.recv', { fd: client, maxBytes: 10 })).errno).toBe('ECONNRESET');
  });

  it('lab.close() with calls still blocked settles them and closes cleanly', async () => {
    const { server, listener } = await s.pair();
    const recv = call(lab, 'socket.recv', { fd: server, maxBytes: 10 });
    const accept = call(lab, 'socket.accept', { fd: listener });
    await tick();
    await lab.close();
    expect(failed(await recv).errno).toBe('EBADF');
    expect(failed(await accept).errno).toBe('EBADF');
    lab = openLab();
  });
});
