/**
 * `npx tsx bench/filter-store.ts [--packets N] [--no-tshark] [--no-reference]`: display filters
 * over a real PacketStore holding a million packets, through PacketViews.window (what
 * `capture.rows` with a filter runs), timed from the first request until nothing is pending.
 * Printed side by side, in the same run:
 * - SockLab now: the fast field reader for filters on common fields, the full dissector for the rest;
 * - the old path (every packet through the full dissector's fieldLookup), for one filter;
 * - `tshark -r file -Y filter` over the same packets written as pcapng (includes reading the file).
 * The packets are a loopback mix like a lab session's: IPv4 TCP with timestamps (handshakes,
 * data, ACKs, FIN), IPv6 TCP, UDP DNS-like queries, ICMP echo, ICMP port unreachable, ARP.
 * Wall time moves with the machine's load; the CPU time columns are the steadier figure.
 * Asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { PacketStore } = await import('../src/main/lab/capture/store');
const { PacketViews, frameMeta } = await import('../src/main/lab/capture/views');
const { fieldLookup } = await import('../src/main/lab/dissect');
const { compileFilter } = await import('../src/main/lab/filter');
const { writePcapng } = await import('../src/main/lab/pcap');
type Ties = ConstructorParameters<typeof PacketViews>[1];

const arg = (name: string) => process.argv.indexOf(name);
const COUNT = arg('--packets') > 0 ? Number(process.argv[arg('--packets') + 1]) : 1_000_000;
const TSHARK = arg('--no-tshark') < 0;
const REFERENCE = arg('--no-reference') < 0;

// ---- frames -----------------------------------------------------------------------------------

function checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ether(type: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame[12] = type >> 8;
  frame[13] = type & 255;
  frame.set(payload, 14);
  return frame;
}

function ipv4(proto: number, src: number, dst: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, p.length);
  v.setUint16(4, 0x1234);
  p[6] = 0x40;
  p[8] = ttl;
  p[9] = proto;
  v.setUint32(12, src);
  v.setUint32(16, dst);
  v.setUint16(10, checksum(p, 0, 20));
  p.set(payload, 20);
  return p;
}

function ipv6(nxt: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(40 + payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x60;
  v.setUint16(4, payload.length);
  p[6] = nxt;
  p[7] = 64;
  p[23] = 1; // ::1
  p[39] = 1;
  p.set(payload, 40);
  return p;
}

function tcp(sport: number, dport: number, flags: number, seq: number, data: number): Uint8Array {
  const p = new Uint8Array(32 + data);
  const v = new DataView(p.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq);
  v.setUint32(8, flags & 0x10 ? seq + 1000 : 0);
  p[12] = 8 << 4;
  p[13] = flags;
  v.setUint16(14, 512);
  p.set([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], 20); // NOP NOP timestamps
  p.fill(0x61, 32);
  return p;
}

function udp(sport: number, dport: number, data: number): Uint8Array {
  const p = new Uint8Array(8 + data);
  const v = new DataView(p.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, p.length);
  return p;
}

function icmp(type: number, code: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(8 + payload.length);
  p[0] = type;
  p[1] = code;
  p.set(payload, 8);
  new DataView(p.buffer).setUint16(2, checksum(p, 0, p.length));
  return p;
}

const LO = 0x7f000001;
const LO2 = 0x7f000002;
const arp = new Uint8Array([0, 1, 8, 0, 6, 4, 0, 1, 0, 0, 0, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 127, 0, 0, 2]);
const unreachableQuote = ipv4(17, LO, LO2, udp(40000, 9999, 20));
const FRAMES: Uint8Array[] = [
  ether(0x0800, ipv4(6, LO, LO, tcp(40000, 8080, 0x02, 1000, 0))),
  ether(0x0800, ipv4(6, LO, LO, tcp(8080, 40000, 0x12, 5000, 0))),
  ether(0x0800, ipv4(6, LO, LO, tcp(40000, 8080, 0x10, 1001, 0))),
  ether(0x0800, ipv4(6, LO, LO, tcp(40000, 8080, 0x18, 1001, 100))),
  ether(0x0800, ipv4(6, LO, LO, tcp(8080, 40000, 0x10, 5001, 0))),
  ether(0x0800, ipv4(6, LO, LO, tcp(8080, 40000, 0x18, 5001, 1000))),
  ether(0x0800, ipv4(6, LO, LO, tcp(40000, 8080, 0x11, 1101, 0))),
  ether(0x86dd, ipv6(6, tcp(41000, 80, 0x18, 7000, 64))),
  ether(0x0800, ipv4(17, LO, LO2, udp(45000, 53, 40))),
  ether(0x0800, ipv4(1, LO, LO, icmp(8, 0, new Uint8Array(56)))),
  ether(0x0800, ipv4(1, LO2, LO, icmp(3, 3, unreachableQuote))),
  ether(0x0806, arp),
];

// ---- the store --------------------------------------------------------------------------------

const store = new PacketStore({ maxPackets: COUNT, maxBytes: 4 * 1024 * 1024 * 1024 });
const ties: Ties = { tieOf: () => ({ socketIds: [], fds: [], callId: null, cause: null }), generation: 0 } as unknown as Ties;
for (let i = 0; i < COUNT; i++) {
  const frame = FRAMES[i % FRAMES.length];
  store.append(1e9 + i * 10, 1.7e15 + i * 10, frame.length, 1, frame);
}

const FILTERS = [
  'tcp.flags.syn == 1',
  'tcp.port == 8080',
  'ip.addr == 127.0.0.2 || udp.port == 53',
  '!arp && !icmp',
  'tcp.port == 8080 && tcp.flags.syn == 1 && tcp.flags.ack == 0',
  'ipv6',
  'icmp', // ICMP errors go through the full dissector
  'tcp.payload contains "aaaa"', // not a fast field: full dissector for every packet
];

/** CPU time (user + system) this process used since `from`, in ms: steadier than wall time on a busy machine. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

/** Requests rows as the list does until nothing is pending; total time and the longest request. */
function viaViews(filter: string) {
  const views = new PacketViews(store, ties);
  const cpu = process.cpuUsage();
  const start = performance.now();
  let calls = 0;
  let longest = 0;
  for (;;) {
    const t = performance.now();
    const answer = views.window(0, 50, filter, null);
    longest = Math.max(longest, performance.now() - t);
    calls++;
    if (!answer.ok) throw new Error(`${filter}: ${answer.error}`);
    if (answer.pending === 0) return { ms: performance.now() - start, cpuMs: cpuMs(cpu), matched: answer.total, calls, longest };
  }
}

