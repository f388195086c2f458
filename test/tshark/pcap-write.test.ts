/**
 * The pcapng writer, checked by tshark itself: same packet count, lengths, timestamps,
 * interface name and bytes after the round trip.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { formatEpoch } from '../../src/main/lab/dissect';
import { readCapture, writePcapng } from '../../src/main/lab/pcap';
import { fixturePath } from '../helpers/fixtures';
import { skipWithoutTshark, tshark } from '../helpers/tshark';

describe('writePcapng', () => {
  beforeEach(skipWithoutTshark);

  it('writes files tshark reads back with the same packets, bytes and timestamps', () => {
    const source = readCapture(readFileSync(fixturePath('dns_tcp.pcap')));
    expect(source.packets.length).toBeGreaterThan(3);
    const packets = source.packets.map((p, i) => ({ data: p.data, tsNs: p.tsNs + BigInt(i * 7), origLen: p.origLen }));
    const dir = mkdtempSync(join(tmpdir(), 'socklab-pcapng-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'out.pcapng');
    writeFileSync(file, writePcapng(packets, { ifaceName: 'lo', linkType: source.packets[0].linkType }));
    const lines = tshark([
      '-r',
      file,
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'frame.len',
      '-e',
      'frame.cap_len',
      '-e',
      'frame.interface_name',
    ])
      .trim()
      .split('\n');
    expect(lines).toEqual(packets.map((p) => `${formatEpoch(p.tsNs)}\t${p.origLen}\t${p.data.length}\tlo`));
    // Bytes: let tshark rewrite the file as pcap, read that back.
    const pcapFile = join(dir, 'out.pcap');
    tshark(['-r', file, '-F', 'pcap', '-w', pcapFile]);
    const back = readCapture(readFileSync(pcapFile));
    expect(back.packets.map((p) => Buffer.from(p.data).toString('hex'))).toEqual(packets.map((p) => Buffer.from(p.data).toString('hex')));
  });

  it('writes packet comments (odd lengths, Chinese, one cut at 64 KiB) and a section comment tshark shows', () => {
    const source = readCapture(readFileSync(fixturePath('dns_tcp.pcap')));
    const comments = ['connect(3, 127.0.0.1:8080) = 0 → fd 3', undefined, '对端 recv() → fd 4', 'x'.repeat(70_000)];
    const packets = source.packets.slice(0, 4).map((p, i) => ({ data: p.data, tsNs: p.tsNs, origLen: p.origLen, comment: comments[i] }));
    const dir = mkdtempSync(join(tmpdir(), 'socklab-pcapng-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'comments.pcapng');
    writeFileSync(file, writePcapng(packets, { ifaceName: 'lo', linkType: source.packets[0].linkType, comment: 'SockLab lab session' }));
    const lines = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment']).trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['1\tconnect(3, 127.0.0.1:8080) = 0 → fd 3', '2\t', '3\t对端 recv() → fd 4']);
    expect(lines[3]).toBe(`4\t${'x'.repeat(65_535)}`);
    expect(readCapture(readFileSync(file)).packets.map((p) => p.data.length)).toEqual(packets.map((p) => p.data.length));
  });
});
