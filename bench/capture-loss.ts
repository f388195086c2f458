/**
 * `npx tsx bench/capture-loss.ts [--scale N]`: capture figures, printed side by side, no assertions.
 *
 * 1. Loss: a UDP flood over loopback (64-byte payloads, sent by a small C program) paced at 50k
 *    and 100k packets/s and unpaced, captured at the same time by SockLab (createLab, capture
 *    process, BPF filter `udp dst port P`, 64 MB buffer, the patched cap's batched buffered
 *    mode) and by `tcpdump -w /dev/null` (same filter, -B 65536 KiB). SockLab's count is its
 *    status (with libpcap's kernel drop counter beside it); tcpdump's comes from its closing
 *    "captured / received by filter / dropped by kernel" lines.
 * 2. CPU per packet of the capture process, before and after: the same paced flood captured by
 *    SockLab's capture process alone, then by bench/legacy-capture.ts alone (the capture process
 *    as it was: cap's immediate mode, one JavaScript call and one hrtime stamp per packet, a
 *    per-packet copy), from /proc/PID/stat.
 * 3. Wire-to-list latency at 10k packets/s: from the sender's CLOCK_MONOTONIC time just before
 *    send() to the lab's `capture.packets` event carrying that frame's row (the transports add
 *    at most one EVENT_BATCH_MS on top), split into wire→stamp (the kernel's stamp: tiny) and
 *    stamp→list (libpcap's 20 ms buffer timeout, batching, IPC, ring store, row decode).
 * The lab imports '@shared/*', which only tsconfig.node.json maps, so tsx is registered with it.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { createLab } = await import('../src/main/lab/index');
const { monoUs } = await import('../src/main/lab/context');
const { readCapture } = await import('../src/main/lab/pcap');

const scaleAt = process.argv.indexOf('--scale');
const scale = scaleAt > 0 ? Number(process.argv[scaleAt + 1]) : 1;
const PORT = 47_999;

/**
 * The sender, in C so that it can reach 100k packets/s on this machine (python3 managed about
 * 28k): binds a sink socket (so no ICMP errors are generated), waits for a line on stdin, then
 * sends `count` datagrams paced at `rate` (0 = as fast as it can), sleeping when ahead (never
 * spinning, so it leaves the CPU to the captures; sleeps are coarse, so it sends in short bursts), and
 * prints one JSON line: how many, how long, and (when asked) each send's CLOCK_MONOTONIC µs.
 */
const SENDER_C = `
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static long long now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
  int port = atoi(argv[1]); long count = atol(argv[2]); double rate = atof(argv[3]); int record = atoi(argv[4]);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  int sink = socket(AF_INET, SOCK_DGRAM, 0); bind(sink, (struct sockaddr *)&to, sizeof to);
  int tx = socket(AF_INET, SOCK_DGRAM, 0); connect(tx, (struct sockaddr *)&to, sizeof to);
  long long *times = record ? malloc(sizeof(long long) * count) : NULL;
  char payload[64] = {0}, line[16];
  printf("ready\\n"); fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 1;
  long long start = now_ns();
  for (long i = 0; i < count; i++) {
    if (rate > 0) {
      long long due = start + (long long)(i * 1e9 / rate), ahead = due - now_ns();
      if (ahead > 0) { struct timespec d = { 0, ahead }; nanosleep(&d, NULL); }
    }
    long long t = now_ns();
    memcpy(payload, &i, sizeof i); memcpy(payload + 8, &t, sizeof t);
    send(tx, payload, sizeof payload, 0);
    if (record) times[i] = t / 1000;
  }
  double seconds = (now_ns() - start) / 1e9;
  printf("{\\"sent\\": %ld, \\"seconds\\": %f, \\"times\\": [", count, seconds);
  for (long i = 0; record && i < count; i++) printf(i ? ",%lld" : "%lld", times[i]);
  printf("]}\\n");
  return 0;
}
`;

/** Compiles the sender once into the temp directory. */
function buildSender(): string {
  const binary = join(tmpdir(), 'socklab-udp-flood');
  const source = `${binary}.c`;
  writeFileSync(source, SENDER_C);
  const built = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`a C compiler (cc) is needed for the flood sender: ${built.stderr || built.error?.message}`);
  return binary;
}
const SENDER = buildSender();

interface SenderResult {
  sent: number;
  seconds: number;
  times: number[];
}