/** The old path: every packet through the full dissector's field lookup. */
function viaDissector(filter: string) {
  const compiled = compileFilter(filter);
  if (!compiled.ok) throw new Error(compiled.error);
  const cpu = process.cpuUsage();
  const start = performance.now();
  let matched = 0;
  for (let no = store.firstNo; no < store.nextNo; no++) {
    const packet = store.get(no);
    if (packet && compiled.test(fieldLookup(packet.data, packet.linkType, frameMeta(packet)))) matched++;
  }
  return { ms: performance.now() - start, cpuMs: cpuMs(cpu), matched };
}

let pcapPath = '';
function viaTshark(filter: string) {
  if (pcapPath === '') {
    pcapPath = join(tmpdir(), `socklab-filter-bench-${COUNT}.pcapng`);
    const packets = [];
    for (let no = store.firstNo; no < store.nextNo; no++) {
      const p = store.get(no);
      if (p) packets.push({ data: p.data, tsNs: BigInt(Math.round(p.tsUs)) * 1000n, origLen: p.len });
    }
    writeFileSync(pcapPath, writePcapng(packets, { ifaceName: 'lo', linkType: 1 }));
  }
  const start = performance.now();
  const run = spawnSync('sh', ['-c', `tshark -n -r '${pcapPath}' -Y '${filter}' -T fields -e frame.number | wc -l`], { encoding: 'utf8' });
  return { ms: performance.now() - start, matched: Number(run.stdout.trim()) };
}

console.log(
  `Display filters over ${COUNT.toLocaleString('en')} packets held in a PacketStore (${FRAMES.length} loopback frames cycled), node ${process.version}`,
);
const rows = [];
for (const filter of FILTERS) {
  const now = viaViews(filter);
  const row: Record<string, string | number> = {
    filter,
    'SockLab s': (now.ms / 1000).toFixed(2),
    'SockLab CPU s': (now.cpuMs / 1000).toFixed(2),
    matched: now.matched,
    'requests (longest ms)': `${now.calls} (${now.longest.toFixed(0)})`,
  };
  if (REFERENCE && filter === FILTERS[0]) {
    const old = viaDissector(filter);
    row['full dissector s'] = (old.ms / 1000).toFixed(2);
    row['full dissector CPU s'] = (old.cpuMs / 1000).toFixed(2);
  }
  if (TSHARK && (filter === FILTERS[0] || filter === FILTERS[2])) {
    // tshark reads the file and starts up too; on 1M packets this takes minutes on a busy VM.
    const shark = viaTshark(filter);
    row['tshark -Y s'] = (shark.ms / 1000).toFixed(2);
    row['tshark matched'] = shark.matched;
  }
  rows.push(row);
}
console.table(rows);
