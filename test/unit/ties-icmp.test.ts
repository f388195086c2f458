import { describe, expect, it } from 'vitest';
import { summarize, LINKTYPE, type FlowInfo } from '../../src/main/lab/dissect';
import { icmpFactsOf, quotedFlowOf } from '../../src/main/lab/flows/icmp-facts';
import { addressMatches, canonicalAddress, formatEndpoint, seqDiff } from '../../src/main/lab/flows/endpoints';

/** An IPv4 header (checksum left 0: the summary decode does not need it). */
function ipv4(proto: number, src: number[], dst: number[], payload: number[]): number[] {
  const total = 20 + payload.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...payload];
}
const LOOPBACK = [127, 0, 0, 1];

/** UDP 51000 → 9998 with "ping", as the datagram that drew the error. */
const datagram = ipv4(17, LOOPBACK, LOOPBACK, [0xc7, 0x38, 0x27, 0x0e, 0, 12, 0, 0, 0x70, 0x69, 0x6e, 0x67]);

describe('icmpFactsOf over frames the dissector summarised', () => {
  it('reads an ICMP port unreachable and the UDP ports it quotes', () => {
    const frame = Uint8Array.from(ipv4(1, LOOPBACK, LOOPBACK, [3, 3, 0, 0, 0, 0, 0, 0, ...datagram]));
    const flow = summarize(frame, LINKTYPE.RAW).flow as FlowInfo;
    expect(flow.proto).toBe('icmp');
    expect(icmpFactsOf(frame, flow)).toEqual({
      type: 3,
      code: 3,
      isError: true,
      echo: null,
      quoted: { proto: 'udp', family: 4, src: '127.0.0.1', dst: '127.0.0.1', srcPort: 51000, dstPort: 9998 },
    });
  });

  it('reads an echo request’s identifier and sequence', () => {
    const frame = Uint8Array.from(ipv4(1, LOOPBACK, LOOPBACK, [8, 0, 0, 0, 0x12, 0x34, 0, 7, 1, 2, 3, 4]));
    const flow = summarize(frame, LINKTYPE.RAW).flow as FlowInfo;
    expect(icmpFactsOf(frame, flow)).toMatchObject({ type: 8, isError: false, echo: { id: 0x1234, seq: 7, request: true }, quoted: null });
  });

  it('gives null for other protocols and for truncated quotes', () => {
    const frame = Uint8Array.from(datagram);
    expect(icmpFactsOf(frame, summarize(frame, LINKTYPE.RAW).flow as FlowInfo)).toBeNull();
    expect(quotedFlowOf(Uint8Array.from([0x45, 0, 0]))).toBeNull();
    expect(quotedFlowOf(Uint8Array.from([0x75]))).toBeNull();
  });

  it('reads a quoted IPv6 TCP header', () => {
    const v6 = [0x60, 0, 0, 0, 0, 20, 6, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 1, 0x1f, 0x90, 0x9c, 0x40];
    expect(quotedFlowOf(Uint8Array.from(v6))).toEqual({ proto: 'tcp', family: 6, src: '::1', dst: '::1', srcPort: 8080, dstPort: 40000 });
  });
});

describe('endpoints', () => {
  it('compares addresses as the wire carries them', () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('FE80:0:0:0:1:0:0:1%lo')).toBe('fe80::1:0:0:1');
    expect(canonicalAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(addressMatches('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(addressMatches('0.0.0.0', '::1')).toBe(false);
    expect(addressMatches('::', '127.0.0.1')).toBe(true);
    expect(addressMatches('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(formatEndpoint({ addr: '::1', port: 80 })).toBe('[::1]:80');
    expect(seqDiff(5, 0xffff_fffb)).toBe(10);
  });
});
