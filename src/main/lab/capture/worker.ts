/**
 * The capture process: runs libpcap (through the patched `cap`) away from the main process,
 * copies each batch cap delivers (packets with their kernel timestamps and original lengths) out
 * of cap's shared buffer, and sends batches and libpcap's drop counters to main. Runs under
 * Electron's utilityProcess (messages through `process.parentPort`) or Node's
 * child_process.fork (messages through `process.send`). Never imports electron.
 */
import { listDevices, openLiveCapture, type LiveCapture } from './cap';
import { libc } from '../libc/load';
import { startDumpcap } from './dumpcap';
import { BatchWriter, FromWorker, RawDevice, ToWorker, linkNameOf } from './protocol';

/** How often a batch of packets goes to main while packets arrive. */
const FLUSH_MS = 10;
/** A batch this large goes at once, without waiting for the timer. */
const FLUSH_BYTES = 4 * 1024 * 1024;
/**
 * A batch of at least this many packets from cap goes at once too: buffered mode already
 * gathered it for up to the buffer timeout, so waiting for the timer would only add latency.
 * Immediate mode's batches of one or two packets still go on the timer.
 */
const FLUSH_PACKETS = 32;
/** How often libpcap's counters go to main while capturing. */
const STATS_MS = 250;
/** How often the real-time minus monotonic offset is measured again (NTP may slew the clock). */
const CLOCK_MS = 10_000;

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;

function post(message: FromWorker): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

let capture: LiveCapture | null = null;
const batch = new BatchWriter();
const timers: NodeJS.Timeout[] = [];

/**
 * CLOCK_REALTIME minus CLOCK_MONOTONIC in µs. The kernel stamps packets on the real-time clock;
 * main subtracts this to compare them with the call log's monotonic times (process.hrtime reads
 * CLOCK_MONOTONIC). Read with clock_gettime(CLOCK_REALTIME) between two monotonic readings, the
 * closest-bracketed of a few tries (a reading the scheduler interrupted is discarded). Without
 * libc (koffi absent), Date.now()'s millisecond tick is bracketed instead, which a loaded
 * machine blurs by a few hundred µs.
 */
let clockOffsetUs = 0;
const CLOCK_REALTIME = 0;
const monoNowUs = (): number => Number(process.hrtime.bigint()) / 1000;
const timespec = Buffer.alloc(16);

function bracketed(read: () => { realUs: number; before: number; after: number } | null, tries: number): number | null {
  let best: { offset: number; spread: number } | null = null;
  for (let attempt = 0; attempt < tries; attempt++) {
    const got = read();
    if (got === null) return null;
    const spread = got.after - got.before;
    if (best === null || spread < best.spread) best = { offset: got.realUs - (got.before + got.after) / 2, spread };
  }
  return best?.offset ?? null;
}

/** One clock_gettime(CLOCK_REALTIME) between two monotonic readings, or null without libc. */
function readRealtime(): { realUs: number; before: number; after: number } | null {
  const lib = libc();
  if (lib === null) return null;
  const before = monoNowUs();
  lib.clock_gettime(CLOCK_REALTIME, timespec);
  const after = monoNowUs();
  return { realUs: Number(timespec.readBigInt64LE(0)) * 1e6 + Number(timespec.readBigInt64LE(8)) / 1000, before, after };
}

/** The moment Date.now() ticks, between the monotonic readings around the calls that saw it. */
function readDateTick(): { realUs: number; before: number; after: number } {
  let before = monoNowUs();
  const start = Date.now();
  let now = start;
  let after = before;
  while (now === start) {
    before = after;
    now = Date.now();
    after = monoNowUs();
  }
  return { realUs: now * 1000, before, after };
}

function measureClockOffset(): void {
  clockOffsetUs = bracketed(readRealtime, 8) ?? bracketed(readDateTick, 3) ?? Date.now() * 1000 - monoNowUs();
}

function flush(): void {
  if (batch.count === 0) return;
  const { count, data } = batch.take();
  post({ type: 'batch', count, data, clockOffsetUs });
}

