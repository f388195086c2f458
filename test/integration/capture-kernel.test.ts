/**
 * SockLab's capture against tcpdump and tshark on the same traffic on lo: packet counts,
 * original lengths beyond a small snaplen, kernel timestamps (nanoseconds), kernel drops (the
 * status, and the Interface Statistics Block of an export), and a failed start that leaves
 * nothing open in the capture process. Root only (capture); tcpdump/tshark/capinfos skip
 * visibly when absent.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureStatus } from '@shared/capture';
import { createLab, type Lab } from '../../src/main/lab/index';
import { call, failed, ok } from '../helpers/lab';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const root = process.getuid?.() === 0;
const tools = has('tcpdump') && has('tshark') && has('capinfos');
const why = !root ? 'needs root to capture' : !tools ? 'needs tcpdump, tshark and capinfos' : '';
if (why) console.warn(`capture-kernel tests skipped: ${why}`);

let lab: Lab;
let dir: string;
beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
  dir = mkdtempSync(join(tmpdir(), 'socklab-kernel-'));
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(): Promise<CaptureStatus> {
  return ok(await call(lab, 'capture.status', {})).value;
}

/** Polls (bounded) until `check` holds or about 10 s passed. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 400 && !(await check()); tries++) await wait(25);
}

/** Sends datagrams of the given sizes to 127.0.0.1:port, each send awaited (nothing lost in Node). */
async function sendAll(port: number, sizes: readonly number[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const [i, size] of sizes.entries()) {
    const payload = Buffer.alloc(size, i & 0xff);
    await new Promise<void>((resolve, reject) => socket.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  }
  socket.close();
}

/** tcpdump writing `file`, started and listening when the promise settles. */
async function tcpdump(args: string[]): Promise<{ child: ChildProcess; stop: () => Promise<string> }> {
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '--time-stamp-precision=nano', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.on('data', (chunk) => (said += String(chunk)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let tries = 0; tries < 200 && !said.includes('listening on'); tries++) await wait(25);
  const stop = async () => {
    child.kill('SIGINT');
    await Promise.race([exited, wait(5000)]);
    return said;
  };
  return { child, stop };
}

/** frame.len, frame.cap_len and frame.time_epoch (as exact nanoseconds) of every packet of a file. */
function tsharkFrames(file: string): { len: number; caplen: number; ns: bigint }[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  if (out === '') return [];
  return out.split('\n').map((line) => {
    const [len, caplen, epoch] = line.split('\t');
    const [sec, frac = ''] = epoch.split('.');
    return { len: Number(len), caplen: Number(caplen), ns: BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9)) };
  });
}

/** Writes the lab's pcapng export of every held packet to `name` in the test directory. */
async function exportTo(name: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, ok(await call(lab, 'capture.export', {})).value.pcapng);
  return file;
}

/** The options of the first Interface Statistics Block of a little-endian pcapng file. */
function statisticsOf(file: string): Map<number, bigint> {
  const bytes = readFileSync(file);
  const options = new Map<number, bigint>();
  for (let at = 0; at + 12 <= bytes.length;) {
    const type = bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    if (type === 5) {
      for (let o = at + 20; o + 4 <= at + length - 4;) {
        const code = bytes.readUInt16LE(o);
        const size = bytes.readUInt16LE(o + 2);
        if (code === 0) break;
        if (size === 8) options.set(code, bytes.readBigUInt64LE(o + 4));
        o += 4 + ((size + 3) & ~3);
      }
      return options;
    }
    if (length < 12) break;
    at += length;
  }
  return options;
}

/** The capture process (the lab's only child running the worker). */
function captureProcess(): number {
  const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'capture/worker'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number);
  expect(pids).toHaveLength(1);
  return pids[0];
}

