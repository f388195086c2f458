/**
 * Main's handle on the capture process: starts it on first use, sends requests and waits for
 * their answers, hands packet batches on, and turns the process's death into an error value
 * (the lab never crashes with it; the next request starts a fresh process).
 */
import { captureEntry, forkLauncher, type CaptureChannel, type CaptureLauncher } from './launcher';
import { FromWorker, type CaptureTuning, type RawDevice } from './protocol';
import type { KernelStats } from './cap';

/** How long the capture process may take to start, or to answer one request. */
const START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** How much of the process's stderr is kept to explain a crash. */
const STDERR_TAIL = 2000;

export type Answer<T> = { ok: true; value: T } | { ok: false; message: string };

type Request =
  { type: 'devices' } | ({ type: 'start'; iface: string; filter: string; bufferBytes: number } & CaptureTuning) | { type: 'stop' };
type Reply = Extract<FromWorker, { id: number }>;

export interface CaptureClientEvents {
  /** A batch of packets (see protocol.decodeBatch); `clockOffsetUs` is real-time minus monotonic. */
  onBatch(data: Uint8Array, count: number, clockOffsetUs: number): void;
  /** libpcap's counters since the capture opened. */
  onStats(stats: KernelStats): void;
  /** The process ended while it was needed; `reason` says how. */
  onDeath(reason: string): void;
}

export class CaptureClient {
  private channel: CaptureChannel | null = null;
  private ready: Promise<Answer<CaptureChannel>> | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (reply: Answer<Reply>) => void; timer: NodeJS.Timeout }>();
  private stderr = '';
  private closing = false;

  constructor(
    private events: CaptureClientEvents,
    private launcher: CaptureLauncher = forkLauncher,
  ) {}

  /** The process id of the capture process, when running and known. */
  pid: number | null = null;

  /** Lists libpcap's devices. */
  async devices(): Promise<Answer<RawDevice[]>> {
    const reply = await this.request({ type: 'devices' });
    if (!reply.ok) return reply;
    return reply.value.type === 'devices' ? { ok: true, value: reply.value.devices } : failure(reply.value);
  }

  /** Opens a capture; answers cap's link type name and timestamp precision, or cap's error text. */
  async start(
    iface: string,
    filter: string,
    bufferBytes: number,
    tuning: CaptureTuning,
  ): Promise<Answer<{ linkName: string; nanoseconds: boolean }>> {
    const reply = await this.request({ type: 'start', iface, filter, bufferBytes, ...tuning });
    if (!reply.ok) return reply;
    if (reply.value.type !== 'started') return failure(reply.value);
    return { ok: true, value: { linkName: reply.value.linkName, nanoseconds: reply.value.nanoseconds } };
  }

  /** Closes the capture (the process stays up for the next one). */
  async stop(): Promise<Answer<null>> {
    if (this.channel === null) return { ok: true, value: null };
    const reply = await this.request({ type: 'stop' });
    if (!reply.ok) return reply;
    return reply.value.type === 'stopped' ? { ok: true, value: null } : failure(reply.value);
  }

  /** Ends the capture process. */
  close(): void {
    this.closing = true;
    this.channel?.kill();
    this.forget('the lab closed');
  }

  private async request(body: Request): Promise<Answer<Reply>> {
    const started = await this.ensureStarted();
    if (!started.ok) return started;
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, message: `The capture process did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.` });
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      started.value.send({ ...body, id });
    });
  }

  private ensureStarted(): Promise<Answer<CaptureChannel>> {
    this.ready ??= this.launch();
    return this.ready;
  }

  private launch(): Promise<Answer<CaptureChannel>> {
    this.closing = false;
    const entry = captureEntry();
    if (entry === null) {
      return Promise.resolve({
        ok: false,
        message: 'The capture process entry (worker.ts or capture.js) is missing from this build of SockLab.',
      });
    }
    return new Promise((resolve) => {
      let channel: CaptureChannel;
      try {
        channel = this.launcher(entry);
      } catch (error) {
        this.ready = null;
        resolve({ ok: false, message: `The capture process could not start: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      this.channel = channel;
      this.stderr = '';
      const timer = setTimeout(() => {
        channel.kill();
        settle({ ok: false, message: `The capture process did not start within ${START_TIMEOUT_MS / 1000} s.` });
      }, START_TIMEOUT_MS);
      let settled = false;
      const settle = (answer: Answer<CaptureChannel>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!answer.ok) this.ready = null;
        resolve(answer);
      };
      channel.onStderr((text) => {
        this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
      });
      channel.onMessage((raw) => {
        const parsed = FromWorker.safeParse(raw);
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'ready') {
          this.pid = message.pid;
          settle({ ok: true, value: channel });
        } else if (message.type === 'batch') this.events.onBatch(message.data, message.count, message.clockOffsetUs);
        else if (message.type === 'stats') this.events.onStats(message);
        else this.answer(message);
      });
      channel.onExit((code, reason) => {
        if (this.channel !== channel) return;
        const how = reason ?? `exit code ${code}`;
        const said = this.stderr.trim() ? `; it said: ${lastLines(this.stderr)}` : '';
        const text = `The capture process ended (${how})${said}`;
        settle({ ok: false, message: text });
        const expected = this.closing;
        this.forget(text);
        if (!expected) this.events.onDeath(text);
      });
    });
  }

  private answer(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    clearTimeout(waiting.timer);
    waiting.resolve({ ok: true, value: reply });
  }

  /** Drops the current process: pending requests fail with `why`, the next request starts anew. */
  private forget(why: string): void {
    this.channel = null;
    this.ready = null;
    this.pid = null;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.resolve({ ok: false, message: why });
      this.pending.delete(id);
    }
  }
}

function failure(reply: Reply): Answer<never> {
  return { ok: false, message: reply.type === 'failed' ? reply.message : `unexpected answer "${reply.type}" from the capture process` };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
