/**
 * The filter engine over the dissector's own output for every fixture packet: each value the
 * dissector prints can be written back as a filter literal that selects its packet, protocols
 * are present exactly when decoded, and every field the dissector emits is a field filters know.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldValues } from '../../src/main/lab/dissect';
import { compileFilter, filterField } from '../../src/main/lab/filter';
import { readCapture } from '../../src/main/lab/pcap/read';
import { PCAP_FIXTURES } from '../helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

const decoded = readdirSync(FIXTURES)
  .filter((name) => /\.pcap(ng)?$/.test(name))
  .sort()
  .flatMap((name) => readCapture(readFileSync(join(FIXTURES, name))).packets)
  .map((packet, i) => fieldValues(packet.data, packet.linkType, { number: i + 1, tsNs: packet.tsNs, origLen: packet.origLen }));

/** A value as printed, written as a filter literal of the field's type. */
function literalOf(name: string, value: string): string {
  const type = filterField(name)?.type;
  if (type === 'bytes') {
    // tshark prints some byte fields plain (ffff0015) and some with colons (08:00:27:...).
    const hex = value.replace(/[:.-]/g, '');
    return hex.length === 2 ? hex : (hex.match(/../g) ?? []).join(':');
  }
  if (type === 'string') return JSON.stringify(value);
  return value;
}

function matches(filter: string, values: Map<string, string[]>): boolean {
  const compiled = compileFilter(filter);
  if (!compiled.ok) throw new Error(`${filter}: ${compiled.error} (at ${compiled.position})`);
  return compiled.test((name) => values.get(name));
}

describe('compileFilter over fieldValues of real packets', () => {
  it('knows every field the dissector emits', () => {
    const names = new Set(decoded.flatMap((values) => [...values.keys()]));
    expect(names.size).toBeGreaterThan(50);
    expect([...names].filter((name) => !name.startsWith('_ws.') && filterField(name) === undefined)).toEqual([]);
  });

  it('selects each packet by every value it carries, written back as a literal', () => {
    let checks = 0;
    const failures: string[] = [];
    decoded.forEach((values, i) => {
      for (const [name, list] of values) {
        const field = filterField(name);
        if (field === undefined || field.type === 'protocol') continue;
        for (const value of list) {
          if (value === '' || (field.type === 'bytes' && value.length > 512)) continue;
          const filter = `${name} == ${literalOf(name, value)}`;
          checks++;
          if (!matches(filter, values)) failures.push(`frame ${i + 1}: ${filter}`);
          if (list.length === 1 && matches(`${name} != ${literalOf(name, value)}`, values))
            failures.push(`frame ${i + 1}: ${name} != also true`);
        }
      }
    });
    expect(failures.slice(0, 20)).toEqual([]);
    expect(checks).toBeGreaterThan(20_000);
  });

  it('finds protocols present exactly when decoded, and alias fields by either side', () => {
    const protocols = ['eth', 'arp', 'ip', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6'];
    for (const values of decoded) {
      for (const protocol of protocols) expect([protocol, matches(protocol, values)]).toEqual([protocol, values.has(protocol)]);
      const sources = values.get('ip.src') ?? [];
      for (const address of [...sources, ...(values.get('ip.dst') ?? [])]) expect(matches(`ip.addr == ${address}`, values)).toBe(true);
      for (const port of values.get('tcp.dstport') ?? []) expect(matches(`tcp.port in {${port}, 1}`, values)).toBe(true);
    }
    expect(decoded.filter((values) => matches('tcp && ip.addr == 0.0.0.0/0', values)).length).toBeGreaterThan(500);
  });
});
