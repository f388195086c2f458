/**
 * The machine lab's handle on the lab-network engine process: starts it inside `unshare -Urn`,
 * relays route requests (blocking calls may wait as long as they like) and hands on its events,
 * each checked against the shared schemas first. The engine's death fails every request still
 * waiting, with what it said on stderr.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { events as eventSchemas, type EventName } from '@shared/events';
import { routes, type RouteName } from '@shared/routes';
import { startNodeChild, type CaptureChannel } from '../capture/launcher';
import { FromEngine, type ToEngine } from './protocol';

/** How long the engine may take to start (Node + tsx in tests are the slow part). */
const START_TIMEOUT_MS = 20_000;
const STDERR_TAIL = 2000;

const here = dirname(fileURLToPath(import.meta.url));

/** The engine entry: engine.ts from source, engine.js beside the bundled main. */
export function engineEntry(): string | null {
  const candidates = [
    join(here, 'engine.ts'),
    join(here, 'engine.js'),
    join(here, '..', 'engine.js'),
    join(here, '..', '..', 'out', 'main', 'engine.js'),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

export type Started = { ok: true; pid: number } | { ok: false; stderr: string };

export interface EngineEvents {
  onEvent(name: EventName, payload: unknown): void;
  /** The engine ended without being asked to. */
  onDeath(reason: string): void;
}

export class EngineClient {
  private channel: (CaptureChannel<ToEngine> & { pid: number | undefined }) | null = null;
  private nextId = 1;
  private pending = new Map<number, { name: RouteName; resolve: (output: unknown) => void }>();
  private stderr = '';
  private closing = false;
  private exited: Promise<void> = Promise.resolve();
  pid: number | null = null;

  constructor(private events: EngineEvents) {}

  /** Starts the engine; resolves when it is ready, or with what it said when it could not start. */
  start(): Promise<Started> {
    const entry = engineEntry();
    if (entry === null)
      return Promise.resolve({ ok: false, stderr: 'the engine entry (engine.ts or engine.js) is missing from this build' });
    return new Promise((resolve) => {
      let channel: CaptureChannel<ToEngine> & { pid: number | undefined };
      try {
        // -U maps this user to root of a new user namespace; -n gives it a new network namespace.
        channel = startNodeChild<ToEngine>(entry, {
          wrapper: ['unshare', '--user', '--map-root-user', '--net'],
          env: { UV_THREADPOOL_SIZE: '8' },
        });
      } catch (error) {
        resolve({ ok: false, stderr: error instanceof Error ? error.message : String(error) });
        return;
      }
      this.channel = channel;
      let settled = false;
      const settle = (answer: Started) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        channel.kill();
        settle({ ok: false, stderr: `${this.stderr}\nthe engine did not start within ${START_TIMEOUT_MS / 1000} s` });
      }, START_TIMEOUT_MS);
      channel.onStderr((text) => {
        this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
      });
      let markExited: () => void = () => undefined;
      this.exited = new Promise((done) => (markExited = done));
      channel.onMessage((raw) => {
        const parsed = FromEngine.safeParse(raw);
        if (!parsed.success) return;
        const message = parsed.data;
        if (message.type === 'ready') {
          this.pid = message.pid;
          settle({ ok: true, pid: message.pid });
        } else if (message.type === 'result') this.answer(message.id, message.output);
        else for (const event of message.events) this.deliver(event.name, event.payload);
      });
      channel.onExit((code, reason) => {
        markExited();
        const how = reason ?? `exit code ${code}`;
        settle({ ok: false, stderr: this.stderr || how });
        const text = `The lab-network engine ended (${how})${this.stderr.trim() ? `; it said: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
        this.forget(text);
        if (!this.closing) this.events.onDeath(text);
      });
    });
  }

  /** Relays one request; the answer is checked against the route's output schema. */
  invoke(name: RouteName, input: unknown): Promise<unknown> {
    const channel = this.channel;
    if (!channel) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { name, resolve });
      channel.send({ type: 'invoke', id, name, input });
    });
  }

  /** Ends the engine and waits until it has exited (its namespaces die with it). */
  async close(): Promise<void> {
    this.closing = true;
    this.channel?.kill();
    await this.exited;
    this.channel = null;
  }

  private answer(id: number, output: unknown): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    const checked = routes[waiting.name].output.safeParse(output);
    waiting.resolve(
      checked.success
        ? checked.data
        : { ok: false, errno: 'EINVAL', code: 22, message: `The lab-network engine gave a malformed answer to ${waiting.name}.` },
    );
  }

  private deliver(name: string, payload: unknown): void {
    if (!Object.hasOwn(eventSchemas, name)) return;
    const checked = eventSchemas[name as EventName].safeParse(payload);
    if (checked.success) this.events.onEvent(name as EventName, checked.data);
  }

  /** The engine is gone: requests still waiting answer null (the relay turns that into an error). */
  private forget(_why: string): void {
    this.channel = null;
    this.pid = null;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.resolve(null);
    }
  }
}
