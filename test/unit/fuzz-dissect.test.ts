/**
 * Fuzz test: seeded mutations of the reference captures' packets (bit flips, truncation at every
 * length, random bytes, lying length fields). dissect, summarize and fieldValues must never throw,
 * never hit their internal safety net ("Dissector bug"), and always finish. Reads are strict:
 * a read past a layer's end that no dissector checked first throws, and shows here as a
 * `_ws.short_read` node, so a forgotten bounds check fails this test instead of decoding zeros.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dissect, type FieldNode, fieldValues, LINKTYPE, setStrictReads, strictShortReads, summarize } from '../../src/main/lab/dissect';
import { readCapture } from '../../src/main/lab/pcap';
import { PCAP_FIXTURES } from '../helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  data: Uint8Array;
  linkType: number;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  for (const f of readdirSync(FIXTURES)
    .filter((n) => /\.pcap(ng)?$/.test(n))
    .sort()) {
    for (const p of readCapture(readFileSync(join(FIXTURES, f))).packets) out.push({ data: p.data, linkType: p.linkType });
  }
  return out;
}

/** A node that says a dissector failed: its safety net, or a read it did not check. */
function bugOf(nodes: readonly FieldNode[]): string | null {
  for (const n of nodes) {
    if (n.label.startsWith('[Dissector bug')) return 'dissector bug node';
    if (n.name === '_ws.short_read') return `unchecked read: ${n.label}`;
    const inner = n.children ? bugOf(n.children) : null;
    if (inner) return inner;
  }
  return null;
}

/** Runs all three entry points; returns a problem description or null. */
function exercise(data: Uint8Array, linkType: number): string | null {
  try {
    const tree = dissect(data, linkType, { number: 1, tsNs: 0n, origLen: data.length });
    const before = strictShortReads();
    summarize(data, linkType);
    const values = fieldValues(data, linkType);
    if (strictShortReads() !== before) return 'unchecked read in summarize or fieldValues';
    return bugOf(tree) ?? (values.has('_ws.short_read') ? 'unchecked read in fieldValues' : null);
  } catch (err) {
    return `threw: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const LINKTYPES = [
  LINKTYPE.ETHERNET,
  LINKTYPE.LINUX_SLL,
  LINKTYPE.LINUX_SLL2,
  LINKTYPE.NULL,
  LINKTYPE.RAW,
  LINKTYPE.IPV4,
  LINKTYPE.IPV6,
  108,
  12,
];

describe('dissector fuzzing', () => {
  beforeAll(() => setStrictReads(true));
  afterAll(() => setStrictReads(false));

  it('never throws or hangs on mutated, truncated and random packets', () => {
    const base = samples();
    expect(base.length).toBeGreaterThan(1000);
    const random = rng(0x50c1ab);
    const failures: string[] = [];
    const counts = { bitflip: 0, truncation: 0, random: 0, lengthLie: 0, linkSwap: 0 };
    const check = (data: Uint8Array, linkType: number, kind: keyof typeof counts): void => {
      counts[kind]++;
      const problem = exercise(data, linkType);
      if (problem && failures.length < 10) failures.push(`${kind} lt=${linkType} ${problem}: ${Buffer.from(data).toString('hex')}`);
    };
    // Truncation at every length, for every 20th packet.
    for (let i = 0; i < base.length; i += 20) {
      const { data, linkType } = base[i];
      for (let n = 0; n <= data.length; n++) check(data.subarray(0, n), linkType, 'truncation');
    }
    // Bit flips, length-field lies and link type swaps over every packet.
    for (const { data, linkType } of base) {
      for (let k = 0; k < 8; k++) {
        const m = data.slice();
        const flips = 1 + Math.floor(random() * 8);
        for (let f = 0; f < flips && m.length; f++) m[Math.floor(random() * m.length)] ^= 1 << Math.floor(random() * 8);
        check(m, linkType, 'bitflip');
      }
      for (let k = 0; k < 4 && data.length >= 2; k++) {
        const m = data.slice();
        const at = Math.floor(random() * (m.length - 1));
        const lie = [0, 1, 4, 8, 20, 40, 0xff, 0xffff, m.length, m.length + 1][Math.floor(random() * 10)];
        m[at] = lie >> 8;
        m[at + 1] = lie & 0xff;
        check(m, linkType, 'lengthLie');
      }
      check(data, LINKTYPES[Math.floor(random() * LINKTYPES.length)], 'linkSwap');
    }
    // Random bytes on every link type.
    for (let k = 0; k < 3000; k++) {
      const m = new Uint8Array(Math.floor(random() * 200));
      for (let i = 0; i < m.length; i++) m[i] = Math.floor(random() * 256);
      // Make a good share of them look like IPv4/IPv6 so the deeper layers get exercised.
      if (m.length && k % 2 === 0) m[0] = k % 4 === 0 ? 0x45 : 0x60;
      check(m, LINKTYPES[k % LINKTYPES.length], 'random');
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz iterations: ${total} (${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), failures: ${failures.length}`,
    );
    expect(failures).toEqual([]);
  }, 300_000);
});