function onBatch(buffer: Buffer, nbytes: number, count: number): void {
  batch.appendBatch(buffer, nbytes, count);
  if (batch.bytes >= FLUSH_BYTES || count >= FLUSH_PACKETS) flush();
}

function postStats(): void {
  if (capture) post({ type: 'stats', ...capture.stats() });
}

function stopCapture(): void {
  for (const timer of timers.splice(0)) clearInterval(timer);
  if (capture) {
    const current = capture;
    // The final counters, so main's status matches what was captured.
    postStats();
    capture = null;
    current.close();
  }
  flush();
}

function handle(request: ToWorker): void {
  switch (request.type) {
    case 'devices': {
      const devices = listDevices()
        .map((d) => RawDevice.safeParse(d))
        .flatMap((r) => (r.success ? [r.data] : []));
      post({ type: 'devices', id: request.id, devices });
      return;
    }
    case 'start': {
      stopCapture();
      measureClockOffset();
      const { snaplen, immediate, bufferTimeoutMs } = request;
      if (request.dumpcap) {
        void startThroughDumpcap(request.id, request.dumpcap, request.iface, request.filter, request.bufferBytes, snaplen);
        return;
      }
      capture = openLiveCapture(request.iface, request.filter, request.bufferBytes, { snaplen, immediate, bufferTimeoutMs }, onBatch);
      timers.push(setInterval(flush, FLUSH_MS), setInterval(postStats, STATS_MS), setInterval(measureClockOffset, CLOCK_MS));
      post({ type: 'started', id: request.id, linkName: capture.linkName, nanoseconds: capture.nanoseconds });
      return;
    }
    case 'stop':
      stopCapture();
      // cap releases libpcap's handle (socket and ring) in its poll handle's close callback, which
      // runs after this turn's check phase: answer on the next turn, once it is released.
      setTimeout(() => post({ type: 'stopped', id: request.id }), 0);
      return;
  }
}

/**
 * Capture through dumpcap (the least-privilege path): its pcapng stream becomes the same batches
 * cap's would, with the kernel's µs stamps and original lengths; its closing statistics block
 * gives the kernel's drop count. Answers `started`, or `failed` with dumpcap's own words.
 */
async function startThroughDumpcap(
  id: number,
  path: string,
  iface: string,
  filter: string,
  bufferBytes: number,
  snaplen: number,
): Promise<void> {
  let stats = { received: 0, dropped: 0, ifDropped: 0 };
  try {
    const running = await startDumpcap({
      dumpcap: path,
      iface,
      filter,
      snaplen,
      bufferMiB: Math.max(1, Math.round(bufferBytes / (1024 * 1024))),
      onPacket(p) {
        batch.appendPacket(Number(p.tsNs / 1_000_000_000n), Number(p.tsNs % 1_000_000_000n), p.origLen, p.data);
        stats.received += 1;
        if (batch.bytes >= FLUSH_BYTES) flush();
      },
      onStats(s) {
        stats = {
          received: Number(s.received ?? BigInt(stats.received)),
          dropped: Number(s.osDropped ?? 0n),
          ifDropped: Number(s.ifDropped ?? 0n),
        };
        post({ type: 'stats', ...stats });
      },
    });
    capture = {
      linkName: linkNameOf(running.linkType),
      nanoseconds: false,
      stats: () => stats,
      close: () => void running.stop(),
    };
    timers.push(setInterval(flush, FLUSH_MS), setInterval(postStats, STATS_MS), setInterval(measureClockOffset, CLOCK_MS));
    post({ type: 'started', id, linkName: capture.linkName, nanoseconds: false });
  } catch (error) {
    post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

function receive(raw: unknown): void {
  const parsed = ToWorker.safeParse(raw);
  if (!parsed.success) return; // Only main talks to us; a malformed request is dropped, not fatal.
  try {
    handle(parsed.data);
  } catch (error) {
    post({ type: 'failed', id: parsed.data.id, message: error instanceof Error ? error.message : String(error) });
  }
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else process.on('message', receive);
// When main goes away, so does capture: an orphaned capture process would hold the interface.
process.on('disconnect', () => process.exit(0));
post({ type: 'ready', pid: process.pid });
