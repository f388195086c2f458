/**
 * The TCP analysis in the capture area: a file opened in small pieces is analysed as its packets
 * arrive in the store, and then rows, display filters and the field tree show what tshark shows
 * (`tshark -Y FILTER` counts, the Info column's analysis prefixes, the bad-TCP colouring).
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FieldNode } from '@shared/capture';
import { TCP_EXPERT_KINDS } from '../../src/main/lab/dissect';
import type { Lab } from '../../src/main/lab/index';
import { call, ok, openLab } from '../helpers/lab';
import { skipWithoutTshark, tshark } from '../helpers/tshark';
import { LOSSY_CAPTURE } from '../helpers/fixtures';

let lab: Lab;
afterEach(async () => lab?.close());

/** Opens the lossy-link capture in 4 KiB pieces (so the analysis runs piece by piece). */
async function openLossy(): Promise<void> {
  const file = readFileSync(LOSSY_CAPTURE);
  const { openId } = ok(await call(lab, 'capture.open', { name: 'lossy-link.pcapng' })).value;
  for (let at = 0; at < file.length; at += 4096) {
    ok(await call(lab, 'capture.openChunk', { openId, offset: at, data: file.subarray(at, at + 4096) }));
  }
  ok(await call(lab, 'capture.openEnd', { openId, cancel: false }));
}

async function rows(filter: string) {
  return ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter, socketId: null })).value.rows;
}

const FILTERS = [
  'tcp.analysis.flags',
  'tcp.analysis.retransmission',
  'tcp.analysis.fast_retransmission',
  'tcp.analysis.duplicate_ack_num >= 3',
  'tcp.analysis.zero_window || tcp.analysis.window_full',
  'tcp.analysis.ack_rtt > 0.01',
  'tcp.analysis.bytes_in_flight > 30000',
  'tcp.stream == 0 && tcp.seq > 100000 && tcp.nxtseq < 150000',
  'tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack',
];

describe('TCP analysis in the capture area', () => {
  beforeEach(skipWithoutTshark);

  it('filters on tcp.analysis.* and tcp.seq as tshark -Y does, and the rows carry the Info prefixes and the bad-TCP mark', async () => {
    lab = openLab();
    await openLossy();
    for (const filter of FILTERS) {
      const theirs = tshark(['-r', LOSSY_CAPTURE, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean);
      const ours = (await rows(filter)).map((row) => String(row.no));
      expect({ filter, frames: ours }).toEqual({ filter, frames: theirs });
    }
    const infos = tshark(['-r', LOSSY_CAPTURE, '-n', '-T', 'fields', '-e', '_ws.col.Info']).split('\n');
    const all = await rows('');
    const prefix = (info: string) => /^(\[TCP [^\]]*\] )*/.exec(info)?.[0] ?? '';
    expect(all.map((row) => prefix(row.info))).toEqual(all.map((row) => prefix(infos[row.no - 1])));
    const bad = new Set((await rows(FILTERS[FILTERS.length - 1])).map((row) => row.no));
    expect(bad.size).toBeGreaterThan(10);
    for (const row of all) expect({ no: row.no, bad: row.mark === 'tcp-bad' }).toEqual({ no: row.no, bad: bad.has(row.no) });
  });

  it('shows the analysis in the field tree of a duplicate ACK', async () => {
    lab = openLab();
    await openLossy();
    const [dup] = await rows('tcp.analysis.duplicate_ack_num == 2');
    const tree = ok(await call(lab, 'capture.packet', { no: dup.no })).value.tree;
    const tcp = tree.find((node) => node.name === 'tcp');
    const find = (nodes: readonly FieldNode[] | undefined, name: string): FieldNode | undefined =>
      nodes?.map((n) => (n.name === name ? n : find(n.children, name))).find(Boolean);
    expect(find(tcp?.children, 'tcp.stream')?.value).toBe('0');
    expect(find(tcp?.children, 'tcp.analysis.duplicate_ack_num')?.value).toBe('2');
    expect(find(tcp?.children, 'tcp.analysis.duplicate_ack')?.label).toBe('This is a TCP duplicate ack');
  });

  it('lists the Expert Information tshark -z expert gives for the TCP analysis, each entry a packet of its kind', async () => {
    lab = openLab();
    await openLossy();
    // "          10   Sequence                TCP  This frame is a (suspected) out-of-order segment"
    const theirs = new Map<string, number>();
    for (const line of tshark(['-r', LOSSY_CAPTURE, '-n', '-q', '-z', 'expert']).split('\n')) {
      const m = /^\s+(\d+)\s+Sequence\s+TCP\s+(.+)$/.exec(line);
      if (m) theirs.set(m[2].replace(/ \(#\d+\)$/, ''), (theirs.get(m[2].replace(/ \(#\d+\)$/, '')) ?? 0) + Number(m[1]));
    }
    const { groups } = ok(await call(lab, 'capture.expert', {})).value;
    const tcpGroups = groups.filter((g) => g.kind.startsWith('tcp.'));
    const ours = new Map(tcpGroups.map((g) => [TCP_EXPERT_KINDS.find((k) => k.name === g.kind)?.summary ?? g.kind, g.count]));
    const known = new Set(TCP_EXPERT_KINDS.map((k) => k.summary));
    expect(ours).toEqual(new Map([...theirs].filter(([summary]) => known.has(summary))));
    expect(groups.map((g) => g.severity)).toEqual(
      [...groups.map((g) => g.severity)].sort((a, b) => ['warn', 'note', 'chat'].indexOf(a) - ['warn', 'note', 'chat'].indexOf(b)),
    );
    const dup = groups.find((g) => g.kind === 'tcp.analysis.duplicate_ack');
    const filtered = await rows('tcp.analysis.duplicate_ack_num');
    expect(dup?.entries.map((e) => e.no)).toEqual(filtered.map((row) => row.no));
    expect(dup?.entries.every((e) => e.detail !== null && e.detail > 0)).toBe(true);
  });

  it("marks the ladder's arrows with the same findings as the packet list (out-of-order, not retransmission)", async () => {
    lab = openLab();
    await openLossy();
    const [ooo] = await rows('tcp.analysis.out_of_order');
    const { svg } = ok(await call(lab, 'capture.ladder', { no: ooo.no, theme: 'light' })).value;
    // The arrow's group and its note, up to the next arrow.
    const arrow = new RegExp(`data-no="${ooo.no}">(.*?)(<g class="packet|$)`, 's').exec(svg)?.[1] ?? '';
    expect(arrow).toContain('out-of-order');
    expect(arrow).not.toContain('retransmission');
  });
});
