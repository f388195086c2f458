/**
 * The capture process and the ring store under trouble: a store that is full drops the oldest
 * packets and counts them; a capture process that dies is reported in the status and capture
 * starts again; a capture process without CAP_NET_RAW answers EPERM with the setcap line; a
 * lab without a capture process still answers every route.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureStatus } from '@shared/capture';
import { createCaptureArea } from '../../src/main/lab/capture/area';
import { PacketStore } from '../../src/main/lab/capture/store';
import { captureEntry, type CaptureLauncher } from '../../src/main/lab/capture/launcher';
import { capturePermissionHint } from '../../src/main/lab/capture/errors';
import { NO_NET, DEFAULT_OPTIONS, type LabContext } from '../../src/main/lab/context';
import { createLab } from '../../src/main/lab/index';
import { createSocketArea } from '../../src/main/lab/sockets/area';
import type { CaptureArea } from '../../src/main/lab/areas';
import { call, failed, ok } from '../helpers/lab';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A real capture area (with a real socket area) and the statuses it pushed. */
function area(options: Parameters<typeof createCaptureArea>[2] = {}) {
  const statuses: CaptureStatus[] = [];
  const ctx: LabContext = {
    options: DEFAULT_OPTIONS,
    tcpStates: new Map(),
    ownPorts: new Set(),
    net: NO_NET,
    emit: (name, payload) => {
      if (name === 'capture.status') statuses.push(payload as CaptureStatus);
    },
  };
  const sockets = createSocketArea(ctx);
  const capture = createCaptureArea(ctx, sockets.view, options);
  cleanups.push(async () => {
    await capture.close();
    await sockets.close();
  });
  return { capture, statuses };
}

/** Sends `count` UDP datagrams to 127.0.0.1:port with plain node:dgram. */
async function flood(port: number, count: number): Promise<void> {
  const socket = createSocket('udp4');
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => socket.send(`datagram ${i}`, port, '127.0.0.1', () => resolve()));
  socket.close();
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 400 && !(await check()); tries++) await new Promise((resolve) => setTimeout(resolve, 25));
}

async function status(capture: CaptureArea): Promise<CaptureStatus> {
  return ok(await capture.handlers['capture.status']({})).value;
}

describe('the ring store', () => {
  it('drops the oldest packets when full, counts them, and keeps frame numbers', async () => {
    const { capture } = area({ maxPackets: 5 });
    const port = 47000 + (process.pid % 1000);
    ok(await capture.handlers['capture.start']({ iface: 'lo', filter: `udp dst port ${port}`, bufferMB: 64 }));
    await flood(port, 20);
    await until(async () => (await status(capture)).packets >= 20);
    const held = ok(await capture.handlers['capture.stop']({})).value;
    expect(held).toMatchObject({ packets: 20, held: 5, evicted: 15 });
    const rows = ok(await capture.handlers['capture.rows']({ offset: 0, limit: 100, filter: '', socketId: null })).value;
    expect(rows.rows.map((r) => r.no)).toEqual([16, 17, 18, 19, 20]);
    const gone = failed(await capture.handlers['capture.packet']({ no: 3 }));
    expect(gone.message).toContain('16–20');
  });
});

describe('the ring store alone', () => {
  it('keeps every held packet byte-exact through growth, wrap-around and eviction by count and bytes', () => {
    const store = new PacketStore({ maxPackets: 3000, maxBytes: 1_000_000 });
    const frame = (i: number) => Uint8Array.from({ length: 20 + ((i * 37) % 1500) }, (_, k) => (i + k) & 0xff);
    let bytes = 0;
    for (let i = 1; i <= 8_000; i++) {
      expect(store.append(i, 1000 + i, frame(i).length + 4, 1, frame(i))).toBe(i);
      bytes += frame(i).length;
    }
    expect(store.nextNo).toBe(8_001);
    expect(store.held).toBeLessThanOrEqual(3000);
    expect(store.heldBytes).toBeLessThanOrEqual(1_000_000);
    expect(store.evicted + store.held).toBe(8_000);
    for (const packet of store.packets()) {
      expect(packet.monoUs).toBe(packet.no);
      expect(packet.tsUs).toBe(1000 + packet.no);
      expect(packet.len).toBe(packet.data.length + 4);
      expect(Buffer.from(packet.data).equals(Buffer.from(frame(packet.no)))).toBe(true);
    }
    expect(store.get(store.firstNo - 1)).toBeNull();
    // Chunks of evicted packets are freed: the store holds little more than its packets' bytes.
    expect(store.footprintBytes()).toBeLessThan(store.heldBytes + 3 * 4 * 1024 * 1024 + 3000 * 34 * 2);
    expect(bytes).toBeGreaterThan(store.heldBytes);
    store.clear();
    expect([store.held, store.evicted, store.nextNo]).toEqual([0, 0, 1]);
  });
});