/** Starts the sender; resolves `go` to start sending, `done` with what it sent. */
async function sender(count: number, rate: number, record: boolean) {
  const child = spawn(SENDER, [String(PORT), String(count), String(rate), record ? '1' : '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (text: string) => {
      out += text;
      if (out.includes('ready\n')) resolve();
    });
  });
  const done = new Promise<SenderResult>((resolve) =>
    child.on('exit', () => resolve(JSON.parse(out.slice(out.indexOf('\n') + 1)) as SenderResult)),
  );
  return { go: () => child.stdin.write('go\n'), done };
}

/** Starts tcpdump on the same traffic; `stop` sends SIGINT and parses its closing counts. */
async function tcpdump(extra: string[] = []) {
  const child = spawn('tcpdump', ['-i', 'lo', '-n', '-B', '65536', ...extra, '-w', '/dev/null', `udp dst port ${PORT}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (text: string) => {
      err += text;
      if (err.includes('listening on')) resolve();
    });
  });
  return {
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
      const count = (what: string) => Number(new RegExp(`(\\d+) packets? ${what}`).exec(err)?.[1] ?? NaN);
      return { captured: count('captured'), received: count('received by filter'), dropped: count('dropped by kernel') };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const lab = createLab({ captureLauncher: 'fork', mode: 'headless' });

async function labStatus() {
  const answer = await lab.invoke('capture.status', {});
  if (!answer.ok) throw new Error(answer.message);
  return answer.value;
}

/** Waits until SockLab's packet count stops moving (the last batches have arrived). */
async function settle(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const now = (await labStatus()).packets;
    if (now === last) return now;
    last = now;
    await sleep(150);
  }
  return last;
}

/** The capture process (a child of this one running worker.ts), found through /proc. */
function captureProcessPid(): number | null {
  const ps = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='], { encoding: 'utf8' });
  const line = ps.stdout.split('\n').find((l) => l.includes('capture/worker'));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

/** CPU seconds (user + system) the process has used, from /proc/PID/stat. */
function cpuSeconds(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

async function lossRound(label: string, rate: number, count: number) {
  const start = await lab.invoke('capture.start', { iface: 'lo', filter: `udp dst port ${PORT}`, bufferMB: 64 });
  if (!start.ok) throw new Error(start.message);
  const pid = captureProcessPid();
  const cpuBefore = cpuSeconds(pid);
  const dump = await tcpdump();
  const send = await sender(count, rate, false);
  send.go();
  const sent = await send.done;
  await sleep(500);
  const socklab = await settle();
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  const tcp = await dump.stop();
  await sleep(300);
  const final = await labStatus();
  await lab.invoke('capture.stop', {});
  const pct = (lost: number) => ((100 * lost) / sent.sent).toFixed(2);
  return {
    round: label,
    'sent/s achieved': Math.round(sent.sent / sent.seconds),
    sent: sent.sent,
    'SockLab captured': socklab,
    'SockLab lost %': pct(sent.sent - socklab),
    'SockLab dropped by kernel': final.dropped,
    'tcpdump captured': tcp.captured,
    'tcpdump lost %': pct(sent.sent - tcp.captured),
    'tcpdump dropped by kernel': tcp.dropped,
    'capture process CPU µs/packet': ((cpuUsed * 1e6) / Math.max(1, socklab)).toFixed(2),
  };
}

/** The pre-patch capture process (bench/legacy-capture.ts) capturing alone; counts what it sends. */
async function legacyRound(rate: number, count: number) {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const child = fork(fileURLToPath(new URL('./legacy-capture.ts', import.meta.url)), ['lo', `udp dst port ${PORT}`, '64'], {
    execArgv: ['--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let captured = 0;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const ready = new Promise<void>((resolve) =>
    child.on('message', (message: { type: string; count?: number }) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'batch') captured += message.count ?? 0;
      else if (message.type === 'stopped') resolveStopped();
    }),
  );
  await ready;
  const cpuBefore = cpuSeconds(child.pid ?? null);
  const send = await sender(count, rate, false);
  send.go();
  const sent = await send.done;
  await sleep(800);
  const cpuUsed = cpuSeconds(child.pid ?? null) - cpuBefore;
  child.send({ type: 'stop' });
  await Promise.race([stopped, sleep(3000)]);
  child.kill();
  return { sent: sent.sent, captured, cpuUsPerPacket: (cpuUsed * 1e6) / Math.max(1, captured) };
}

/** SockLab's capture process capturing alone: its CPU per packet. */
async function socklabAlone(rate: number, count: number) {
  const start = await lab.invoke('capture.start', { iface: 'lo', filter: `udp dst port ${PORT}`, bufferMB: 64 });
  if (!start.ok) throw new Error(start.message);
  const pid = captureProcessPid();
  const cpuBefore = cpuSeconds(pid);
  const send = await sender(count, rate, false);
  send.go();
  const sent = await send.done;
  await sleep(800);
  const captured = await settle();
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  await lab.invoke('capture.stop', {});
  return { sent: sent.sent, captured, cpuUsPerPacket: (cpuUsed * 1e6) / Math.max(1, captured) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function latencyRound(rate: number, count: number) {
  const arrival = new Map<number, { list: number; stamp: number }>();
  const off = lab.on('capture.packets', ({ rows }) => {
    const now = monoUs();
    for (const row of rows) arrival.set(row.no, { list: now, stamp: row.monoUs });
  });
  const start = await lab.invoke('capture.start', { iface: 'lo', filter: `udp dst port ${PORT}`, bufferMB: 64 });
  if (!start.ok) throw new Error(start.message);
  const send = await sender(count, rate, true);
  send.go();
  const sent = await send.done;
  await sleep(500);
  await settle();
  await lab.invoke('capture.stop', {});
  off();
  // Which datagram each frame is: its sequence number, the payload's first 4 bytes (after
  // Ethernet 14 + IPv4 20 + UDP 8 bytes), read back from SockLab's own pcapng export.
  const exported = await lab.invoke('capture.export', { filter: '' });
  if (!exported.ok) throw new Error(exported.message);
  const frames = readCapture(Buffer.from(exported.value.pcapng)).packets;
  const wireToList: number[] = [];
  const wireToStamp: number[] = [];
  const stampToList: number[] = [];
  frames.forEach((frame, i) => {
    const seen = arrival.get(i + 1);
    const seq = frame.data.length >= 46 ? Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.length).readUInt32LE(42) : -1;
    const sentAt = sent.times[seq];
    if (!seen || sentAt === undefined) return;
    wireToList.push((seen.list - sentAt) / 1000);
    wireToStamp.push((seen.stamp - sentAt) / 1000);
    stampToList.push((seen.list - seen.stamp) / 1000);
  });
  const row = (what: string, values: number[]) => ({
    'latency (ms)': what,
    median: percentile(values, 50).toFixed(2),
    p95: percentile(values, 95).toFixed(2),
    p99: percentile(values, 99).toFixed(2),
    max: percentile(values, 100).toFixed(2),
  });
  console.log(`\nWire-to-list latency at ${rate}/s: ${wireToList.length} of ${sent.sent} packets seen in capture.packets events`);
  console.table([row('wire → list (goal p95 <= 50)', wireToList), row('wire → stamp', wireToStamp), row('stamp → list', stampToList)]);
}

try {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rounds = [];
  rounds.push(await lossRound('paced 50k/s', 50_000, Math.round(150_000 * scale)));
  rounds.push(await lossRound('paced 100k/s', 100_000, Math.round(300_000 * scale)));
  rounds.push(await lossRound('unpaced', 0, Math.round(300_000 * scale)));
  console.log(
    'UDP flood over lo, 64-byte payloads; SockLab and tcpdump (TPACKET_V3 blocks, -B 64 MiB) capture the same traffic at the same time.',
  );
  console.log('Goal: SockLab loss <= tcpdump + 1 point in every round.');
  console.table(rounds);

  const cpuCount = Math.round(150_000 * scale);
  const after = await socklabAlone(50_000, cpuCount);
  const before = await legacyRound(50_000, cpuCount);
  console.log(`\nCapture process CPU per packet, paced 50k/s, ${cpuCount} packets, each capturing alone (goal: halved):`);
  console.table([
    {
      capture: 'before: cap immediate mode, one JS call per packet (bench/legacy-capture.ts)',
      captured: before.captured,
      sent: before.sent,
      'CPU µs/packet': before.cpuUsPerPacket.toFixed(2),
    },
    {
      capture: 'after: patched cap, batched buffered mode (SockLab)',
      captured: after.captured,
      sent: after.sent,
      'CPU µs/packet': after.cpuUsPerPacket.toFixed(2),
    },
  ]);
  console.log(`after / before: ${(after.cpuUsPerPacket / before.cpuUsPerPacket).toFixed(2)}`);

  await latencyRound(10_000, Math.round(30_000 * scale));
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await lab.close();
}
