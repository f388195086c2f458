/**
 * The capture process: runs libpcap (through `cap`) away from the main process, stamps each
 * packet the moment cap hands it over, copies it out of cap's shared buffer, and sends packets
 * to main in batches. Runs under Electron's utilityProcess (messages through
 * `process.parentPort`) or Node's child_process.fork (messages through `process.send`).
 * Never imports electron.
 */
import { listDevices, openLiveCapture, type LiveCapture } from './cap';
import { BatchWriter, FromWorker, RawDevice, ToWorker } from './protocol';

/** How often a batch of packets goes to main while packets arrive. */
const FLUSH_MS = 10;
/** A batch this large goes at once, without waiting for the timer. */
const FLUSH_BYTES = 4 * 1024 * 1024;
const FLUSH_PACKETS = 8192;

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
let flushTimer: NodeJS.Timeout | null = null;

function flush(): void {
  if (batch.count === 0) return;
  const { count, data } = batch.take();
  post({ type: 'batch', count, data });
}

/** CLOCK_MONOTONIC in microseconds: the clock of the call log (performance.now() drifts from it). */
function monoNowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Wall clock minus monotonic clock, in µs, taken at the moment Date.now() ticks so the ms
 * resolution of Date.now() does not blur it. Taken once per capture (costs at most 1 ms then);
 * each packet's wall time is its monotonic stamp plus this.
 */
let wallOffsetUs = 0;
function measureWallOffset(): void {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  wallOffsetUs = now * 1000 - monoNowUs();
}

function onPacket(bytes: Uint8Array, caplen: number): void {
  // Stamp first: everything after this line is delay the student should not see.
  const monoUs = monoNowUs();
  const tsUs = monoUs + wallOffsetUs;
  batch.append(monoUs, tsUs, caplen, bytes, caplen);
  if (batch.bytes >= FLUSH_BYTES || batch.count >= FLUSH_PACKETS) flush();
}

function stopCapture(): void {
  if (flushTimer) clearInterval(flushTimer);
  flushTimer = null;
  if (capture) {
    const current = capture;
    capture = null;
    current.close();
  }
  flush();
}

function handle(request: ToWorker): void {
  switch (request.type) {
    case 'devices': {
      const devices = listDevices().map((d) => RawDevice.safeParse(d)).flatMap((r) => (r.success ? [r.data] : []));
      post({ type: 'devices', id: request.id, devices });
      return;
    }
    case 'start': {
      stopCapture();
      measureWallOffset();
      capture = openLiveCapture(request.iface, request.filter, request.bufferBytes, onPacket);
      flushTimer = setInterval(flush, FLUSH_MS);
      post({ type: 'started', id: request.id, linkName: capture.linkName });
      return;
    }
    case 'stop':
      stopCapture();
      post({ type: 'stopped', id: request.id });
      return;
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
