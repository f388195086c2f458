/**
 * Live capture on `lo` through the lab facade, with the real capture process (forked Node,
 * libpcap through cap): a lab TCP handshake shows as SYN, SYN-ACK, ACK with the right ports
 * and descriptors; a bad BPF filter answers libpcap's message; stop and start again works;
 * export is read back by tshark with the same packets and times; import shows them again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacketRow } from '@shared/capture';
import { createLab, type Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, socketIdOf, steps } from '../helpers/lab';

let lab: Lab;
const dir = mkdtempSync(join(tmpdir(), 'socklab-capture-'));

beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until the capture holds at least `count` packets matching `filter`, then returns them. */
async function rowsWhen(count: number, filter = ''): Promise<PacketRow[]> {
  for (let tries = 0; tries < 200; tries++) {
    const answer = ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter }));
    if (answer.value.total >= count) return answer.value.rows;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter })).value.rows;
}

describe('capture on lo', () => {
  it('lists interfaces with loopback first and its addresses', async () => {
    const list = ok(await call(lab, 'capture.interfaces', {})).value;
    expect(list[0].name).toBe('lo');
    expect(list[0].loopback).toBe(true);
    expect(list[0].up).toBe(true);
    expect(list[0].addresses.map((a) => a.address)).toContain('127.0.0.1');
  });

  it('shows a lab TCP handshake as SYN, SYN-ACK, ACK with the right ports and descriptors', async () => {
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    const started = ok(await call(lab, 'capture.start', { iface: 'lo', filter: `tcp port ${port}` })).value;
    expect(started.running).toBe(true);
    expect(started.linkType).toBe(1);
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } }));
    const clientPort = await s.port(client);
    const rows = await rowsWhen(3);
    const [syn, synAck, ack] = rows;
    expect(syn.info).toContain(`${clientPort} → ${port} [SYN]`);
    expect(syn.mark).toBe('syn');
    expect(synAck.info).toContain(`${port} → ${clientPort} [SYN, ACK]`);
    expect(ack.info).toContain(`${clientPort} → ${port} [ACK]`);
    expect(rows.slice(0, 3).map((r) => r.no)).toEqual([1, 2, 3]);
    // The client is tied by its 4-tuple; the handshake reaches the listener (not accepted yet).
    // Sender first (docs/ladder.md), and connect() sent it.
    expect(syn.fds).toEqual([client, listener]);
    expect(syn.cause).toBe('call');
    expect(syn.monoUs).toBeGreaterThan(0);

    // The same packets through a display filter and a socket filter.
    const synOnly = ok(await call(lab, 'capture.rows', { offset: 0, limit: 10, filter: 'tcp.flags.syn == 1 && tcp.flags.ack == 0' })).value;
    expect(synOnly.total).toBe(1);
    expect(synOnly.pending).toBe(0);
    expect(synOnly.rows[0].no).toBe(syn.no);
    const ofClient = ok(await call(lab, 'capture.rows', { offset: 0, limit: 10, socketId: await socketIdOf(lab, client) })).value;
    expect(ofClient.total).toBeGreaterThanOrEqual(3);

    // One packet opened: bytes and the field tree with byte ranges.
    const detail = ok(await call(lab, 'capture.packet', { no: syn.no })).value;
    expect(Buffer.from(detail.data).length).toBe(syn.caplen);
    const names = JSON.stringify(detail.tree);
    expect(names).toContain('"tcp.srcport"');

    // Data both ways, then follow the stream.
    const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    ok(await call(lab, 'socket.send', { fd: client, data: bin('hello server') }));
    ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 100 }));
    ok(await call(lab, 'socket.send', { fd: server, data: bin('hello client') }));
    ok(await call(lab, 'socket.recv', { fd: client, maxBytes: 100 }));
    await rowsWhen(1, 'tcp.len > 0 && tcp.srcport == ' + port);
    const stream = ok(await call(lab, 'capture.follow', { no: syn.no })).value;
    expect(stream.protocol).toBe('tcp');
    const text = stream.segments.map((seg) => `${seg.direction}:${Buffer.from(seg.data).toString()}`);
    expect(text).toEqual(['a-to-b:hello server', 'b-to-a:hello client']);

    const stopped = ok(await call(lab, 'capture.stop', {})).value;
    expect(stopped.running).toBe(false);
    expect(stopped.held).toBe(stopped.packets);
  });

  it('exports pcapng that tshark reads with the same packets, lengths and times', async () => {
    const held = ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000 })).value;
    expect(held.total).toBeGreaterThanOrEqual(3);
    const pcapng = ok(await call(lab, 'capture.export', {})).value.pcapng;
    const file = join(dir, 'export.pcapng');
    writeFileSync(file, Buffer.from(pcapng));
    const lines = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.time_epoch', '-e', 'tcp.srcport'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n');
    expect(lines.length).toBe(held.total);
    lines.forEach((line, i) => {
      const [len, epoch] = line.split('\t');
      expect(Number(len)).toBe(held.rows[i].len);
      // tshark prints nanoseconds (if_tsresol 9): whole microseconds must be the row's.
      const [sec, frac] = epoch.split('.');
      expect(Number(sec) * 1e6 + Math.floor(Number(frac.padEnd(9, '0')) / 1000)).toBe(held.rows[i].tsUs);
    });

    // Each packet a call caused names that call, as the ladder does; the file names the session.
    const comments = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.flags.str', '-e', 'frame.comment'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    const synComment = comments.find(([flags]) => flags?.includes('S') && !flags.includes('A'))?.[1] ?? '';
    expect(synComment).toMatch(/^connect\(\d+, 127\.0\.0\.1:\d+\) = 0 → fd \d+, fd \d+ \(SockLab call #\d+\)$/);
    const synAck = comments.find(([flags]) => flags?.includes('S') && flags.includes('A'))?.[1] ?? '';
    expect(synAck).toMatch(/^kernel → fd \d+/);
    const section = execFileSync('capinfos', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(section).toMatch(/Capture comment:\s+SockLab lab session, saved \d{4}-.*captured on lo/);

    // A filtered export holds only what the display filter selects.
    const synOnly = ok(await call(lab, 'capture.export', { filter: 'tcp.flags.syn == 1' })).value.pcapng;
    writeFileSync(join(dir, 'syn.pcapng'), Buffer.from(synOnly));
    const count = execFileSync('tshark', ['-r', join(dir, 'syn.pcapng')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n').length;
    expect(count).toBe(2);

    // Imported into a lab that cannot capture at all, the packets are all there to inspect.
    const viewer = createLab({ captureLauncher: 'none' });
    try {
      const imported = ok(await call(viewer, 'capture.import', { name: 'export.pcapng', data: pcapng })).value;
      expect(imported).toEqual({ packets: held.total, problems: [] });
      const again = ok(await call(viewer, 'capture.rows', { offset: 0, limit: 5000 })).value;
      expect(again.rows.map((r) => [r.no, r.tsUs, r.len, r.info])).toEqual(held.rows.map((r) => [r.no, r.tsUs, r.len, r.info]));
      // The comments came back: in the field tree (Wireshark's "Packet comments") and the filter.
      const commented = ok(await call(viewer, 'capture.rows', { offset: 0, limit: 10, filter: 'frame.comment contains "connect("' })).value;
      expect(commented.total).toBe(1);
      const tree = JSON.stringify(ok(await call(viewer, 'capture.packet', { no: commented.rows[0].no })).value.tree);
      expect(tree).toContain('"pkt_comment"');
      expect(tree).toContain(synComment.slice(0, 20));
      const resaved = ok(await call(viewer, 'capture.export', {})).value.pcapng;
      writeFileSync(join(dir, 'resaved.pcapng'), Buffer.from(resaved));
      expect(
        execFileSync('tshark', ['-r', join(dir, 'resaved.pcapng'), '-Y', 'frame.comment contains "connect("'], { encoding: 'utf8' })
          .trim()
          .split('\n'),
      ).toHaveLength(1);
      const status = ok(await call(viewer, 'capture.status', {})).value;
      expect(status).toMatchObject({ running: false, source: 'export.pcapng', held: held.total, linkType: 1 });
      expect(failed(await call(viewer, 'capture.start', { iface: 'lo' })).errno).toBe('ENOSYS');
      expect(failed(await call(viewer, 'capture.import', { name: 'junk', data: bin('not a capture file') })).message).toContain(
        'neither a pcap nor a pcapng',
      );
    } finally {
      await viewer.close();
    }
  });

  it("answers a bad BPF filter with libpcap's own message, and keeps the packets held", async () => {
    const before = ok(await call(lab, 'capture.status', {})).value;
    const answer = failed(await call(lab, 'capture.start', { iface: 'lo', filter: 'tcp port' }));
    expect(answer.errno).toBe('EINVAL');
    expect(answer.message).toContain('syntax error');
    expect(answer.message).toContain('"tcp port"');
    const status = ok(await call(lab, 'capture.status', {})).value;
    expect(status.running).toBe(false);
    expect(status.error).toBe(answer.message);
    expect(status.held).toBe(before.held);
    const noSuch = failed(await call(lab, 'capture.start', { iface: 'nosuchif0' }));
    expect(noSuch.message).toContain('nosuchif0');
  });

  it('stops and starts again (a new Cap each time) and still captures', async () => {
    const s = steps(lab);
    for (let round = 0; round < 3; round++) {
      const fd = await s.socket('AF_INET', 'SOCK_DGRAM');
      ok(await call(lab, 'socket.bind', { fd, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } }));
      const port = await s.port(fd);
      const status = ok(await call(lab, 'capture.start', { iface: 'lo', filter: `udp port ${port}` })).value;
      expect(status).toMatchObject({ running: true, held: 0, packets: 0, error: null });
      for (let i = 0; i < 5; i++)
        ok(
          await call(lab, 'socket.sendto', {
            fd,
            data: bin(`round ${round} #${i}`),
            address: { family: 'AF_INET', address: '127.0.0.1', port },
          }),
        );
      const rows = await rowsWhen(5);
      // Each datagram is seen once on lo (out and in are the same frame); it belongs to fd.
      expect(rows.length).toBe(5);
      expect(rows.every((r) => r.fds.includes(fd) && r.protocol === 'UDP')).toBe(true);
      ok(await call(lab, 'capture.stop', {}));
      ok(await call(lab, 'socket.close', { fd }));
    }
  });

  it('clears the store while keeping the capture running', async () => {
    ok(await call(lab, 'capture.start', { iface: 'lo', filter: 'udp port 9' }));
    const cleared = ok(await call(lab, 'capture.clear', {})).value;
    expect(cleared).toMatchObject({ running: true, held: 0, packets: 0, evicted: 0 });
    ok(await call(lab, 'capture.stop', {}));
  });
});
