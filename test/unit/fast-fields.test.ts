/**
 * The fast field reader against the full dissector: for every fixture packet the reader takes,
 * every fast field must have exactly the values `fieldValues` gives (same texts, same absence),
 * and display filters must select exactly the same packets through either path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldValues, LINKTYPE } from '../../src/main/lab/dissect';
import { FAST_FIELDS, FastFieldReader, fastFieldsCover } from '../../src/main/lab/dissect/fast-fields';
import { compileFilter } from '../../src/main/lab/filter';
import { readCapture } from '../../src/main/lab/pcap/read';
import { CRAFTED } from '../helpers/crafted-frames';
import { PCAP_FIXTURES } from '../helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

const packets = readdirSync(FIXTURES)
  .filter((name) => /\.pcap(ng)?$/.test(name))
  .sort()
  .flatMap((name) => readCapture(readFileSync(join(FIXTURES, name))).packets.map((packet, i) => ({ name, index: i + 1, packet })));

const full = packets.map(({ packet }, i) =>
  fieldValues(packet.data, packet.linkType, { number: i + 1, tsNs: packet.tsNs, origLen: packet.origLen }),
);

/** Each packet placed at an odd offset inside a larger buffer, as the store holds them. */
function embedded(data: Uint8Array): { bytes: Uint8Array; start: number } {
  const bytes = new Uint8Array(data.length + 13);
  bytes.fill(0xa5);
  bytes.set(data, 7);
  return { bytes, start: 7 };
}

