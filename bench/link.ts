/**
 * `npx tsx bench/link.ts [--quick]`: how faithfully the lab network's link does what it is told,
 * printed side by side with a direct loopback conversation; no assertions.
 *
 * The bench re-runs itself inside `unshare -Urn` (as the lab's engine runs), creates a lab
 * network (hosts A and B) with the engine's own `LabNetwork`, and talks between the hosts with
 * plain node:dgram sockets made in each host's namespace:
 * 1. added latency at 0 ms configured delay: UDP ping-pong A↔B (64 bytes, one in flight, 2000
 *    rounds), against the same ping-pong over host A's own loopback; (link − loopback) / 2 per
 *    direction;
 * 2. delay: 10 ms configured, one-way delay of each frame as the link saw it (read from A's end
 *    to written at B's end) and end to end (ping-pong RTT / 2 minus the loopback figure);
 * 3. loss: 10 % configured, 10,000 datagrams A→B: the share of frames the link dropped, and the
 *    share B's socket never received (which adds what a loaded machine loses in socket buffers);
 * 4. rate: 10 Mbit/s configured, a UDP flood A→B for 10 s (1,200-byte payloads, offered at
 *    about twice the rate), frame bits delivered at B's end per second.
 * Goals (issue 12): loss within ±1 point, delay p95 within 1 ms, rate within 5 %, added latency
 * p50 under 200 µs.
 */
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');

if (process.env.SOCKLAB_BENCH_IN_NS !== '1') {
  // Namespaces first: unshare(CLONE_NEWUSER) needs a single-threaded process, so not this one.
  const run = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--net', process.execPath, '--import', 'tsx', here, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, SOCKLAB_BENCH_IN_NS: '1', TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) },
    },
  );
  process.exit(run.status ?? 1);
}

const { DEFAULT_HOSTS } = await import('../src/shared/net');
const { LabNetwork } = await import('../src/main/lab/net/network');
const { nowUs } = await import('../src/main/lab/net/timers');
const { sysBind, sysSocket, toSockaddr } = await import('../src/main/lab/libc');
const { percentile } = await import('./stats');

const network = new LabNetwork(
  { hosts: DEFAULT_HOSTS, link: {}, rules: [], step: false },
  { tie: () => ({ fd: null, callId: null }), held: () => undefined, released: () => undefined },
);

/** A UDP socket made in `host`'s namespace and bound to address:port there. */
function udpOn(host: string, address: string, port: number): Socket {
  const fd = sysSocket(2, 2, 0, network.nsOf(host));
  if (!fd.ok) throw new Error(fd.message);
  const bound = sysBind(fd.value, toSockaddr({ family: 'AF_INET', address, port }));
  if (!bound.ok) throw new Error(bound.message);
  const socket = createSocket('udp4');
  socket.bind({ fd: fd.value });
  return socket;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RTTs in µs: one datagram in flight at a time, echoed by `server`. */
async function echoRtts(client: Socket, server: Socket, address: string, port: number, rounds: number): Promise<number[]> {
  server.on('message', (message, from) => server.send(message, from.port, from.address));
  const payload = Buffer.alloc(64);
  const rtts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = nowUs();
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        client.off('message', onMessage);
        resolve(false);
      }, 1000);
      const onMessage = () => {
        clearTimeout(timer);
        resolve(true);
      };
      client.once('message', onMessage);
      client.send(payload, port, address);
    });
    if (answered) rtts.push(nowUs() - start);
  }
  server.removeAllListeners('message');
  return rtts;
}

const fmt = (us: number) => `${(us / 1000).toFixed(3)} ms`;
const rows: string[][] = [];

// 1. Added latency at 0 ms.
const a = udpOn('A', '10.0.0.1', 5000);
const b = udpOn('B', '10.0.0.2', 5000);
const loClient = udpOn('A', '127.0.0.1', 5001);
const loServer = udpOn('A', '127.0.0.1', 5002);
const rounds = quick ? 300 : 2000;
await echoRtts(a, b, '10.0.0.2', 5000, 50); // warm-up: ARP, JIT
await echoRtts(loClient, loServer, '127.0.0.1', 5002, 50);
const linkRtt = await echoRtts(a, b, '10.0.0.2', 5000, rounds);
const loRtt = await echoRtts(loClient, loServer, '127.0.0.1', 5002, rounds);
const added50 = (percentile(linkRtt, 50) - percentile(loRtt, 50)) / 2;
const added95 = (percentile(linkRtt, 95) - percentile(loRtt, 95)) / 2;
rows.push(['UDP RTT A↔B over the link (0 ms)', `p50 ${fmt(percentile(linkRtt, 50))}`, `p95 ${fmt(percentile(linkRtt, 95))}`, '']);
rows.push(["UDP RTT on host A's loopback (direct)", `p50 ${fmt(percentile(loRtt, 50))}`, `p95 ${fmt(percentile(loRtt, 95))}`, '']);
rows.push([
  'added latency per direction',
  `p50 ${fmt(added50)}`,
  `p95 ${fmt(added95)}`,
  `goal p50 < 0.200 ms: ${added50 < 200 ? 'met' : 'NOT met'}`,
]);

