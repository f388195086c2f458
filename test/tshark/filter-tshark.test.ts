/**
 * The filter engine against Wireshark itself: every fixture capture is merged into one file,
 * tshark prints the fields the filters read (all occurrences), and for each filter SockLab must
 * count exactly the frames tshark's own filter counts (one `-z io,stat` pass counts them all;
 * a set filter, whose commas io,stat cannot take, is checked frame by frame with `-Y`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/main/lab/filter';
import type { FieldLookup } from '../../src/main/lab/dissect/types';
import { PCAP_FIXTURES } from '../helpers/fixtures';
import { skipWithoutTshark, TSHARK_MISSING } from '../helpers/tshark';

const FIXTURES = PCAP_FIXTURES;
const AGGREGATOR = '\u001e';
const run = promisify(execFile);

/** Counted in one io,stat pass, so no commas; `frame` first gives the total. */
const COUNTED = [
  'frame',
  'tcp',
  'udp',
  'arp',
  '!arp',
  'icmp',
  'icmpv6',
  'ipv6',
  'ip',
  'eth',
  'vlan',
  'sll',
  'tcp.port == 179',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0',
  'tcp.flags == 0x0018',
  'ip.addr == 10.0.0.0/8',
  'ip.src != 10.0.0.1',
  'ip.addr != 192.168.1.1',
  'ip.addr ~= 192.168.1.1',
  'ip.dst === 224.0.0.0/4',
  'ipv6.addr == fe80::/10',
  'ipv6.src == ::1',
  'eth.addr == ff:ff:ff:ff:ff:ff',
  'eth.src == 00:00:0c:07:ac:01',
  'ip.ttl > 64 && !tcp',
  'tcp.flags.ack == 0 || udp.length < 100',
  'ip.id == 0x3030',
  'tcp.seq_raw > 2000000000',
  'ip.flags.df == 1',
  'frame.len >= 1000',
  'eth.type == 0x86dd',
  'icmp.type == 8 or icmp.type eq 0',
  'tcp.payload contains "HTTP"',
  'udp.payload contains 00:01',
  'tcp.payload matches "^ssh-"',
  'not (tcp or udp) and ip',
  'icmpv6.type >= 133 && icmpv6.type <= 137',
  'arp.src.proto_ipv4 == 10.2.1.1',
  'tcp.options.mss_val',
  'tcp.len > 0 && tcp.srcport < 1024',
];
/** Checked frame by frame with -Y. */
const LISTED = ['udp.port in {53, 67..69, 500}', 'ip.proto in {1, 6}'];

interface Frames {
  file: string;
  lookups: FieldLookup[];
}

let dir = '';
let frames: Frames;

beforeAll(async () => {
  // Without tshark there is nothing to compare with: every test below skips with the reason.
  if (TSHARK_MISSING !== null) return;
  dir = mkdtempSync(join(tmpdir(), 'socklab-filter-'));
  const file = join(dir, 'all.pcapng');
  const captures = readdirSync(FIXTURES)
    .filter((name) => /\.pcap(ng)?$/.test(name))
    .sort();
  execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', file, ...captures.map((name) => join(FIXTURES, name))]);
  const fields = new Set<string>();
  for (const filter of [...COUNTED, ...LISTED]) {
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new Error(`${filter}: ${compiled.error}`);
    for (const name of compiled.fields) fields.add(name);
  }
  const names = [...fields];
  const args = ['-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`];
  const { stdout } = await run('tshark', [...args, ...names.flatMap((name) => ['-e', name])], { maxBuffer: 1 << 28 });
  const lookups = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line): FieldLookup => {
      const values = new Map<string, string[]>();
      line.split('\t').forEach((text, i) => {
        if (text !== '') values.set(names[i], text.split(AGGREGATOR));
      });
      return (name) => values.get(name);
    });
  frames = { file, lookups };
}, 60_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function selected(filter: string): number[] {
  const compiled = compileFilter(filter);
  if (!compiled.ok) throw new Error(compiled.error);
  return frames.lookups.flatMap((lookup, i) => (compiled.test(lookup) ? [i + 1] : []));
}

describe('compileFilter agrees with tshark on every fixture packet', () => {
  beforeEach(skipWithoutTshark);

  it('counts the same frames as tshark for each filter', async () => {
    const { stdout } = await run('tshark', ['-r', frames.file, '-q', '-z', `io,stat,0,${COUNTED.join(',')}`], { maxBuffer: 1 << 24 });
    const row = stdout.split('\n').find((line) => line.includes('<>'));
    if (row === undefined) throw new Error(`no io,stat row in:\n${stdout}`);
    const cells = row.split('|').slice(2, -1);
    const theirs = COUNTED.map((_, i) => Number(cells[i * 2]));
    expect(theirs[0]).toBe(frames.lookups.length);
    const mine = COUNTED.map((filter) => selected(filter).length);
    expect(COUNTED.map((filter, i) => `${filter}: ${mine[i]}`)).toEqual(COUNTED.map((filter, i) => `${filter}: ${theirs[i]}`));
    // The comparison must be about something: nearly every filter selects some frames.
    expect(theirs.filter((count) => count > 0).length).toBeGreaterThan(COUNTED.length - 3);
  }, 120_000);

  it('selects the same frames as tshark -Y for set filters', async () => {
    for (const filter of LISTED) {
      const { stdout } = await run('tshark', ['-r', frames.file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
        maxBuffer: 1 << 24,
      });
      const theirs = stdout
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
      expect(theirs.length).toBeGreaterThan(0);
      expect({ filter, frames: selected(filter) }).toEqual({ filter, frames: theirs });
    }
  }, 120_000);
});
