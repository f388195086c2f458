/**
 * `npm run fixtures:tshark [-- FILE...]`: regenerates tshark's reference decode of the captures
 * in test/fixtures/pcap (`NAME.tshark.json` beside each `NAME.pcap`/`NAME.pcapng`), which
 * test/unit/dissect-fixtures.test.ts compares SockLab's dissectors against. Without arguments
 * it refreshes every capture there; with file names, only those.
 *
 * Each reference is tshark's `-T fields -E occurrence=f` output (the OUTERMOST occurrence of
 * each field) for the fields in REFERENCE_FIELDS, empty fields left out:
 *
 *     { "file", "linktype", "tshark": "<major.minor>", "packets": [ { "<field>": "<value>" } ] }
 *
 * tshark runs with its default preferences (checksums unchecked: they are compared as printed).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../src/main/lab/pcap/read';

const FIXTURES = resolve(fileURLToPath(new URL('../test/fixtures/pcap', import.meta.url)));

/** The fields the reference carries: what SockLab's dissectors must agree with tshark on. */
export const REFERENCE_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'frame.cap_len',
  'sll.pkttype',
  'sll.etype',
  'eth.src',
  'eth.dst',
  'eth.type',
  'vlan.id',
  'ip.version',
  'ip.hdr_len',
  'ip.len',
  'ip.id',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.frag_offset',
  'ip.ttl',
  'ip.proto',
  'ip.checksum',
  'ip.src',
  'ip.dst',
  'ipv6.plen',
  'ipv6.nxt',
  'ipv6.hlim',
  'ipv6.flow',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.hdr_len',
  'tcp.flags',
  'tcp.window_size_value',
  'tcp.len',
  'tcp.checksum',
  'tcp.urgent_pointer',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum',
  'icmp.type',
  'icmp.code',
  'icmp.checksum',
  'icmp.ident',
  'icmp.seq',
  'icmpv6.type',
  'icmpv6.code',
  'icmpv6.checksum',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
] as const;

/** Wireshark's short encapsulation names (`editcap -T`) for the pcap link types in the corpus. */
const ENCAP_NAMES: Readonly<Record<number, string>> = {
  0: 'null',
  1: 'ether',
  12: 'rawip',
  14: 'rawip',
  101: 'rawip',
  108: 'loop',
  113: 'linux-sll',
  228: 'rawip4',
  229: 'rawip6',
  276: 'linux-sll2',
};

/** "4.0" from tshark's version banner. */
function tsharkVersion(): string {
  const banner = execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const match = /TShark \(Wireshark\) (\d+\.\d+)/.exec(banner);
  if (!match) throw new Error(`cannot read tshark's version from: ${banner.split('\n')[0]}`);
  return match[1];
}

/** tshark's decode of one capture, one record per packet, empty fields left out. */
function decode(file: string): Record<string, string>[] {
  const args = [
    '-r',
    file,
    '-n',
    '-T',
    'fields',
    '-E',
    'occurrence=f',
    '-E',
    'separator=/t',
    ...REFERENCE_FIELDS.flatMap((f) => ['-e', f]),
  ];
  // A malformed capture makes tshark exit 2 after printing what it read: keep that output.
  let out: string;
  try {
    out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    const partial = (err as { stdout?: string }).stdout;
    if (typeof partial !== 'string') throw err;
    out = partial;
  }
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      const record: Record<string, string> = {};
      REFERENCE_FIELDS.forEach((name, i) => {
        if (values[i]) record[name] = values[i];
      });
      return record;
    });
}

/** The same layout as the files have always had: one key per line, easy to diff. */
function render(file: string, linktype: string, version: string, packets: Record<string, string>[]): string {
  const q = JSON.stringify;
  const records = packets.map(
    (p) =>
      `{\n${Object.entries(p)
        .map(([k, v]) => `${q(k)}: ${q(v)}`)
        .join(',\n')}\n}`,
  );
  return `{\n"file": ${q(file)},\n"linktype": ${q(linktype)},\n"tshark": ${q(version)},\n"packets": [\n${records.join(',\n')}\n]\n}`;
}

function main(): void {
  const wanted = process.argv.slice(2).map((f) => basename(f));
  const captures = (wanted.length ? wanted : readdirSync(FIXTURES).filter((f) => /\.pcap(ng)?$/.test(f))).sort();
  const version = tsharkVersion();
  for (const name of captures) {
    const path = join(FIXTURES, name);
    const read = readCapture(readFileSync(path));
    const linkType = read.packets[0]?.linkType ?? -1;
    const linktype = ENCAP_NAMES[linkType] ?? `linktype-${linkType}`;
    writeFileSync(`${path}.tshark.json`, render(name, linktype, version, decode(path)));
  }
  console.log(`tshark ${version}: ${captures.length} reference decode(s) written in ${FIXTURES}`);
}

main();
