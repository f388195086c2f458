/**
 * A capture file read in chunks of any size gives exactly what reading it whole gives: the same
 * packets (times, lengths, bytes) and the same problems, for every pcap and pcapng fixture.
 * This is how the app opens files of any size (capture.open / capture.openChunk).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFileReader, readCapture } from '../../src/main/lab/pcap/read';
import type { CapturedPacket } from '../../src/main/lab/pcap/types';

const FIXTURES = join(__dirname, '../fixtures/pcap');
const files = readdirSync(FIXTURES).filter((name) => /\.pcap(ng)?$/.test(name));

function readInChunks(bytes: Uint8Array, size: number) {
  const reader = new CaptureFileReader();
  const packets: CapturedPacket[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    // Copied, as chunks that arrive over a transport are: packets must not depend on the whole file.
    for (const p of reader.packetsOf(bytes.slice(at, at + size))) packets.push({ ...p, data: p.data.slice() });
  }
  reader.end();
  return { format: reader.format, packets, errors: reader.errors };
}

const summary = (p: CapturedPacket) => ({
  tsNs: p.tsNs,
  linkType: p.linkType,
  origLen: p.origLen,
  iface: p.iface,
  data: Buffer.from(p.data).toString('hex'),
});

describe('a capture file read in chunks', () => {
  it.each([1, 3, 17, 4096, 1 << 20])('agrees with the whole-file read on every fixture, %i bytes at a time', (size) => {
    expect(files.length).toBeGreaterThan(50);
    for (const name of files) {
      const bytes = readFileSync(join(FIXTURES, name));
      const whole = readCapture(bytes);
      const chunked = readInChunks(bytes, size);
      expect(chunked.format, name).toBe(whole.format);
      expect(chunked.packets.map(summary), name).toEqual(whole.packets.map(summary));
      expect(
        chunked.errors.map((e) => e.code),
        name,
      ).toEqual(whole.errors.map((e) => e.code));
    }
  });

  it('says what is wrong with a file cut short or not a capture at all', () => {
    const pcap = readFileSync(
      join(
        FIXTURES,
        files.find((name) => name.endsWith('.pcap'))!,
      ),
    );
    expect(readInChunks(pcap.subarray(0, 10), 3).errors[0]?.message).toContain('pcap file header is cut short');
    expect(readInChunks(pcap.subarray(0, pcap.length - 1), 5).errors[0]?.code).toBe('ETRUNCATED');
    expect(readInChunks(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 2).errors[0]?.message).toContain('neither a pcap nor a pcapng');
    expect(readInChunks(new Uint8Array([0xd4, 0xc3]), 1).errors[0]?.message).toContain('too short');
  });
});
