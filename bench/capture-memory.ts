/**
 * `npx tsx bench/capture-memory.ts [--packets N]`: what a million packets cost in the ring store
 * and its TCP analysis, and how long the analysis pass and the packet-list queries take over them.
 * Prints figures; asserts nothing.
 *
 * The packets are real frames captured on lo (a TCP conversation: handshake, data both ways,
 * ACKs, FIN), repeated in a cycle and copied into SockLab's PacketStore as the capture process's
 * batches would be. Memory is measured after a full GC (enabled at run time), as growth of
 * heap + ArrayBuffers and of RSS, against the goal: packets' bytes × 2 + 100 bytes per packet.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { createLab } = await import('../src/main/lab/index');
const { PacketStore } = await import('../src/main/lab/capture/store');
const { PacketViews } = await import('../src/main/lab/capture/views');
type Ties = ConstructorParameters<typeof PacketViews>[1];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const at = process.argv.indexOf('--packets');
const COUNT = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;

/** A short real TCP conversation on lo, captured by SockLab itself. */
async function sampleFrames(): Promise<{ data: Uint8Array; len: number }[]> {
  const lab = createLab({ captureLauncher: 'fork' });
  try {
    const must = <T extends { ok: boolean }>(answer: T): Extract<T, { ok: true }> => {
      if (!answer.ok) throw new Error(JSON.stringify(answer));
      return answer as Extract<T, { ok: true }>;
    };
    const listener = must(await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    must(await lab.invoke('socket.bind', { fd: listener, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } }));
    must(await lab.invoke('socket.listen', { fd: listener, backlog: 4 }));
    const name = must(await lab.invoke('socket.getsockname', { fd: listener })).address;
    const port = name && name.family === 'AF_INET' ? name.port : 0;
    must(await lab.invoke('capture.start', { iface: 'lo', filter: `tcp port ${port}`, bufferMB: 64 }));
    const client = must(await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    must(await lab.invoke('socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } }));
    const server = must(await lab.invoke('socket.accept', { fd: listener })).ret;
    for (const size of [10, 100, 1000, 40]) {
      must(await lab.invoke('socket.send', { fd: client, data: Buffer.alloc(size, 0x61) }));
      must(await lab.invoke('socket.recv', { fd: server, maxBytes: 4096 }));
      must(await lab.invoke('socket.send', { fd: server, data: Buffer.alloc(size, 0x62) }));
      must(await lab.invoke('socket.recv', { fd: client, maxBytes: 4096 }));
    }
    must(await lab.invoke('socket.close', { fd: client }));
    must(await lab.invoke('socket.close', { fd: server }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    must(await lab.invoke('capture.stop', {}));
    const rows = must(await lab.invoke('capture.rows', { offset: 0, limit: 5000 })).value.rows;
    const frames = [];
    for (const row of rows) {
      const detail = must(await lab.invoke('capture.packet', { no: row.no })).value;
      frames.push({ data: new Uint8Array(Buffer.from(detail.data)), len: row.len });
    }
    return frames;
  } finally {
    await lab.close();
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
function measure() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapPlusBuffers: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

const frames = await sampleFrames();
const store = new PacketStore({ maxPackets: COUNT, maxBytes: 4 * 1024 * 1024 * 1024 });
const before = measure();
let bytes = 0;
const fillStart = performance.now();
for (let i = 0; i < COUNT; i++) {
  const frame = frames[i % frames.length];
  store.append(1e9 + i * 10, 1.7e15 + i * 10, frame.len, 1, frame.data);
  bytes += frame.data.length;
}
const fillMs = performance.now() - fillStart;
const after = measure();
const goal = bytes * 2 + 100 * COUNT;
const heapGrowth = after.heapPlusBuffers - before.heapPlusBuffers;
const rssGrowth = after.rss - before.rss;

console.log(
  `Ring store holding ${COUNT.toLocaleString('en')} packets (${frames.length} real frames of a lab TCP conversation, cycled; ${mb(bytes)} MiB of packet bytes)`,
);
console.table([
  { figure: 'goal: bytes × 2 + 100 B/packet', MiB: mb(goal), 'B/packet': (goal / COUNT).toFixed(1) },
  { figure: 'heap + ArrayBuffers growth', MiB: mb(heapGrowth), 'B/packet': (heapGrowth / COUNT).toFixed(1) },
  { figure: 'RSS growth', MiB: mb(rssGrowth), 'B/packet': (rssGrowth / COUNT).toFixed(1) },
  {
    figure: "store's own count (chunks + index)",
    MiB: mb(store.footprintBytes()),
    'B/packet': (store.footprintBytes() / COUNT).toFixed(1),
  },
]);
console.log(`filling: ${fillMs.toFixed(0)} ms (${((fillMs * 1000) / COUNT).toFixed(2)} µs/packet)`);

// The packet-list queries over them (no lab sockets: the fd column stays empty).
const untied: Ties = { tieOf: () => ({ socketIds: [], fds: [], callId: null, cause: null }), generation: 0 } as unknown as Ties;
const views = new PacketViews(store, untied);
// The TCP analysis pass the capture area runs as packets arrive (here all at once), and what its
// per-frame records cost.
const analysisStart = performance.now();
views.arrived();
const analysisMs = performance.now() - analysisStart;
const analysed = measure();
const analysisGrowth = analysed.heapPlusBuffers - after.heapPlusBuffers;
console.log(
  `TCP analysis pass: ${analysisMs.toFixed(0)} ms (${((analysisMs * 1000) / COUNT).toFixed(2)} µs/packet), ` +
    `heap + ArrayBuffers growth ${mb(analysisGrowth)} MiB (${(analysisGrowth / COUNT).toFixed(1)} B/packet)`,
);
const time = (label: string, run: () => unknown) => {
  const start = performance.now();
  const result = run();
  return { query: label, ms: (performance.now() - start).toFixed(1), result: JSON.stringify(result).slice(0, 80) };
};
console.table([
  time('rows 0..50, no filter', () => {
    const w = views.window(0, 50, '', null);
    return w.ok ? w.total : w;
  }),
  time(`rows at the end, no filter`, () => {
    const w = views.window(COUNT - 50, 50, '', null);
    return w.ok ? w.rows.length : w;
  }),
  time('display filter "tcp.flags.syn == 1", all slices until pending = 0', () => {
    let calls = 0;
    let longest = 0;
    for (;;) {
      const start = performance.now();
      const w = views.window(0, 50, 'tcp.flags.syn == 1', null);
      longest = Math.max(longest, performance.now() - start);
      calls += 1;
      if (!w.ok) return w;
      if (w.pending === 0) return { total: w.total, calls, longestCallMs: Math.round(longest) };
    }
  }),
  time('same filter again (remembered matches)', () => {
    const w = views.window(0, 50, 'tcp.flags.syn == 1', null);
    return w.ok ? w.total : w;
  }),
]);
