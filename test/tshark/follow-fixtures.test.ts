/**
 * Stream following on real captures, against Wireshark: each fixture is read with SockLab's pcap
 * reader, summarised by SockLab's dissector, and every TCP or UDP stream in it is followed from
 * its first frame; each direction's bytes must equal `tshark -z follow,<proto>,raw,N`, including
 * tshark's "[N bytes missing in capture file]" marker where the capture lost data.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { summarize } from '../../src/main/lab/dissect';
import { followStreamBytes, payloadOf, type StreamPacket } from '../../src/main/lab/flows/follow';
import { readCapture } from '../../src/main/lab/pcap/read';
import { PCAP_FIXTURES } from '../helpers/fixtures';
import { skipWithoutTshark } from '../helpers/tshark';

const FIXTURES = PCAP_FIXTURES;
const run = promisify(execFile);

/**
 * Captures with TCP or UDP conversations: handshakes, FIN/RST, a gap the capture lost
 * (bgp-role), TCP Fast Open data on the SYN (tfo), many parallel streams (resp_1_benchmark,
 * kday4), IPv4 and IPv6 UDP (dns_udp_8053, quic_retry). Not here: bgp-cease-hard-reset and
 * of10_s4810, where tshark 4.0 drops or replaces bytes that are in the file (SockLab delivers
 * them, the gap marked).
 */
const CAPTURES = [
  'ssh.pcap',
  'whois.pcap',
  'kday4.pcap',
  'resp_1_benchmark.pcap',
  'tfo-5c1fa7f9ae91.pcap',
  'bgp-role.pcapng',
  'dns_udp_8053.pcap',
  'quic_retry.pcap',
];

const missingMarker = (bytes: number): string => Buffer.from(`[${bytes} bytes missing in capture file]\0`).toString('hex');

interface Followed {
  proto: 'tcp' | 'udp';
  stream: number;
  node0: string;
  /** Hex of each direction's bytes, node 0 → node 1 first. */
  sent: [string, string];
}

/** Parses tshark's raw follow blocks: lines of hex, tab-indented for node 1 → node 0. */
function parseTsharkFollow(text: string): Followed[] {
  const blocks: Followed[] = [];
  let current: Followed | null = null;
  for (const line of text.split('\n')) {
    const head = /^Filter: (tcp|udp)\.stream eq (\d+)/.exec(line);
    if (head) {
      current = { proto: head[1] as 'tcp' | 'udp', stream: Number(head[2]), node0: '', sent: ['', ''] };
      blocks.push(current);
    } else if (current === null || line.startsWith('Node 1:') || line === '') continue;
    else if (line.startsWith('Node 0:')) current.node0 = line.slice(8).trim();
    else if (line.startsWith('====')) current = null;
    else if (line.startsWith('\t')) current.sent[1] += line.trim();
    else current.sent[0] += line.trim();
  }
  return blocks;
}

async function compareCapture(name: string): Promise<{ streams: number; bytes: number; mismatches: string[] }> {
  const file = join(FIXTURES, name);
  const capture = readCapture(readFileSync(file));
  const packets: StreamPacket[] = capture.packets.map((packet, i) => {
    const flow = summarize(packet.data, packet.linkType).flow;
    return { no: i + 1, flow, payload: flow === null ? new Uint8Array() : payloadOf(packet.data, flow) };
  });
  // One tshark run: the stream index of every frame, then the follow blocks. tshark numbers
  // streams from 0; SockLab's own conversation count (plus a margin for reused ports) bounds them.
  const conversations = (proto: string): number =>
    new Set(
      packets
        .filter((p) => p.flow?.proto === proto)
        .map((p) => {
          const flow = p.flow as NonNullable<StreamPacket['flow']>;
          return [`${flow.src}/${flow.srcPort}`, `${flow.dst}/${flow.dstPort}`].sort().join(' ');
        }),
    ).size;
  const follows = (['tcp', 'udp'] as const).flatMap((proto) =>
    Array.from({ length: conversations(proto) + (conversations(proto) > 0 ? 2 : 0) }, (_, n) => ['-z', `follow,${proto},raw,${n}`]).flat(),
  );
  const { stdout } = await run(
    'tshark',
    ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'udp.stream', ...follows],
    { maxBuffer: 1 << 26 },
  );
  const firstFrame = new Map<string, number>();
  for (const line of stdout.slice(0, stdout.indexOf('\n===')).split('\n')) {
    const [no, tcp, udp] = line.split('\t');
    const key = tcp ? `tcp,${tcp.split(',')[0]}` : udp ? `udp,${udp.split(',')[0]}` : '';
    if (key !== '' && !firstFrame.has(key)) firstFrame.set(key, Number(no));
  }
  const mismatches: string[] = [];
  let bytes = 0;
  const blocks = parseTsharkFollow(stdout).filter((block) => firstFrame.has(`${block.proto},${block.stream}`));
  expect(blocks.length).toBe(firstFrame.size);
  for (const block of blocks) {
    const selected = firstFrame.get(`${block.proto},${block.stream}`) as number;
    const result = followStreamBytes(packets, selected);
    if (!result.ok) {
      mismatches.push(`${name} ${block.proto} stream ${block.stream}: ${result.message}`);
      continue;
    }
    const sent = { 'a-to-b': '', 'b-to-a': '' };
    for (const segment of result.value.segments) {
      sent[segment.direction] +=
        (segment.missingBefore > 0 ? missingMarker(segment.missingBefore) : '') + Buffer.from(segment.data).toString('hex');
    }
    const mine: [string, string] = block.node0 === result.value.a ? [sent['a-to-b'], sent['b-to-a']] : [sent['b-to-a'], sent['a-to-b']];
    bytes += (mine[0].length + mine[1].length) / 2;
    if (mine[0] !== block.sent[0] || mine[1] !== block.sent[1]) {
      mismatches.push(
        `${name} ${block.proto} stream ${block.stream} (frame ${selected}): SockLab ${mine.map((h) => h.length / 2)} bytes, tshark ${block.sent.map((h) => h.length / 2)}`,
      );
    }
  }
  return { streams: blocks.length, bytes, mismatches };
}

describe('followStreamBytes on real captures agrees with tshark', () => {
  beforeEach(skipWithoutTshark);

  it('gives each direction the bytes tshark follows, for every stream', async () => {
    const results = await Promise.all(CAPTURES.map(compareCapture));
    expect(results.flatMap((result) => result.mismatches)).toEqual([]);
    // Every capture contributed streams, and the streams carried data.
    expect(results.map((result, i) => [CAPTURES[i], result.streams > 0 && result.bytes > 0])).toEqual(CAPTURES.map((name) => [name, true]));
    expect(results.reduce((sum, result) => sum + result.streams, 0)).toBeGreaterThanOrEqual(25);
  }, 120_000);
});