describe('the capture process', () => {
  it('reports its death in the status, and capture starts again in a new process', async () => {
    const { capture, statuses } = area();
    const port = 48000 + (process.pid % 1000);
    ok(await capture.handlers['capture.start']({ iface: 'lo', filter: `udp dst port ${port}`, bufferMB: 64 }));
    const children = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'capture/worker'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
    expect(children.length).toBe(1);
    process.kill(children[0], 'SIGKILL');
    await until(async () => (await status(capture)).error !== null);
    const dead = await status(capture);
    expect(dead.running).toBe(false);
    expect(dead.error).toContain('killed by SIGKILL');
    expect(statuses.at(-1)?.error).toBe(dead.error);

    const again = ok(await capture.handlers['capture.start']({ iface: 'lo', filter: `udp dst port ${port}`, bufferMB: 64 })).value;
    expect(again).toMatchObject({ running: true, error: null });
    await flood(port, 3);
    await until(async () => (await status(capture)).packets >= 3);
    expect((await status(capture)).packets).toBe(3);
  });

  it('without CAP_NET_RAW answers EPERM with the least-privilege command, never setcap on SockLab, and the lab goes on', async () => {
    const entry = captureEntry();
    expect(entry).not.toBeNull();
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    // The real worker, started with capture rights removed from its bounding set.
    const unprivileged: CaptureLauncher = (path) => {
      const child = spawn('setpriv', ['--bounding-set', '-net_raw,-net_admin', process.execPath, '--import', tsx, path], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      return {
        send: (message) => child.connected && child.send(message) && undefined,
        onMessage: (listener) => child.on('message', listener),
        onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
        onStderr: (listener) => child.stderr?.on('data', (data) => listener(String(data))),
        kill: () => child.kill(),
      };
    };
    const { capture } = area({ launcher: unprivileged });
    const answer = failed(await capture.handlers['capture.start']({ iface: 'lo', filter: '', bufferMB: 64 }));
    expect(answer.errno).toBe('EPERM');
    expect(answer.message).toContain(`Run: ${capturePermissionHint()}`);
    expect(answer.message).not.toContain('setcap');
    const after = await status(capture);
    expect(after.running).toBe(false);
    expect(after.permissionHint).toBe(capturePermissionHint());
    // The process survived the failed open (no close() after a failed open): it still answers.
    const list = ok(await capture.handlers['capture.interfaces']({}));
    expect(list.value.length).toBeGreaterThan(0);
  });

  it('a lab created without capture answers every capture route', async () => {
    const lab = createLab({ captureLauncher: 'none' });
    cleanups.push(() => lab.close());
    expect(failed(await call(lab, 'capture.interfaces', {})).errno).toBe('ENOSYS');
    expect(ok(await call(lab, 'capture.status', {})).value).toMatchObject({ running: false, held: 0, error: null });
    expect(ok(await call(lab, 'capture.rows', { offset: 0, limit: 10 })).value).toEqual({ total: 0, pending: 0, rows: [] });
    expect(failed(await call(lab, 'capture.rows', { offset: 0, limit: 10, filter: 'tcp.port ==' })).message).toContain(
      'Display filter error',
    );
    expect(ok(await call(lab, 'capture.checkFilter', { filter: 'tcp.port == 80' })).value).toEqual({
      valid: true,
      error: null,
      position: null,
    });
    expect(ok(await call(lab, 'capture.checkFilter', { filter: 'tcp.port == ' })).value.valid).toBe(false);
    expect(failed(await call(lab, 'capture.packet', { no: 1 })).message).toContain('no packets are held');
    expect(failed(await call(lab, 'capture.follow', { no: 1 })).errno).toBe('EINVAL');
    expect(ok(await call(lab, 'capture.stop', {})).value.running).toBe(false);
    const empty = ok(await call(lab, 'capture.export', {})).value.pcapng;
    expect(Buffer.from(empty).length).toBeGreaterThan(0);
  });
});
