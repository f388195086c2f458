/**
 * The streaming pcapng reader: the same packets whatever the chunking (down to one byte at a
 * time), statistics blocks read, and a stream cut inside a block reported as truncated.
 */
import { describe, expect, it } from 'vitest';
import { readCapture, writePcapng } from '../../src/main/lab/pcap';
import { PcapngStreamReader, type InterfaceStats } from '../../src/main/lab/pcap/pcapng-stream';
import type { CapturedPacket } from '../../src/main/lab/pcap/types';

function sample(): Uint8Array {
  const packets = [1, 60, 61, 62, 63, 1500].map((size, i) => ({
    tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567n,
    data: Uint8Array.from({ length: size }, (_, j) => (j * 7 + i) & 0xff),
    origLen: size + (i === 5 ? 100 : 0),
    linkType: 1,
  }));
  return writePcapng(packets, { ifaceName: 'lo', linkType: 1 });
}

function streamed(bytes: Uint8Array, chunk: number): { packets: CapturedPacket[]; reader: PcapngStreamReader } {
  const packets: CapturedPacket[] = [];
  // Packet data is a view valid during the call: copy, as a real consumer does.
  const reader = new PcapngStreamReader({ packet: (p) => packets.push({ ...p, data: p.data.slice() }) });
  for (let off = 0; off < bytes.length; off += chunk) reader.push(bytes.subarray(off, off + chunk));
  reader.end();
  return { packets, reader };
}

/** An Interface Statistics Block: if_recv 1000, ifdrop 2, osdrop 7 (little-endian). */
function isb(): Uint8Array {
  const options = Buffer.alloc(3 * 12 + 4);
  let o = 0;
  for (const [code, value] of [
    [4, 1000n],
    [5, 2n],
    [7, 7n],
  ] as const) {
    options.writeUInt16LE(code, o);
    options.writeUInt16LE(8, o + 2);
    options.writeBigUInt64LE(value, o + 4);
    o += 12;
  }
  const len = 8 + 12 + options.length + 4;
  const block = Buffer.alloc(len);
  block.writeUInt32LE(5, 0);
  block.writeUInt32LE(len, 4);
  block.writeUInt32LE(0, 8);
  options.copy(block, 20);
  block.writeUInt32LE(len, len - 4);
  return block;
}

describe('PcapngStreamReader', () => {
  const whole = readCapture(sample());

  it('gives the whole-file packets for every chunk size', () => {
    expect(whole.errors).toEqual([]);
    expect(whole.packets).toHaveLength(6);
    for (const chunk of [1, 3, 4, 7, 64, 1000, 1 << 20]) {
      const { packets, reader } = streamed(sample(), chunk);
      expect(reader.errors, `chunk ${chunk}`).toEqual([]);
      expect(packets.map((p) => [p.tsNs, p.origLen, Buffer.from(p.data).toString('hex')])).toEqual(
        whole.packets.map((p) => [p.tsNs, p.origLen, Buffer.from(p.data).toString('hex')]),
      );
    }
  });

  it('reads the drop counters of an Interface Statistics Block', () => {
    const stats: InterfaceStats[] = [];
    const reader = new PcapngStreamReader({ packet() {}, stats: (s) => stats.push(s) });
    reader.push(Buffer.concat([sample(), isb()]));
    reader.end();
    expect(stats).toEqual([{ iface: 0, received: 1000n, ifDropped: 2n, osDropped: 7n }]);
  });

  it('a stream cut inside a block ends with a truncation, keeping the packets before it', () => {
    const bytes = sample();
    const { packets, reader } = streamed(bytes.subarray(0, bytes.length - 10), 100);
    expect(packets).toHaveLength(5);
    expect(reader.errors).toMatchObject([{ code: 'ETRUNCATED' }]);
  });

  it('refuses a stream that does not start with a section header', () => {
    const reader = new PcapngStreamReader({ packet() {} });
    reader.push(new Uint8Array(16));
    expect(reader.stopped).toBe(true);
    expect(reader.errors).toMatchObject([{ code: 'EBADF_FORMAT' }]);
  });
});
