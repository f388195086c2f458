/**
 * The backlog is the kernel's: the lab listens and accepts on its own descriptor, so a flood of
 * connections from outside fills only the kernel's accept queue (backlog + 1 on Linux), costs the
 * lab no descriptor until accept(), and leaves the process working. Connections whose peer left
 * before accept() come out of accept() as the kernel hands them over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { call, failed, ok, openLab, steps } from '../helpers/lab';

const FLOOD = fileURLToPath(new URL('../helpers/many_connects.py', import.meta.url));
const RESERVE_CHILD = fileURLToPath(new URL('../helpers/reserve-child.ts', import.meta.url));
const openDescriptors = () => readdirSync('/proc/self/fd').length;

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

describe('a real backlog', () => {
  it('1,100 connections from outside to a backlog-5 listener: only the kernel queue waits, the process keeps working', async () => {
    const listener = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.bind', { fd: listener, address: loop4(0) }));
    ok(await call(lab, 'socket.listen', { fd: listener, backlog: 5 }));
    const port = await s.port(listener);
    const before = openDescriptors();
    const flood = spawn('python3', [FLOOD, String(port), '1100'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        flood.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        flood.once('exit', (code) => reject(new Error(`the flood ended early (${code})`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(openDescriptors() - before).toBeLessThan(10); // nothing was accepted behind the lab's back
      const view = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === listener);
      expect(view?.acceptQueue.length).toBeGreaterThan(0);
      expect(view?.acceptQueue.length).toBeLessThanOrEqual(6); // Linux queues backlog + 1

      // The process keeps working: files open, new sockets bind.
      closeSync(openSync('/dev/null', 'r'));
      const spare = await s.socket('AF_INET', 'SOCK_STREAM');
      ok(await call(lab, 'socket.bind', { fd: spare, address: loop4(0) }));
      ok(await call(lab, 'socket.close', { fd: spare }));

      ok(await call(lab, 'socket.fcntl', { fd: listener, cmd: 'F_SETFL', nonblock: true }));
      let accepted = 0;
      for (let i = 0; i < 50; i++) {
        const answer = await call(lab, 'socket.accept', { fd: listener });
        if (!answer.ok) {
          expect(failed(answer).errno).toBe('EAGAIN');
          break;
        }
        accepted++;
      }
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThanOrEqual(8);
    } finally {
      flood.stdin.end();
      flood.kill();
    }
  }, 30_000);

  it('a connection whose peer closed or reset before accept() is still accepted; recv then says so', async () => {
    const { fd: listener, port } = await s.listener();
    const gone = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: gone, address: loop4(port) }));
    ok(await call(lab, 'socket.close', { fd: gone }));
    const reset = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: reset, address: loop4(port) }));
    ok(await call(lab, 'socket.setsockopt', { fd: reset, option: 'SO_LINGER', value: { onoff: true, linger: 0 } }));
    ok(await call(lab, 'socket.close', { fd: reset }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    expect(ok(await call(lab, 'socket.recv', { fd: first, maxBytes: 10 })).ret).toBe(0); // the FIN
    const second = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    expect(failed(await call(lab, 'socket.recv', { fd: second, maxBytes: 10 })).errno).toBe('ECONNRESET');
  });

  it('keeps descriptors in reserve: socket() answers EMFILE while the process still has room for its own work', (ctx) => {
    if (spawnSync('prlimit', ['--version']).status !== 0) ctx.skip(); // util-linux prlimit is needed to lower the limit
    const limit = 300;
    const child = spawnSync('prlimit', [`--nofile=${limit}:${limit}`, process.execPath, '--import', 'tsx', RESERVE_CHILD, String(limit)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as {
      opened: number;
      errno: string;
      free: number;
      fileOpens: boolean;
    };
    expect(result.errno).toBe('EMFILE');
    expect(result.opened).toBeGreaterThan(100);
    expect(result.free).toBeGreaterThanOrEqual(60);
    expect(result.fileOpens).toBe(true);
  }, 70_000);
});
