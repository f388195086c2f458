/**
 * Each layer ends where the layer below says it does, never at the end of the frame, and a read
 * past a layer's end is a marked node (strict reads make an unchecked one visible).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dissect, type FieldNode, fieldValues, LINKTYPE, setStrictReads, summarize } from '../../src/main/lab/dissect';
import { CRAFTED } from '../helpers/crafted-frames';
import { bytes, ethernet, icmp, ipv4, udp } from '../helpers/frames';

function labels(nodes: readonly FieldNode[]): string[] {
  return nodes.flatMap((n) => [n.label, ...labels(n.children ?? [])]);
}

function values(frame: Uint8Array): Map<string, string[]> {
  return fieldValues(frame, LINKTYPE.ETHERNET);
}

afterEach(() => setStrictReads(false));

describe('strict reads', () => {
  it('turn a read no dissector checked into a node, and the dissectors check every read', () => {
    setStrictReads(true);
    // A VLAN tag cut to 2 bytes: before, its TCI was read unchecked (label "ID: 0").
    const frame = ethernet(0x8100, Uint8Array.of(0x20, 0x05));
    const v = values(frame);
    expect(v.has('_ws.short_read')).toBe(false);
    expect(v.has('_ws.malformed')).toBe(true);
    expect(labels(dissect(frame, LINKTYPE.ETHERNET)).some((l) => /802\.1Q tag needs 4 bytes/.test(l))).toBe(true);
  });

  it('never reads the missing bytes as zeros without strict mode either', () => {
    const frame = ethernet(0x8100, Uint8Array.of(0x20, 0x05));
    expect(labels(dissect(frame, LINKTYPE.ETHERNET)).some((l) => /ID: 0/.test(l))).toBe(false);
  });
});

describe('layers bounded by their parent', () => {
  it('marks an ICMP message of 3 bytes malformed and never reads the Ethernet trailer', () => {
    setStrictReads(true);
    for (const frame of [CRAFTED.icmpThreeBytes, CRAFTED.icmpThreeBytesTrailer]) {
      const v = values(frame);
      expect(v.has('_ws.malformed')).toBe(true);
      expect(v.has('_ws.short_read')).toBe(false);
      expect(v.get('icmp.checksum')).toBeUndefined();
      expect(
        labels(dissect(frame, LINKTYPE.ETHERNET)).some((l) =>
          /Malformed Packet: ICMP (echo )?header needs \d bytes, the layer below gives it only 3/.test(l),
        ),
      ).toBe(true);
      expect(summarize(frame, LINKTYPE.ETHERNET).mark).toBe('malformed');
    }
  });

  it('takes no echo identifier from the trailer after the datagram', () => {
    const v = values(CRAFTED.echoWithoutIdent);
    // Like tshark: an echo cut before its identifier is malformed and shows no ICMP field.
    expect(v.has('icmp')).toBe(true);
    expect(v.get('icmp.ident')).toBeUndefined();
    expect(v.get('icmp.type')).toBeUndefined();
    expect(v.has('_ws.malformed')).toBe(true);
  });

  it('gives a message shorter than the ICMP header no flow, so no tie reads the trailer', () => {
    // Port unreachable, 4 bytes in the datagram; a quoted IPv4 header sits in the trailer.
    const frame = ethernet(0x0800, bytes(ipv4(1, icmp(3, 3, []), { totalLength: 24 }), [0, 0, 0, 0], ipv4(17, udp(5000, 53, []))), 60);
    const s = summarize(frame, LINKTYPE.ETHERNET);
    expect(s.flow).toBeNull();
    expect(s.mark).toBe('malformed');
  });

  it('shows the ports of a UDP header cut after 4 bytes', () => {
    const v = values(CRAFTED.udpPortsOnly);
    expect([v.get('udp.srcport'), v.get('udp.dstport'), v.get('udp.length')]).toEqual([['1234'], ['53'], undefined]);
    expect(v.has('_ws.malformed')).toBe(true);
  });
});

describe('layers that were not decoded before', () => {
  it('decodes RARP', () => {
    const v = values(CRAFTED.rarpRequest);
    expect(v.get('arp.opcode')).toEqual(['3']);
    const s = summarize(CRAFTED.rarpRequest, LINKTYPE.ETHERNET);
    expect([s.protocol, s.info]).toEqual(['RARP', 'Who is 02:00:00:00:00:0a? Tell 02:00:00:00:00:0a']);
  });

  it('decodes the Ethernet frame after IPv6 next header 143', () => {
    const v = values(CRAFTED.ipv6Ethernet);
    expect(v.get('ipv6.nxt')).toEqual(['143']);
    expect(v.get('ip.src')).toEqual(['192.168.9.1']);
    expect(v.get('udp.dstport')).toEqual(['2000']);
  });

  it('carries a jumbogram payload (payload length 0 and the Jumbo Payload option)', () => {
    const v = values(CRAFTED.jumbogram);
    expect(v.get('ipv6.plen')).toEqual(['0']);
    expect(v.get('ipv6.opt.jumbo')).toEqual(['70016']);
    expect(v.get('udp.srcport')).toEqual(['1000']);
    expect(v.has('_ws.malformed')).toBe(false);
    expect(summarize(CRAFTED.jumbogram, LINKTYPE.ETHERNET).flow?.payloadLength).toBe(70_000);
  });

  it('decodes ERSPAN type III and the frame it mirrors', () => {
    const v = values(CRAFTED.erspanThree);
    expect(v.get('erspan.version')).toEqual(['2']);
    expect(v.get('erspan.spanid')).toEqual(['100']);
    expect(v.get('ip.src')).toEqual(['10.0.0.1', '192.168.9.1']);
    expect(v.get('udp.srcport')).toEqual(['1000']);
  });
});
