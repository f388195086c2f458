/** `npm run dissect`: one JSON object per packet, keyed and valued as tshark's fixtures are. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dissectCli } from '../../src/main/lab/dissect/cli';
import { PCAP_FIXTURES } from '../helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

describe('dissect CLI', () => {
  it('prints each packet with the fields and values tshark printed', async () => {
    for (const name of ['dns_tcp.pcap', 'icmpv6.pcap', 'ahcp.pcapng']) {
      const lines: string[] = [];
      expect(await dissectCli([join(FIXTURES, name)], (l) => lines.push(l))).toBe(0);
      const fixture = JSON.parse(readFileSync(join(FIXTURES, `${name}.tshark.json`), 'utf8')) as { packets: Record<string, string>[] };
      expect(lines).toHaveLength(fixture.packets.length);
      lines.forEach((line, i) => {
        const record = JSON.parse(line) as Record<string, string>;
        for (const [field, value] of Object.entries(fixture.packets[i])) expect(record[field], `${name}#${i + 1} ${field}`).toBe(value);
      });
    }
  });

  it('restricts output to --fields and fails on a file that is not a capture', async () => {
    const lines: string[] = [];
    await dissectCli([join(FIXTURES, 'dns_tcp.pcap'), '--fields', 'tcp.srcport,ip.src'], (l) => lines.push(l));
    expect(Object.keys(JSON.parse(lines[0]) as object).sort()).toEqual(['ip.src', 'tcp.srcport']);
    expect(await dissectCli([join(FIXTURES, 'README.md')], () => {})).toBe(1);
  });
});
