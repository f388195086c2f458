/**
 * A fake `LabApi` for renderer tests: records every invocation, answers with per-route
 * handlers (or C-like defaults), and lets a test push events as the lab would. It obeys the
 * same schemas as the lab: an input the real lab would refuse, an answer or an event payload
 * the real lab could never produce, throws — so the fake cannot drift from the contract.
 */
import { createApp } from 'vue';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { EventName, EventPayload, LabApi, RouteInput, RouteName, RouteOutput } from '@shared/api';
import type { SocketInfo } from '@shared/socket';
import { checkRequest } from '@shared/check-request';
import { answerViolation, eventViolation } from '@shared/contract-check';
import { LAB_API, provideLabApi } from '@renderer/api/inject';
import { i18n } from '@renderer/i18n';
import { READY_PLAN } from './privileges';
import { offNetInfo } from '@shared/net';

type Handler<N extends RouteName> = (input: RouteInput<N>) => RouteOutput<N> | Promise<RouteOutput<N>>;

export interface Invocation {
  name: RouteName;
  input: unknown;
}

export class FakeLab implements LabApi {
  readonly invocations: Invocation[] = [];
  private readonly handlers = new Map<RouteName, (input: unknown) => unknown>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private nextFd = 3;
  private nextSocketId = 1;
  private nextCallId = 1;

  /** Sets the answer for one route. */
  respond<N extends RouteName>(name: N, handler: Handler<N>): this {
    this.handlers.set(name, handler as (input: unknown) => unknown);
    return this;
  }

  async invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
    this.invocations.push({ name, input });
    const checked = checkRequest(name, input);
    if (!checked.ok) throw new Error(`FakeLab: the renderer sent input the lab refuses: ${checked.refusal.message}`);
    const handler = this.handlers.get(name);
    const value = handler ? await handler(input) : this.defaultAnswer(name);
    const violation = answerViolation(name, value);
    if (violation !== null) throw new Error(`FakeLab: a test answer the lab could never give: ${violation}`);
    return value as RouteOutput<N>;
  }

  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(handler as (payload: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(handler as (payload: unknown) => void);
  }

  /** Pushes an event to every subscriber, as a transport batch would. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const violation = eventViolation(name, payload);
    if (violation !== null) throw new Error(`FakeLab: a test event the lab could never push: ${violation}`);
    for (const handler of this.listeners.get(name) ?? []) handler(payload);
  }

  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** The inputs of every invocation of one route, oldest first. */
  inputsOf<N extends RouteName>(name: N): RouteInput<N>[] {
    return this.invocations.filter((i) => i.name === name).map((i) => i.input as RouteInput<N>);
  }

  private defaultAnswer(name: RouteName): unknown {
    switch (name) {
      case 'lab.sockets':
      case 'lab.calls':
      case 'lab.transcript':
        return { ok: true, value: [] };
      case 'lab.info':
        return { ok: true, value: { version: 'test', mode: 'web', platform: 'linux', privileges: READY_PLAN } };
      case 'socket.cancel':
        return { ok: true, value: { cancelled: true } };
      case 'net.info':
        // No lab network until a test installs a FakeNetwork (netFake.ts), which answers net.*.
        return { ok: true, value: offNetInfo() };
      case 'net.step.list':
        return { ok: true, value: [] };
      case 'socket.socket':
        return { ok: true, ret: this.nextFd++, socketId: this.nextSocketId++, callId: this.nextCallId++ };
      default:
        return { ok: true, ret: 0, callId: this.nextCallId++ };
    }
  }
}

/** A socket snapshot with sensible defaults, overridden by `patch` (its id is its fd unless given). */
export function socketInfo(patch: Partial<SocketInfo> = {}): SocketInfo {
  return {
    socketId: patch.fd ?? 3,
    fd: 3,
    domain: 'AF_INET',
    type: 'SOCK_STREAM',
    protocol: 'IPPROTO_IP',
    state: 'created',
    local: null,
    peer: null,
    nonblocking: false,
    options: {},
    backlog: null,
    acceptQueue: [],
    bytesWaiting: 0,
    datagramsWaiting: 0,
    shutRd: false,
    shutWr: false,
    peerClosed: false,
    pendingError: null,
    blockedIn: null,
    counters: { bytesSent: 0, bytesReceived: 0, sendCalls: 0, recvCalls: 0, datagramsSent: 0, datagramsReceived: 0 },
    acceptedFrom: null,
    acceptedFromId: null,
    tcpState: null,
    createdAtUs: 0,
    ...patch,
  };
}

/**
 * Fresh Pinia wired to `fake` (usable by stores directly and by mounted components) and the
 * mount options that provide the same fake, Pinia and i18n (reset to English).
 */
export function setupLab(fake: FakeLab = new FakeLab()): {
  fake: FakeLab;
  pinia: Pinia;
  global: { plugins: [Pinia, typeof i18n]; provide: Record<symbol, unknown> };
} {
  globalThis.localStorage?.clear();
  i18n.global.locale.value = 'en';
  const pinia = createPinia();
  const app = createApp({});
  provideLabApi(app, fake);
  app.use(pinia);
  setActivePinia(pinia);
  return { fake, pinia, global: { plugins: [pinia, i18n], provide: { [LAB_API as symbol]: fake } } };
}

/** Lets pending promise callbacks run (the fake answers asynchronously, like a real bridge). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
