/**
 * Display-filter speed: packets per second for typical filters, over a million evaluations of
 * prebuilt synthetic lookups, next to a hand-written predicate doing the same lookups (the
 * reference: what the lookups alone cost). Then the same filters over the fixture captures'
 * real packets as the dissector's `fieldValues` gives them, and the cost of decoding plus
 * filtering, which is what filtering a capture that holds no decoded fields costs.
 *
 *   npx tsx bench/filter-speed.ts
 */
import { compileFilter } from '../src/main/lab/filter';
import { fieldValues } from '../src/main/lab/dissect';
import type { FieldLookup } from '../src/main/lab/dissect/types';
import { fixturePackets, lookupsOf } from './filter-real';

const EVALUATIONS = 1_000_000;
const DISTINCT = 10_000;

/** Synthetic packets: TCP on loopback (some SYN, some HTTP), UDP, ARP and IPv6 mixed. */
function syntheticLookups(count: number): FieldLookup[] {
  const lookups: FieldLookup[] = [];
  for (let i = 0; i < count; i++) {
    const fields = new Map<string, string[]>();
    const kind = i % 4;
    if (kind === 3) {
      fields.set('eth.type', ['0x0806']).set('arp.opcode', ['1']).set('arp.src.proto_ipv4', ['10.0.0.1']);
    } else if (kind === 2) {
      fields
        .set('ipv6.src', ['::1'])
        .set('ipv6.dst', ['::1'])
        .set('udp.srcport', [String(5000 + (i % 100))])
        .set('udp.dstport', ['53']);
    } else {
      fields
        .set('eth.type', ['0x0800'])
        .set('ip.version', ['4'])
        .set('ip.src', ['127.0.0.1'])
        .set('ip.dst', [`127.0.0.${1 + (i % 3)}`]);
      fields
        .set('ip.ttl', ['64'])
        .set('tcp.srcport', [String(40000 + (i % 1000))])
        .set('tcp.dstport', [i % 8 === 0 || i % 2 === 1 ? '8080' : '80']);
      fields.set('tcp.flags', [i % 8 === 0 ? '0x0002' : '0x0018']).set('tcp.flags.syn', [i % 8 === 0 ? '1' : '0']);
      if (i % 8 !== 0) fields.set('tcp.payload', ['474554202f20485454502f312e310d0a486f73743a206c6f63616c686f73740d0a']);
    }
    lookups.push((name) => fields.get(name));
  }
  return lookups;
}

const FILTERS = [
  'tcp',
  '!arp',
  'tcp.port == 8080',
  'tcp.port == 8080 && tcp.flags.syn == 1',
  'ip.addr == 127.0.0.0/8',
  'ip.dst == 127.0.0.2 || udp.port == 53',
  'tcp.flags == 0x12 || tcp.flags > 0x10',
  'tcp.port in {80 443 8000..8100}',
  'ipv6.addr == ::1',
  'tcp.payload contains "Host"',
  'tcp.payload matches "^get /"',
];

/** Reference: the same work as 'tcp.port == 8080 && tcp.flags.syn == 1', written by hand. */
function handWritten(lookup: FieldLookup): boolean {
  const ports = [...(lookup('tcp.srcport') ?? []), ...(lookup('tcp.dstport') ?? [])];
  if (!ports.some((p) => Number(p) === 8080)) return false;
  return (lookup('tcp.flags.syn') ?? []).some((v) => v === '1' || v === 'True');
}

function rate(
  test: (lookup: FieldLookup) => boolean,
  lookups: readonly FieldLookup[],
  evaluations: number,
): { perSecond: number; matched: number } {
  let matched = 0;
  for (let i = 0; i < 50_000; i++) test(lookups[i % lookups.length]); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < evaluations; i++) if (test(lookups[i % lookups.length])) matched++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: evaluations / seconds, matched };
}

function table(title: string, lookups: readonly FieldLookup[], evaluations: number): void {
  console.log(`\n${title}: ${evaluations.toLocaleString('en')} evaluations over ${lookups.length.toLocaleString('en')} prebuilt lookups`);
  console.log(`${'filter'.padEnd(44)} ${'packets/s'.padStart(14)} ${'1M takes'.padStart(10)} ${'matched'.padStart(9)}`);
  const line = (name: string, r: { perSecond: number; matched: number }): void =>
    console.log(
      `${name.padEnd(44)} ${Math.round(r.perSecond).toLocaleString('en').padStart(14)} ${`${((1e6 / r.perSecond) * 1000).toFixed(0)} ms`.padStart(10)} ${String(r.matched).padStart(9)}`,
    );
  line('(reference: hand-written port+syn test)', rate(handWritten, lookups, evaluations));
  for (const filter of FILTERS) {
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new Error(`${filter}: ${compiled.error}`);
    line(filter, rate(compiled.test, lookups, evaluations));
  }
}

const compileStart = process.hrtime.bigint();
for (let i = 0; i < 10_000; i++) compileFilter(FILTERS[i % FILTERS.length]);
console.log(`compile: ${(Number(process.hrtime.bigint() - compileStart) / 1e3 / 10_000).toFixed(1)} µs per filter (mean over 10,000)`);
console.log(`node ${process.version}`);

table('Synthetic packets', syntheticLookups(DISTINCT), EVALUATIONS);

const packets = fixturePackets();
const real = lookupsOf(packets);
table(`Real packets: ${packets.length.toLocaleString('en')} fixture packets through fieldValues`, real, EVALUATIONS);

// Decode + filter: each evaluation decodes the frame first (fieldValues), then tests it.
const decodeCount = 200_000;
const compiled = compileFilter('tcp.port == 8080 && tcp.flags.syn == 1');
if (!compiled.ok) throw new Error(compiled.error);
const decodeStart = process.hrtime.bigint();
let decodedMatches = 0;
for (let i = 0; i < decodeCount; i++) {
  const packet = packets[i % packets.length];
  const values = fieldValues(packet.data, packet.linkType);
  if (compiled.test((name) => values.get(name))) decodedMatches++;
}
const decodeSeconds = Number(process.hrtime.bigint() - decodeStart) / 1e9;
console.log(`\nDecode (fieldValues) + filter 'tcp.port == 8080 && tcp.flags.syn == 1', ${decodeCount.toLocaleString('en')} real packets:`);
console.log(
  `  ${Math.round(decodeCount / decodeSeconds).toLocaleString('en')} packets/s; 1M would take ${(1e6 / (decodeCount / decodeSeconds)).toFixed(2)} s (${decodedMatches} matched)`,
);