// 2. Delay: 10 ms configured, per frame as the link saw it, and end to end.
const delayMs = 10;
network.configure({ delayMs });
const entered = new WeakMap<Buffer, number>();
const linkDelays: number[] = [];
const untap = network.addTap((end, monoUs, data) => {
  if (end === 'A' && !entered.has(data)) entered.set(data, monoUs);
  else if (end === 'B' && entered.has(data)) linkDelays.push(monoUs - (entered.get(data) as number));
});
const delayedRtt = await echoRtts(a, b, '10.0.0.2', 5000, quick ? 200 : 1000);
untap();
const oneWay = delayedRtt.map((rtt) => rtt / 2 - percentile(loRtt, 50) / 2);
const p95Error = Math.abs(percentile(linkDelays, 95) - delayMs * 1000);
rows.push([
  `delay ${delayMs} ms: on the link (A end → B end)`,
  `p50 ${fmt(percentile(linkDelays, 50))}`,
  `p95 ${fmt(percentile(linkDelays, 95))}`,
  `goal p95 within 1 ms: ${p95Error <= 1000 ? 'met' : 'NOT met'}`,
]);
rows.push([
  `delay ${delayMs} ms: end to end (RTT / 2 − loopback)`,
  `p50 ${fmt(percentile(oneWay, 50))}`,
  `p95 ${fmt(percentile(oneWay, 95))}`,
  '',
]);
network.configure({ delayMs: 0 });

// 3. Loss: 10 % of 10,000 datagrams.
const lossPercent = 10;
const total = 10_000;
network.configure({ lossPercent });
const before = { ...network.link.counters };
let received = 0;
b.on('message', () => received++);
for (let i = 0; i < total; i++) {
  a.send(Buffer.alloc(64), 5000, '10.0.0.2');
  if (i % 50 === 49) await sleep(2); // paced, so no socket buffer overflows and counts as loss
}
await sleep(500);
b.removeAllListeners('message');
// The link's own loss (frames it dropped of those A sent), and what B's socket received.
network.countOverruns();
const overruns = network.link.counters.droppedOverrun - before.droppedOverrun;
const frames = network.link.counters.frames - before.frames - overruns;
const linkLoss = (100 * (network.link.counters.droppedLoss - before.droppedLoss)) / frames;
const endToEnd = (100 * (total - received)) / total;
rows.push([
  `loss ${lossPercent} % over ${frames} frames (on the link)`,
  `${linkLoss.toFixed(2)} % dropped`,
  '',
  `goal ±1 point: ${Math.abs(linkLoss - lossPercent) <= 1 ? 'met' : 'NOT met'}`,
]);
rows.push([`frames A sent that the engine could not read in time`, `${overruns}`, '', '']);
rows.push([
  `loss end to end (${total} datagrams sent by A)`,
  `${endToEnd.toFixed(2)} % never read by B`,
  "(the rest: B's socket buffer under load)",
  '',
]);
network.configure({ lossPercent: 0 });

// 4. Rate: 10 Mbit/s for 10 s.
const rateKbps = 10_000;
const seconds = quick ? 3 : 10;
network.configure({ rateKbps, queueFrames: 200 });
let deliveredBits = 0;
let measuring = false;
const untapRate = network.addTap((end, _monoUs, data) => {
  if (end === 'B' && measuring) deliveredBits += data.length * 8;
});
const payload = Buffer.alloc(1200);
let flooding = true;
const flood = (async () => {
  while (flooding) {
    for (let i = 0; i < 4; i++) a.send(payload, 5000, '10.0.0.2');
    await sleep(2); // ~2000 datagrams/s offered: about twice what 10 Mbit/s carries
  }
})();
await sleep(1000); // the queue fills: measure the steady state
measuring = true;
const started = nowUs();
await sleep(seconds * 1000);
const elapsedS = (nowUs() - started) / 1e6;
measuring = false;
flooding = false;
await flood;
untapRate();
const measuredKbps = deliveredBits / 1000 / elapsedS;
const rateError = (100 * (measuredKbps - rateKbps)) / rateKbps;
rows.push([
  `rate ${rateKbps} kbit/s for ${seconds} s (frame bits at B)`,
  `${measuredKbps.toFixed(0)} kbit/s`,
  `${rateError >= 0 ? '+' : ''}${rateError.toFixed(2)} %`,
  `goal within 5 %: ${Math.abs(rateError) <= 5 ? 'met' : 'NOT met'}`,
]);
rows.push(['link counters', JSON.stringify(network.link.counters), '', '']);

for (const socket of [a, b, loClient, loServer]) socket.close();
network.close();
const width = rows.reduce((w, r) => Math.max(w, r[0].length), 0);
for (const row of rows) console.log(`${row[0].padEnd(width)}  ${row.slice(1).filter(Boolean).join('  ')}`);
process.exit(0);