describe.skipIf(why !== '')('capture against tcpdump and tshark on lo', () => {
  it('sees the same UDP burst as tcpdump: counts, original lengths past a small snaplen, kernel times', async () => {
    const port = 41000 + (process.pid % 1000);
    const filter = `udp dst port ${port}`;
    ok(await call(lab, 'capture.start', { iface: 'lo', filter, snaplen: 128 }));
    const reference = join(dir, 'tcpdump.pcapng');
    const dump = await tcpdump(['-s', '128', '-w', reference, filter]);
    // Small datagrams, and datagrams far longer than the snaplen.
    const sizes = Array.from({ length: 400 }, (_, i) => (i % 20 === 0 ? 3000 : 40 + (i % 7)));
    await sendAll(port, sizes);
    await until(async () => (await status()).packets >= sizes.length);
    // tcpdump -w reads the kernel ring in 1 s blocks and drops what it holds on SIGINT.
    await wait(1500);
    const said = await dump.stop();
    const stopped = ok(await call(lab, 'capture.stop', {})).value;
    expect(stopped.packets).toBe(sizes.length);
    expect(stopped.dropped).toBe(0);

    const ours = tsharkFrames(await exportTo('socklab.pcapng'));
    const theirs = tsharkFrames(reference);
    expect(said, said).toContain(`${sizes.length} packets captured`);
    expect(ours).toHaveLength(theirs.length);
    expect(ours.map((f) => f.len)).toEqual(theirs.map((f) => f.len));
    expect(ours.map((f) => f.caplen)).toEqual(theirs.map((f) => f.caplen));
    // 3000-byte payloads: 3042 bytes on the wire, 128 kept.
    expect(ours[0]).toMatchObject({ len: 3042, caplen: 128 });
    // Both stamps are the kernel's for the same packet: equal within 1 ms (measured: equal).
    const gaps = ours.map((f, i) => Number(f.ns - theirs[i].ns));
    expect(Math.max(...gaps.map(Math.abs))).toBeLessThan(1_000_000);
    // Nanosecond stamps: not all of them end in 000 as microsecond stamps would.
    expect(ours.some((f) => f.ns % 1000n !== 0n)).toBe(true);

    const info = execFileSync('capinfos', [join(dir, 'socklab.pcapng')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(info).toMatch(/Time precision = nanoseconds \(9\)/);
    expect(info).toMatch(/Capture length = 128/);
    expect(info).toMatch(/Number of stat entries = 1/);
  });

  it('counts kernel drops when the capture process falls behind, as tcpdump does, and exports them', async () => {
    const port = 42000 + (process.pid % 1000);
    const filter = `udp dst port ${port}`;
    ok(await call(lab, 'capture.start', { iface: 'lo', filter, bufferMB: 1 }));
    const dump = await tcpdump(['-B', '1024', '-w', join(dir, 'drops.pcap'), filter]);
    const worker = captureProcess();
    // Both readers frozen: the kernel ring (1 MiB each) fills and the kernel drops the rest.
    process.kill(worker, 'SIGSTOP');
    dump.child.kill('SIGSTOP');
    const sent = 4000;
    try {
      await sendAll(
        port,
        Array.from({ length: sent }, () => 1000),
      );
    } finally {
      process.kill(worker, 'SIGCONT');
      dump.child.kill('SIGCONT');
    }
    await wait(1500);
    let previous = -1;
    await until(async () => {
      const now = await status();
      const settled = now.packets === previous && now.dropped > 0;
      previous = now.packets;
      return settled;
    });
    const said = await dump.stop();
    const final = ok(await call(lab, 'capture.stop', {})).value;
    expect(final.packets).toBeLessThan(sent);
    expect(final.dropped).toBeGreaterThan(0);
    // Every datagram was either captured or counted as dropped (on lo the kernel may count a
    // packet's outgoing copy too, so the sum can exceed what was sent, never fall short).
    expect(final.packets + final.dropped).toBeGreaterThanOrEqual(sent);
    const tcpdumpDropped = Number(/(\d+) packets? dropped by kernel/.exec(said)?.[1] ?? -1);
    const tcpdumpCaptured = Number(/(\d+) packets? captured/.exec(said)?.[1] ?? -1);
    expect(tcpdumpDropped).toBeGreaterThan(0);
    expect(tcpdumpCaptured + tcpdumpDropped).toBeGreaterThanOrEqual(sent);

    const file = await exportTo('drops.pcapng');
    expect(tsharkFrames(file)).toHaveLength(final.packets);
    const isb = statisticsOf(file);
    expect(isb.get(7)).toBe(BigInt(final.dropped)); // isb_osdrop
    expect(isb.get(5)).toBe(BigInt(final.ifDropped)); // isb_ifdrop
    expect(isb.get(8)).toBe(BigInt(final.packets)); // isb_usrdeliv
  });

  it('a capture start whose filter fails leaves no socket and no ring behind in the capture process', async () => {
    // A first capture so the process runs, then measure it idle.
    ok(await call(lab, 'capture.start', { iface: 'lo', filter: 'udp port 9' }));
    ok(await call(lab, 'capture.stop', {}));
    const pid = captureProcess();
    const fds = () => readdirSync(`/proc/${pid}/fd`).length;
    const rssMB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    await wait(50);
    const before = { fds: fds(), rss: rssMB() };
    for (let i = 0; i < 6; i++) {
      const answer = failed(await call(lab, 'capture.start', { iface: 'lo', filter: 'tcp prot 80', bufferMB: 256 }));
      expect(answer.message).toContain('syntax error');
    }
    await wait(50);
    // Before the fix each failed start kept a packet socket (one descriptor) and its ring.
    expect(fds()).toBe(before.fds);
    expect(rssMB() - before.rss).toBeLessThan(64);
    // The process still captures.
    const port = 43000 + (process.pid % 1000);
    ok(await call(lab, 'capture.start', { iface: 'lo', filter: `udp dst port ${port}` }));
    await sendAll(port, [10, 10, 10]);
    await until(async () => (await status()).packets >= 3);
    expect((await status()).packets).toBe(3);
    ok(await call(lab, 'capture.stop', {}));
    expect(fds()).toBe(before.fds);
  });

  it('still offers immediate mode (per-packet delivery) as an option', async () => {
    const port = 45000 + (process.pid % 1000);
    ok(await call(lab, 'capture.start', { iface: 'lo', filter: `udp dst port ${port}`, immediate: true }));
    await sendAll(port, [10, 20, 30]);
    await until(async () => (await status()).packets >= 3);
    const rows = ok(await call(lab, 'capture.rows', { offset: 0, limit: 10 })).value.rows;
    expect(rows.map((r) => r.len)).toEqual([52, 62, 72]);
    ok(await call(lab, 'capture.stop', {}));
  });
});
