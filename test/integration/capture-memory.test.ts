/**
 * The store lets go: after Clear, the process holding the store (here the test process, where
 * createLab runs as main does) returns near its size before the capture, instead of keeping the
 * cleared packets' memory (issue 10 measured 1.1-1.3 GB kept with 155 packets held). Root only.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { call, ok } from '../helpers/lab';

const root = process.getuid?.() === 0;
if (!root) console.warn('capture-memory test skipped: needs root to capture');

let lab: Lab;
beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
});
afterAll(() => lab.close());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

/**
 * Sends `count` datagrams of `size` bytes from a separate Node process (200 in flight at a time),
 * so that the only memory this process gains is the lab's.
 */
async function flood(port: number, count: number, size: number): Promise<void> {
  const script = `
    const socket = require('node:dgram').createSocket('udp4');
    const payload = Buffer.alloc(${size}, 0x5a);
    (async () => {
      for (let sent = 0; sent < ${count}; sent += 200) {
        await Promise.all(Array.from({ length: Math.min(200, ${count} - sent) }, () => new Promise((resolve) => socket.send(payload, ${port}, '127.0.0.1', resolve))));
      }
      socket.close();
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
}

describe.skipIf(!root)('the ring store after Clear', () => {
  it('returns the memory of the cleared packets', async () => {
    const port = 44000 + (process.pid % 1000);
    ok(await call(lab, 'capture.start', { iface: 'lo', filter: `udp dst port ${port}`, bufferMB: 64 }));
    await wait(200);
    const idle = rssMB();
    await flood(port, 80_000, 1400);
    for (let tries = 0; tries < 200 && ok(await call(lab, 'capture.status', {})).value.packets < 60_000; tries++) await wait(25);
    const held = ok(await call(lab, 'capture.status', {})).value;
    const full = rssMB();
    // About 110 MB of packets held (some may be lost on a loaded machine).
    expect(held.held).toBeGreaterThan(60_000);
    expect(full - idle).toBeGreaterThan(60);
    const cleared = ok(await call(lab, 'capture.clear', {})).value;
    expect(cleared.held).toBeLessThan(100);
    // Before, the cleared chunks stayed until V8 happened to collect (an idle lab never does).
    // V8 keeps some heap it grew while decoding, so the bound is 60 % of what the packets took (without the
    // release about 80 % stays), reached within two seconds.
    const gained = full - idle;
    let kept = rssMB() - idle;
    for (let tries = 0; tries < 20 && kept >= gained * 0.6; tries++) {
      await wait(100);
      kept = rssMB() - idle;
    }
    console.log(`capture-memory: idle ${idle.toFixed(0)} MB, full ${full.toFixed(0)} MB, kept after Clear ${kept.toFixed(0)} MB`);
    expect(kept).toBeLessThan(gained * 0.6);
    ok(await call(lab, 'capture.stop', {}));
  }, 60_000);
});
