/**
 * `npx tsx bench/tie-stamps.ts [--rounds N]`: how the kernel's packet stamps fall against the
 * call log's times, which is what the packet-to-call tie windows (capture/ties.ts) must cover.
 * Prints distributions; asserts nothing.
 *
 * Each round, through the lab's facade with capture on lo: a UDP `sendto` (its datagram), a TCP
 * `connect` (its SYN), a TCP `send` (its data segment) and `shutdown(SHUT_WR)` (its FIN). Each packet is matched to its call by
 * content (payload index, SYN of that socket's port), never by time, and the figure is the stamp
 * (kernel CLOCK_REALTIME converted to CLOCK_MONOTONIC by the capture process's measured offset)
 * minus the call's logged start and end. A negative "after end" means the packet was stamped
 * before the call returned, as a send's packet is on lo.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { createLab } = await import('../src/main/lab/index');
const { must, percentile } = await import('./stats');

const at = process.argv.indexOf('--rounds');
const ROUNDS = at > 0 ? Number(process.argv[at + 1]) : 200;

const lab = createLab({ captureLauncher: 'fork', mode: 'headless' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sample {
  kind: string;
  afterStart: number;
  afterEnd: number;
}

try {
  const server = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
  await must(lab, 'socket.bind', { fd: server, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
  await must(lab, 'socket.listen', { fd: server, backlog: 512 });
  const named = (await must(lab, 'socket.getsockname', { fd: server })).address;
  const tcpPort = named && named.family === 'AF_INET' ? named.port : 0;
  const sink = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' })).ret;
  await must(lab, 'socket.bind', { fd: sink, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
  const sinkName = (await must(lab, 'socket.getsockname', { fd: sink })).address;
  const udpPort = sinkName && sinkName.family === 'AF_INET' ? sinkName.port : 0;
  await must(lab, 'capture.start', { iface: 'lo', filter: `udp dst port ${udpPort} or tcp dst port ${tcpPort}` });
  const udp = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' })).ret;

  const wanted: { kind: string; callId: number; match: (info: string, len: number, srcPort: number) => boolean }[] = [];
  const lastCall = async () => (await must(lab, 'lab.calls', { sinceId: 0, limit: 10_000 })).value.at(-1)!.id;
  for (let i = 0; i < ROUNDS; i++) {
    const payload = Buffer.alloc(20 + (i % 50), 0x61);
    await must(lab, 'socket.sendto', { fd: udp, data: payload, address: { family: 'AF_INET', address: '127.0.0.1', port: udpPort } });
    const udpLen = 20 + (i % 50);
    const sendtoId = await lastCall();
    wanted.push({
      kind: 'sendto → datagram',
      callId: sendtoId,
      match: (info, len) => info.includes(`Len=${udpLen}`) && len === 42 + udpLen,
    });
    const client = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    await must(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port: tcpPort } });
    const connectId = await lastCall();
    const local = (await must(lab, 'socket.getsockname', { fd: client })).address;
    const clientPort = local && local.family === 'AF_INET' ? local.port : -1;
    wanted.push({ kind: 'connect → SYN', callId: connectId, match: (info, _len, src) => src === clientPort && info.includes('[SYN]') });
    await must(lab, 'socket.send', { fd: client, data: Buffer.alloc(100 + (i % 50), 0x62) });
    const sendId = await lastCall();
    const tcpLen = 100 + (i % 50);
    wanted.push({
      kind: 'send → segment',
      callId: sendId,
      match: (info, _len, src) => src === clientPort && info.includes(`Len=${tcpLen}`),
    });
    await must(lab, 'socket.shutdown', { fd: client, how: 'SHUT_WR' });
    const shutdownId = await lastCall();
    wanted.push({ kind: 'shutdown → FIN', callId: shutdownId, match: (info, _len, src) => src === clientPort && info.includes('[FIN') });
    await must(lab, 'socket.close', { fd: client });
    const accepted = await lab.invoke('socket.accept', { fd: server });
    if (accepted.ok) await must(lab, 'socket.close', { fd: accepted.ret });
  }
  await sleep(300);
  await must(lab, 'capture.stop', {});
  const calls = new Map((await must(lab, 'lab.calls', { sinceId: 0, limit: 10_000 })).value.map((c) => [c.id, c]));
  const rows = (await must(lab, 'capture.rows', { offset: 0, limit: 5000, filter: '', socketId: null })).value.rows;
  const used = new Set<number>();
  const samples: Sample[] = [];
  for (const want of wanted) {
    const call = calls.get(want.callId);
    if (!call || call.endMonoUs === null) continue;
    // The first unused packet after the call's start that matches its content (by content, not time).
    const row = rows.find(
      (r) =>
        !used.has(r.no) && r.monoUs > call.startMonoUs - 1_000_000 && want.match(r.info, r.len, Number(/(\d+) →/.exec(r.info)?.[1] ?? -1)),
    );
    if (!row) continue;
    used.add(row.no);
    samples.push({ kind: want.kind, afterStart: row.monoUs - call.startMonoUs, afterEnd: row.monoUs - call.endMonoUs });
  }
  const table = [];
  for (const kind of [...new Set(samples.map((s) => s.kind))]) {
    const mine = samples.filter((s) => s.kind === kind);
    for (const [what, values] of [
      ['stamp − call start', mine.map((s) => s.afterStart)],
      ['stamp − call end', mine.map((s) => s.afterEnd)],
    ] as const) {
      table.push({
        packet: kind,
        µs: what,
        n: values.length,
        min: Math.round(Math.min(...values)),
        median: Math.round(percentile(values, 50)),
        p99: Math.round(percentile(values, 99)),
        max: Math.round(Math.max(...values)),
      });
    }
  }
  console.log(`Kernel stamps against the call log, ${ROUNDS} rounds on lo (${samples.length} packets matched by content):`);
  console.table(table);
} finally {
  await lab.close();
}
