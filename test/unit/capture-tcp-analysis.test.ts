/**
 * The capture's TCP analysis table: records made as packets arrive, kept per held frame in a
 * ring of typed arrays, dropped with the frames the store evicts, and equal to what one
 * analysis pass over the whole file gives (so eviction never changes a held frame's analysis).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeTcp, summarize, TcpAnalyzer } from '../../src/main/lab/dissect';
import { PacketStore } from '../../src/main/lab/capture/store';
import { CaptureTcpAnalysis } from '../../src/main/lab/capture/tcp-analysis';
import { readCapture } from '../../src/main/lab/pcap';
import { fixturePath, LOSSY_CAPTURE } from '../helpers/fixtures';
import { expertInfo } from '../../src/main/lab/capture/expert';

const packets = readCapture(readFileSync(LOSSY_CAPTURE)).packets;

/** One pass over the whole file: frame number → its records. */
function reference() {
  const analyzer = new TcpAnalyzer();
  return packets.map((p, i) => analyzeTcp(p.data, p.linkType, { number: i + 1, tsNs: p.tsNs, origLen: p.origLen }, analyzer));
}

function append(store: PacketStore, from: number, to: number): void {
  for (const p of packets.slice(from, to)) store.append(0, p.tsUs, p.origLen, p.linkType, p.data, Number(p.tsNs % 1000n));
}

describe('capture TCP analysis table', () => {
  it('keeps each held frame the records one full pass gives, batch after batch, with the oldest evicted', () => {
    const expected = reference();
    const store = new PacketStore({ maxPackets: 100, maxBytes: 1 << 30 });
    const analysis = new CaptureTcpAnalysis();
    for (let at = 0; at < packets.length; at += 37) {
      append(store, at, at + 37);
      analysis.arrived(store);
    }
    expect(store.firstNo).toBe(packets.length - 99);
    expect(analysis.recordsOf(store.firstNo - 1)).toBeUndefined();
    for (let no = store.firstNo; no < store.nextNo; no++)
      expect({ no, records: analysis.recordsOf(no) }).toEqual({ no, records: expected[no - 1] });
    expect(expected.some((records) => records.some((r) => r.dupAckNum > 1))).toBe(true);
  });

  it('starts again from stream 0 after clear', () => {
    const store = new PacketStore({ maxPackets: 1000, maxBytes: 1 << 30 });
    const analysis = new CaptureTcpAnalysis();
    append(store, 0, 10);
    analysis.arrived(store);
    store.clear();
    analysis.clear();
    append(store, 0, 10);
    analysis.arrived(store);
    expect(analysis.recordsOf(1)?.[0]).toMatchObject({ stream: 0, seq: 0, nxtseq: 1 });
    expect(analysis.recordsOf(3)?.[0]).toMatchObject({ analysed: true, initialRttNs: expect.any(BigInt) });
  });

  it('remembers which frames were malformed, for the Expert Information errors', () => {
    const file = readCapture(readFileSync(fixturePath('babel_update_oobr.pcap'))).packets;
    const store = new PacketStore({ maxPackets: 1000, maxBytes: 1 << 30 });
    const analysis = new CaptureTcpAnalysis();
    for (const p of file) store.append(0, p.tsUs, p.origLen, p.linkType, p.data, 0);
    analysis.arrived(store);
    const malformed = file.flatMap((p, i) => (summarize(p.data, p.linkType, { origLen: p.origLen }).mark === 'malformed' ? [i + 1] : []));
    expect(malformed.length).toBeGreaterThan(0);
    expect(file.map((_, i) => i + 1).filter((no) => analysis.malformed(no))).toEqual(malformed);
    const [errors] = expertInfo(store, analysis);
    expect(errors).toMatchObject({ severity: 'error', kind: '_ws.malformed', count: malformed.length });
  });
});
