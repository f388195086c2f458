/**
 * A fake `LabApi` for renderer tests: records every invocation, answers with per-route
 * handlers (or C-like defaults), and lets a test push events as the lab would.
 */
import { createApp } from 'vue';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { EventName, EventPayload, LabApi, RouteInput, RouteName, RouteOutput } from '@shared/api';
import type { SocketInfo } from '@shared/socket';
import { LAB_API, provideLabApi } from '@renderer/api/inject';
import { i18n } from '@renderer/i18n';
import { offNetInfo } from './netFake';

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
  private nextCallId = 1;

  /** Sets the answer for one route. */
  respond<N extends RouteName>(name: N, handler: Handler<N>): this {
    this.handlers.set(name, handler as (input: unknown) => unknown);
    return this;
  }

  invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
    this.invocations.push({ name, input });
    const handler = this.handlers.get(name);
    const value = handler ? handler(input) : this.defaultAnswer(name);
    return Promise.resolve(value as RouteOutput<N>);
  }

  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(handler as (payload: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(handler as (payload: unknown) => void);
  }

  /** Pushes an event to every subscriber, as a transport batch would. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
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
        return { ok: true, value: { version: 'test', mode: 'web', platform: 'linux', privileged: true, privilegeHint: null } };
      case 'socket.cancel':
        return { ok: true, value: { cancelled: true } };
      case 'net.info':
        // No lab network until a test installs a FakeNetwork (netFake.ts), which answers net.*.
        return { ok: true, value: offNetInfo() };
      case 'net.step.list':
        return { ok: true, value: [] };
      case 'socket.socket':
        return { ok: true, ret: this.nextFd++, callId: this.nextCallId++ };
      default:
        return { ok: true, ret: 0, callId: this.nextCallId++ };
    }
  }
}

/** A socket snapshot with sensible defaults, overridden by `patch`. */
export function socketInfo(patch: Partial<SocketInfo> = {}): SocketInfo {
  return {
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
