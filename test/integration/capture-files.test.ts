/**
 * Capture files of any size: opened in pieces (capture.open / openChunk / openEnd) and saved in
 * pieces (capture.save / saveChunk), with the same result as the one-request forms, pieces
 * checked for order, one opening at a time, and Cancel keeping what was read (as Wireshark).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FILE_CHUNK_BYTES } from '@shared/capture';
import { readCapture, writePcapng } from '../../src/main/lab/pcap';
import type { Lab } from '../../src/main/lab/index';
import { call, failed, ok, openLab } from '../helpers/lab';

let lab: Lab;
afterEach(async () => lab?.close());

/** A pcapng of `count` Ethernet frames carrying IPv4/UDP, frame i with TTL 1 + i % 2. */
function capture(count: number): Uint8Array {
  const packets = Array.from({ length: count }, (_, i) => {
    const frame = new Uint8Array(60);
    frame.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00], 0);
    frame.set([0x45, 0, 0, 46, 0, 0, 0, 0, 1 + (i % 2), 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
    frame.set([0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0], 34);
    return { data: frame, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n, origLen: 60 };
  });
  return writePcapng(packets, { ifaceName: 'eth0', linkType: 1, snapLen: 65535 });
}

/** Opens `file` in pieces of `size` bytes; the last answer of openEnd. */
async function openInPieces(file: Uint8Array, size: number) {
  const { openId } = ok(await call(lab, 'capture.open', { name: 'pieces.pcapng' })).value;
  for (let at = 0; at < file.length; at += size) {
    const piece = ok(await call(lab, 'capture.openChunk', { openId, offset: at, data: file.slice(at, at + size) })).value;
    expect(piece.bytes).toBe(Math.min(at + size, file.length));
  }
  return call(lab, 'capture.openEnd', { openId, cancel: false });
}

/** Saves what `filter` shows in pieces; the pieces' sizes and the whole file. */
async function saveInPieces(filter: string) {
  const { saveId, packets } = ok(await call(lab, 'capture.save', { filter })).value;
  const pieces: Uint8Array[] = [];
  for (let done = false; !done && pieces.length < 1000;) {
    const piece = ok(await call(lab, 'capture.saveChunk', { saveId })).value;
    pieces.push(piece.data);
    done = piece.done;
  }
  return { packets, sizes: pieces.map((p) => p.length), file: Buffer.concat(pieces) };
}

describe('capture files in pieces', () => {
  it('opens a file sent in pieces as it opens the file sent whole', async () => {
    lab = openLab();
    const file = capture(120_000);
    expect(file.length).toBeGreaterThan(2 * MAX_FILE_CHUNK_BYTES);
    const end = ok(await openInPieces(file, MAX_FILE_CHUNK_BYTES)).value;
    expect(end).toEqual({ packets: 120_000, problems: [], cancelled: false });
    const status = ok(await call(lab, 'capture.status', {})).value;
    expect(status).toMatchObject({ held: 120_000, source: 'pieces.pcapng' });
    // Pieces that cut every block: the same packets.
    const again = ok(await openInPieces(capture(50), 7)).value;
    expect(again.packets).toBe(50);
    const rows = ok(await call(lab, 'capture.rows', { offset: 0, limit: 50, filter: 'ip.ttl == 2', socketId: null })).value;
    expect(rows.total).toBe(25);
  });

  it('refuses a piece out of order, an unknown opening, and a second file at once; Cancel keeps what was read', async () => {
    lab = openLab();
    const file = capture(1000);
    const { openId } = ok(await call(lab, 'capture.open', { name: 'a.pcapng' })).value;
    expect(failed(await call(lab, 'capture.open', { name: 'b.pcapng' }))).toMatchObject({ errno: 'EAGAIN' });
    ok(await call(lab, 'capture.openChunk', { openId, offset: 0, data: file.slice(0, 30_000) }));
    expect(failed(await call(lab, 'capture.openChunk', { openId, offset: 40_000, data: file.slice(40_000, 50_000) })).message).toContain(
      'starts at byte 30000, not 40000',
    );
    expect(failed(await call(lab, 'capture.openChunk', { openId: openId + 99, offset: 0, data: file })).message).toContain(
      'No capture file is being opened',
    );
    expect(failed(await call(lab, 'capture.start', { iface: 'lo', filter: '', bufferMB: 2 }))).toMatchObject({ errno: 'EAGAIN' });
    const cancelled = ok(await call(lab, 'capture.openEnd', { openId, cancel: true })).value;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.packets).toBeGreaterThan(300);
    expect(cancelled.packets).toBeLessThan(1000);
    expect(ok(await call(lab, 'capture.status', {})).value.held).toBe(cancelled.packets);
    // The opening is over: its id is gone, and the next file opens.
    expect(failed(await call(lab, 'capture.openEnd', { openId, cancel: false })).errno).toBe('EINVAL');
    expect(ok(await openInPieces(file, 1 << 20)).value.packets).toBe(1000);
  });

  it('says why a file cannot be read, and keeps the packets held', async () => {
    lab = openLab();
    ok(await openInPieces(capture(10), 1 << 20));
    const junk = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    expect(failed(await openInPieces(junk, 8)).message).toContain('neither a pcap nor a pcapng');
    expect(ok(await call(lab, 'capture.status', {})).value.held).toBe(10);
    const cut = capture(10).slice(0, -20);
    const end = ok(await openInPieces(cut, 100)).value;
    expect(end.packets).toBe(9);
    expect(end.problems[0]).toContain('cut short');
  });

  it('saves all packets or the displayed ones in pieces, byte for byte what capture.export writes', async () => {
    lab = openLab();
    ok(await openInPieces(capture(120_000), MAX_FILE_CHUNK_BYTES));
    const all = await saveInPieces('');
    expect(all.packets).toBe(120_000);
    expect(all.sizes.length).toBeGreaterThan(2);
    expect(Math.max(...all.sizes)).toBeLessThan(MAX_FILE_CHUNK_BYTES + 4096);
    const whole = Buffer.from(ok(await call(lab, 'capture.export', { filter: '' })).value.pcapng);
    // Byte for byte after the section header, whose comment says when the file was saved.
    const afterHeader = (file: Buffer) => file.subarray(file.readUInt32LE(4));
    expect(whole.subarray(0, whole.readUInt32LE(4)).toString('latin1')).toContain('SockLab lab session, saved');
    expect(Buffer.compare(afterHeader(all.file), afterHeader(whole))).toBe(0);
    const read = readCapture(all.file);
    expect(read.errors).toEqual([]);
    expect(read.packets).toHaveLength(120_000);
    const displayed = await saveInPieces('ip.ttl == 1');
    expect(displayed.packets).toBe(60_000);
    expect(readCapture(displayed.file).packets).toHaveLength(60_000);
    // A finished save is over; a bad filter is the student's error, named.
    expect(failed(await call(lab, 'capture.saveChunk', { saveId: 12345 })).message).toContain('No save is going on');
    expect(failed(await call(lab, 'capture.save', { filter: 'ip.ttl ==' })).message).toContain('Display filter error');
  });
});
