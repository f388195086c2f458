/**
 * The dissector's public API on real loopback packets (captured with tcpdump on lo): the packet
 * list summary as Wireshark shows it, byte ranges in the tree, the offloaded checksum note, the
 * quoted packet of an ICMP error, truncation marks and the field table.
 */
import { describe, expect, it } from 'vitest';
import {
  analyzeTcp,
  dissect,
  FIELD_TYPES,
  type FieldNode,
  fieldValues,
  LINKTYPE,
  summarize,
  TcpAnalyzer,
} from '../../src/main/lab/dissect';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
// 127.0.0.1:54321 → 127.0.0.1:8080 SYN (Linux loopback, Ethernet link type, partial checksum).
const SYN = hex(
  '00000000000000000000000008004500003c980740004006a4b27f0000017f000001d4311f9054ac55d500000000a002ffd7fe3000000204ffd70402080a241891d5000000000103030a',
);
// ICMP port unreachable quoting a UDP datagram 46004 → 9999.
const UNREACH = hex(
  '000000000000000000000000080045c0003a31c4000040014a3d7f0000017f0000010303bba7000000004500001ee3884000401159447f0000017f000001b3b4270f000afe1d6869',
);
// ICMP echo request id 0x1234 seq 1.
const ECHO = hex('000000000000000000000000080045000024540d40004001e8c97f0000017f00000108005435123400016162636465666768');

function find(nodes: readonly FieldNode[], name: string): FieldNode | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const inner = n.children && find(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

function all(nodes: readonly FieldNode[]): FieldNode[] {
  return nodes.flatMap((n) => [n, ...all(n.children ?? [])]);
}

describe('summarize', () => {
  it('writes the Info column as Wireshark does, with relative numbers when given the TCP analysis', () => {
    const meta = { number: 1, tsNs: 1n };
    const s = summarize(SYN, LINKTYPE.ETHERNET, { ...meta, tcp: analyzeTcp(SYN, LINKTYPE.ETHERNET, meta, new TcpAnalyzer()) });
    expect(s.info).toBe('54321 → 8080 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=605589973 TSecr=0 WS=1024');
    expect(s).toMatchObject({ src: '127.0.0.1', dst: '127.0.0.1', protocol: 'TCP', mark: 'syn' });
    expect(s.flow).toEqual({
      proto: 'tcp',
      family: 4,
      src: '127.0.0.1',
      dst: '127.0.0.1',
      srcPort: 54321,
      dstPort: 8080,
      tcp: { seq: 1420580309, ack: 0, flags: 0x002, window: 65495 },
      payloadOffset: 74,
      payloadLength: 0,
    });
  });

  it('shows raw sequence numbers without the TCP analysis', () => {
    expect(summarize(SYN, LINKTYPE.ETHERNET).info).toMatch(/^54321 → 8080 \[SYN\] Seq=1420580309 Win=65495 Len=0 MSS=65495/);
  });

  it('describes ICMP echo and errors, leaving the flow to the ICMP packet itself', () => {
    expect(summarize(ECHO, LINKTYPE.ETHERNET).info).toBe('Echo (ping) request  id=0x1234, seq=1/256, ttl=64');
    const s = summarize(UNREACH, LINKTYPE.ETHERNET);
    expect(s).toMatchObject({ protocol: 'ICMP', info: 'Destination unreachable (Port unreachable)', mark: 'icmp-error' });
    expect(s.flow?.proto).toBe('icmp');
  });

  it('marks a truncated packet as malformed instead of throwing', () => {
    const s = summarize(SYN.subarray(0, 40), LINKTYPE.ETHERNET);
    expect(s.mark).toBe('malformed');
    expect(s.flow).toBeNull();
  });
});

describe('dissect', () => {
  it('gives every field its byte range and tshark value', () => {
    const tree = dissect(SYN, LINKTYPE.ETHERNET, { number: 1, tsNs: 1_700_000_000_123_456_789n });
    expect(find(tree, 'frame.time_epoch')?.value).toBe('1700000000.123456789');
    expect(find(tree, 'ip.src')).toMatchObject({ start: 26, length: 4, value: '127.0.0.1', label: 'Source Address: 127.0.0.1' });
    expect(find(tree, 'tcp.srcport')).toMatchObject({ start: 34, length: 2, value: '54321' });
    expect(find(tree, 'tcp.flags')).toMatchObject({ start: 46, length: 2, value: '0x0002' });
    expect(find(tree, 'tcp.options.mss_val')).toMatchObject({ start: 56, length: 2, value: '65495' });
    expect(find(tree, 'ip.checksum.status')?.value).toBe('1');
    for (const n of all(tree)) expect(n.start + n.length).toBeLessThanOrEqual(SYN.length);
  });

  it('explains the loopback checksum that the kernel left for offload', () => {
    const tree = dissect(SYN, LINKTYPE.ETHERNET);
    expect(find(tree, 'tcp.checksum')?.label).toBe('Checksum: 0xfe30 [not computed (offload)]');
    expect(all(tree).some((n) => n.severity === 'note' && /offload/.test(n.label))).toBe(true);
  });

  it('marks truncation with an error node', () => {
    // Captured 40 of the frame's bytes: the capture cut it short (the wire had them all).
    const tree = dissect(SYN.subarray(0, 40), LINKTYPE.ETHERNET, { origLen: SYN.length });
    expect(all(tree).some((n) => n.severity === 'error' && /truncated/.test(n.label))).toBe(true);
  });
});

describe('fieldValues and the field table', () => {
  it('lists values outermost first, including the quoted packet of an ICMP error', () => {
    const v = fieldValues(UNREACH, LINKTYPE.ETHERNET);
    expect(v.get('ip.src')).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(v.get('icmp.type')).toEqual(['3']);
    expect(v.get('udp.srcport')).toEqual(['46004']);
    expect(v.get('udp.port')).toEqual(['46004', '9999']);
    expect(v.get('icmp')).toEqual(['']);
  });

  it('types fields for display-filter literals', () => {
    expect(FIELD_TYPES.get('ip.src')).toBe('ipv4');
    expect(FIELD_TYPES.get('ipv6.dst')).toBe('ipv6');
    expect(FIELD_TYPES.get('eth.src')).toBe('ether');
    expect(FIELD_TYPES.get('tcp.flags.syn')).toBe('bool');
    expect(FIELD_TYPES.get('tcp.port')).toBe('uint');
    expect(FIELD_TYPES.get('tcp')).toBe('protocol');
  });
});
