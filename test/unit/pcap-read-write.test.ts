/**
 * pcap/pcapng reading (byte orders, resolutions, interfaces, garbage). The pcapng writer is
 * checked by tshark itself in test/tshark/pcap-write.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEpoch } from '../../src/main/lab/dissect';
import { readCapture, writePcapng } from '../../src/main/lab/pcap';
import { PCAP_FIXTURES } from '../helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

/** A pcap file with the given packets, in either byte order and resolution. */
function pcap(
  le: boolean,
  nanos: boolean,
  linkType: number,
  packets: { sec: number; frac: number; data: number[]; origLen?: number }[],
): Uint8Array {
  const size = 24 + packets.reduce((s, p) => s + 16 + p.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 65535, le);
  v.setUint32(20, linkType, le);
  let o = 24;
  for (const p of packets) {
    v.setUint32(o, p.sec, le);
    v.setUint32(o + 4, p.frac, le);
    v.setUint32(o + 8, p.data.length, le);
    v.setUint32(o + 12, p.origLen ?? p.data.length, le);
    out.set(p.data, o + 16);
    o += 16 + p.data.length;
  }
  return out;
}

describe('readCapture', () => {
  it('reads pcap in both byte orders, microseconds and nanoseconds', () => {
    for (const le of [true, false]) {
      const us = readCapture(pcap(le, false, 101, [{ sec: 10, frac: 5, data: [0x45, 0, 0, 20], origLen: 60 }]));
      expect(us.errors).toEqual([]);
      expect(us.packets[0]).toMatchObject({ tsNs: 10_000_005_000n, tsUs: 10_000_005, linkType: 101, origLen: 60 });
      expect([...us.packets[0].data]).toEqual([0x45, 0, 0, 20]);
      const ns = readCapture(pcap(le, true, 1, [{ sec: 1, frac: 999_999_999, data: [1, 2] }]));
      expect(ns.packets[0].tsNs).toBe(1_999_999_999n);
      expect(ns.format).toBe('pcap');
    }
  });

  it('keeps packet data as views of the file (no copies)', () => {
    const file = pcap(true, false, 1, [{ sec: 0, frac: 0, data: [9, 9, 9] }]);
    expect(readCapture(file).packets[0].data.buffer).toBe(file.buffer);
  });

  it('reads pcapng fixtures with their interfaces, as tshark counts them', () => {
    for (const name of ['ahcp.pcapng', 'bgp-role.pcapng', 'icmpv6-length-zero.pcapng']) {
      const result = readCapture(readFileSync(join(FIXTURES, name)));
      const fixture = JSON.parse(readFileSync(join(FIXTURES, `${name}.tshark.json`), 'utf8')) as { packets: Record<string, string>[] };
      expect(result.format).toBe('pcapng');
      expect(result.errors).toEqual([]);
      expect(result.packets.map((p) => formatEpoch(p.tsNs))).toEqual(fixture.packets.map((p) => p['frame.time_epoch']));
      expect(result.packets.map((p) => String(p.origLen))).toEqual(fixture.packets.map((p) => p['frame.len']));
    }
  });

  it('returns error values for garbage and cut-short files, never throws', () => {
    expect(readCapture(new Uint8Array([1, 2])).errors[0].code).toBe('EBADF_FORMAT');
    expect(readCapture(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')).errors[0].code).toBe('EBADF_FORMAT');
    const file = pcap(true, false, 1, [
      { sec: 0, frac: 0, data: [1, 2, 3] },
      { sec: 0, frac: 0, data: [4, 5, 6, 7] },
    ]);
    const cut = readCapture(file.subarray(0, file.length - 2));
    expect(cut.packets).toHaveLength(1);
    expect(cut.errors[0].code).toBe('ETRUNCATED');
    const ng = writePcapng([{ data: new Uint8Array(10), tsNs: 1n }], { ifaceName: 'lo', linkType: 1 });
    for (let n = 0; n < ng.length; n++) expect(() => readCapture(ng.subarray(0, n))).not.toThrow();
  });

  it('reads big-endian pcapng sections', () => {
    const le = writePcapng([{ data: Uint8Array.of(1, 2, 3), tsNs: 5_000_000_123n }], { ifaceName: 'eth0', linkType: 1 });
    const ref = readCapture(le);
    // Rewrite the writer's output block by block in big-endian order.
    const be = new Uint8Array(le);
    const vLe = new DataView(le.buffer);
    const vBe = new DataView(be.buffer);
    let o = 0;
    while (o < le.length) {
      const type = vLe.getUint32(o, true);
      const len = vLe.getUint32(o + 4, true);
      for (const at of [o, o + 4, o + len - 4]) vBe.setUint32(at, vLe.getUint32(at, true), false);
      if (type === 0x0a0d0d0a) {
        vBe.setUint32(o + 8, 0x1a2b3c4d, false);
        vBe.setUint16(o + 12, 1, false);
        vBe.setUint16(o + 14, 0, false);
        be.fill(0, o + 24, o + len - 4);
      } else if (type === 1) {
        vBe.setUint16(o + 8, vLe.getUint16(o + 8, true), false);
        vBe.setUint32(o + 12, vLe.getUint32(o + 12, true), false);
        // Options: swap each code/length pair (if_name, if_tsresol, end).
        let p = o + 16;
        while (p < o + len - 4) {
          const code = vLe.getUint16(p, true);
          const olen = vLe.getUint16(p + 2, true);
          vBe.setUint16(p, code, false);
          vBe.setUint16(p + 2, olen, false);
          p += 4 + ((olen + 3) & ~3);
          if (code === 0) break;
        }
      } else if (type === 6) {
        for (let f = 8; f <= 24; f += 4) vBe.setUint32(o + f, vLe.getUint32(o + f, true), false);
      }
      o += len;
    }
    const got = readCapture(be);
    expect(got.errors).toEqual([]);
    expect(got.packets.map((p) => [p.tsNs, p.linkType, [...p.data]])).toEqual(ref.packets.map((p) => [p.tsNs, p.linkType, [...p.data]]));
  });
});