describe('FastFieldReader', () => {
  it('gives exactly the dissector values for every fast field of every packet it takes', () => {
    const reader = new FastFieldReader();
    const mismatches: string[] = [];
    let taken = 0;
    packets.forEach(({ name, index, packet }, i) => {
      const { bytes, start } = embedded(packet.data);
      if (!reader.load(bytes, start, packet.data.length, packet.linkType, packet.origLen)) return;
      taken++;
      for (const field of FAST_FIELDS) {
        const fast = reader.lookup(field);
        const reference = full[i].get(field);
        if (JSON.stringify(fast) !== JSON.stringify(reference)) {
          mismatches.push(`${name}#${index} ${field}: fast ${JSON.stringify(fast)}, dissector ${JSON.stringify(reference)}`);
        }
      }
    });
    console.log(`fast field reader took ${taken} of ${packets.length} fixture packets`);
    expect(mismatches.slice(0, 20)).toEqual([]);
    // Most fixture packets are plain Ethernet/IP/TCP-UDP-ICMP: the fast path must take them.
    expect(taken).toBeGreaterThan(packets.length / 2);
  });

  it('reads an ICMP error with its quoted packet: both layers, outer first', () => {
    const reader = new FastFieldReader();
    const icmpError = packets.findIndex((_, i) => full[i].get('icmp.type')?.[0] === '3' && (full[i].get('ip.src')?.length ?? 0) > 1);
    expect(icmpError).toBeGreaterThanOrEqual(0);
    const quoted = packets[icmpError].packet;
    expect(reader.load(quoted.data, 0, quoted.data.length, quoted.linkType, quoted.origLen)).toBe(true);
    expect(reader.lookup('ip.src')).toHaveLength(2);
    expect(reader.lookup('ip.src')).toEqual(full[icmpError].get('ip.src'));
  });

  it('gives the dissector values for loopback ICMP errors quoting UDP, TCP, an echo, or 8 bytes', () => {
    const ipv4 = (proto: number, payload: number[], totalLen = 20 + payload.length): number[] => {
      const header = [0x45, 0, totalLen >> 8, totalLen & 255, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2];
      return [...header, ...payload];
    };
    const udp = [0x9c, 0x40, 0x27, 0x0f, 0, 12, 0, 0, 1, 2, 3, 4];
    const tcp = [0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];
    const echo = [8, 0, 0, 0, 0x12, 0x34, 0, 1, 9, 9];
    const error = (type: number, code: number, quoted: number[]) => [type, code, 0, 0, 0, 0, 0, 0, ...quoted];
    const frames = [
      error(3, 3, ipv4(17, udp)),
      error(3, 1, ipv4(6, tcp)),
      error(11, 0, ipv4(1, echo)),
      error(3, 3, ipv4(17, udp.slice(0, 8), 60)), // header + 8 bytes, as routers quote
      error(3, 3, ipv4(1, error(3, 3, ipv4(17, udp)))), // an error quoting an error: full dissector
    ].map((icmp) => new Uint8Array([...new Array<number>(12).fill(0), 0x08, 0x00, ...ipv4(1, icmp)]));
    const reader = new FastFieldReader();
    const taken = frames.map((frame) => {
      const reference = fieldValues(frame, 1, { origLen: frame.length });
      if (!reader.load(frame, 0, frame.length, 1, frame.length)) return false;
      for (const field of FAST_FIELDS) expect(reader.lookup(field), field).toEqual(reference.get(field));
      return true;
    });
    expect(taken).toEqual([true, true, true, false, false]);
  });

  it('declines what it does not follow: VLAN tags, truncated headers', () => {
    const reader = new FastFieldReader();
    const vlan = packets.findIndex((_, i) => full[i].has('vlan'));
    expect(vlan).toBeGreaterThanOrEqual(0);
    const tagged = packets[vlan].packet;
    expect(reader.load(tagged.data, 0, tagged.data.length, tagged.linkType, tagged.origLen)).toBe(false);
    const tcp = packets.findIndex((_, i) => full[i].has('tcp.srcport') && packets[i].packet.linkType === 1);
    const cut = packets[tcp].packet.data.subarray(0, 14 + 20 + 10);
    expect(reader.load(cut, 0, cut.length, 1, packets[tcp].packet.origLen)).toBe(false);
  });

  const FILTERS = [
    'tcp',
    'udp',
    'icmp',
    'icmpv6',
    'arp',
    'eth',
    'ip',
    'ipv6',
    '!arp',
    '!(ip || ipv6)',
    'tcp.port == 80',
    'tcp.port == 80 && tcp.flags.syn == 1',
    'tcp.flags.syn == 1 && tcp.flags.ack == 0',
    'tcp.flags == 0x12 || tcp.flags > 0x10',
    'tcp.flags.reset == 1',
    'tcp.flags.fin',
    'tcp.len > 0',
    'tcp.port in {80 443 8000..8100}',
    'tcp.srcport < 1024',
    'tcp.window_size_value < 1000',
    'tcp.seq_raw > 2000000000',
    'tcp.ack_raw == 0',
    'tcp.hdr_len > 20',
    'ip.addr == 127.0.0.0/8',
    'ip.addr == 10.0.0.0/8 || ip.addr == 192.168.0.0/16',
    'ip.src == 192.168.1.1',
    'ip.dst != 224.0.0.0/4',
    'ip.proto == 17',
    'ip.ttl < 64',
    'ip.ttl == 255',
    'ip.len > 1000',
    'ip.hdr_len > 20',
    'ipv6.addr == ::1',
    'ipv6.src == fe80::/10',
    'ipv6.nxt == 58',
    'ipv6.dst == ff02::1',
    'ipv6.hlim == 255',
    'udp.port == 53',
    'udp.port == 53 || udp.port == 5353',
    'udp.length > 100',
    'udp.srcport == 53',
    'icmp.type == 8',
    'icmp.type == 0 && icmp.code == 0',
    'icmpv6.type == 135',
    'frame.len > 100',
    'eth.src == 00:00:00:00:00:00',
    'eth.addr == ff:ff:ff:ff:ff:ff',
    'eth.type == 0x0800',
    'arp.opcode == 1',
    'ip.addr == 10.0.0.1 xor tcp',
    'ip.src != 10.0.0.1',
    'tcp.port !== 80',
    'tcp.port ~= 80',
    'udp.port === 5353 || udp.port === 123 || udp.port === 500 || udp.port === 520',
  ];

  it('selects the same packets as the full dissector for every filter', () => {
    const reader = new FastFieldReader();
    const differences: string[] = [];
    const vacuous: string[] = [];
    for (const text of FILTERS) {
      const compiled = compileFilter(text);
      if (!compiled.ok) throw new Error(`${text}: ${compiled.error}`);
      expect(fastFieldsCover(compiled.fields), text).toBe(true);
      let matched = 0;
      packets.forEach(({ name, index, packet }, i) => {
        const reference = compiled.test((field) => full[i].get(field));
        const fast = reader.load(packet.data, 0, packet.data.length, packet.linkType, packet.origLen)
          ? compiled.test(reader.lookup)
          : reference;
        if (reference) matched++;
        if (fast !== reference) differences.push(`${text}: ${name}#${index} fast ${fast}, dissector ${reference}`);
      });
      // A filter that matches nothing (or everything) would compare nothing.
      if (matched === 0 || matched === packets.length) vacuous.push(text);
    }
    expect(vacuous).toEqual([]);
    expect(differences.slice(0, 20)).toEqual([]);
  });

  it('tells which filters it covers', () => {
    const covered = (text: string) => {
      const compiled = compileFilter(text);
      return compiled.ok && fastFieldsCover(compiled.fields);
    };
    expect(covered('tcp.port == 80 && ip.addr == 127.0.0.1')).toBe(true);
    expect(covered('tcp.payload contains "GET"')).toBe(false);
    expect(covered('vlan')).toBe(false);
  });

  it('reads no field from bytes past the IP layer (an Ethernet trailer), as the dissector', () => {
    const reader = new FastFieldReader();
    const mismatches: string[] = [];
    for (const [name, frame] of Object.entries(CRAFTED)) {
      if (!reader.load(frame, 0, frame.length, LINKTYPE.ETHERNET, frame.length)) continue;
      const reference = fieldValues(frame, LINKTYPE.ETHERNET);
      for (const field of FAST_FIELDS) {
        if (JSON.stringify(reader.lookup(field)) !== JSON.stringify(reference.get(field))) mismatches.push(`${name} ${field}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
