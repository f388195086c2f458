/** `npm run dissect -- FILE --filter EXPR --count` counts what `tshark -r FILE -Y EXPR` shows. */
import { beforeEach, describe, expect, it } from 'vitest';
import { type CliOutput, dissectCli } from '../../src/main/lab/dissect/cli';
import { fixturePath } from '../helpers/fixtures';
import { skipWithoutTshark, tsharkAsync } from '../helpers/tshark';

const CASES: readonly [string, string][] = [
  ['dns_tcp.pcap', 'tcp.srcport == 53'],
  ['dns_tcp.pcap', 'tcp.flags.syn == 1'],
  ['kday4.pcap', 'tcp.len > 0'],
  ['icmpv6.pcap', 'icmpv6.type == 135'],
  ['mptcp-v1.pcap', 'ip.src == 10.0.1.1 && tcp'],
  ['resp_1_benchmark.pcap', 'tcp.port == 6379 and tcp.flags.push == 1'],
  ['arp-too-long-tha.pcap', 'arp'],
  ['HSRP_coup.pcap', 'udp.length < 40 or !udp'],
];

async function count(file: string, filter: string): Promise<string> {
  const lines: string[] = [];
  const out: CliOutput = { line: (t) => lines.push(t), closed: () => false, error: () => {} };
  await dissectCli([file, '--filter', filter, '--count'], out);
  return lines.join('\n');
}

describe('dissect --filter --count against tshark -Y', () => {
  beforeEach(skipWithoutTshark);

  it('counts the packets tshark shows for each filter', async () => {
    const mine: string[] = [];
    const theirs: string[] = [];
    for (const [name, filter] of CASES) {
      const file = fixturePath(name);
      mine.push(`${name} ${filter}: ${await count(file, filter)}`);
      const shown = (await tsharkAsync(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']))
        .split('\n')
        .filter(Boolean).length;
      theirs.push(`${name} ${filter}: ${shown}`);
    }
    expect(mine).toEqual(theirs);
    // Not all zero: the comparison is about something.
    expect(theirs.filter((line) => !line.endsWith(': 0')).length).toBeGreaterThanOrEqual(CASES.length - 1);
  });
});
