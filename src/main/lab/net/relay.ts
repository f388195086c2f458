/**
 * The lab network as the machine's lab sees it: `net.*` routes start, query and end the engine
 * process, and every request about the network's sockets (socket.socket with a host, any call
 * on a descriptor from NET_FD_BASE) or its captures ("link:A") is relayed to the engine, whose
 * answers and events come back checked. lab.sockets and lab.calls show both labs together.
 */
import { ERRNO, type ErrnoName } from '@shared/errno';
import type { EventName, EventPayload } from '@shared/events';
import { NET_FD_BASE, isNetInterface, offNetInfo, type NetInfo } from '@shared/net';
import { refusal } from '@shared/refusal';
import type { RouteName, RouteOutput } from '@shared/routes';
import type { CallRecord, SocketInfo } from '@shared/socket';
import type { LabContext } from '../context';
import { EngineClient } from './engine-client';
import { explainStartFailure, userNamespaceRefusal } from './userns';

type Local = <N extends RouteName>(name: N, input: unknown) => Promise<RouteOutput<N>>;

/** Capture routes that read the packets held: they go to whichever lab holds the capture. */
const CAPTURE_READS = new Set<string>([
  'capture.stop',
  'capture.status',
  'capture.clear',
  'capture.rows',
  'capture.packet',
  'capture.follow',
  'capture.ladder',
  'capture.expert',
  'capture.export',
  'capture.save',
  'capture.saveChunk',
]);

function offInfo(state: NetInfo['state'] = 'off', error: string | null = null, fix: string | null = null): NetInfo {
  return offNetInfo({ state, error, fix });
}

function failure(errno: ErrnoName, message: string) {
  return { ok: false as const, errno, code: ERRNO[errno].code, message };
}

/** The machine side of lab networks; `local` runs a route in the machine's own lab. */
export function createNetRelay(ctx: LabContext, local: Local) {
  let engine: EngineClient | null = null;
  let status: NetInfo = offInfo();
  let captureInEngine = false;
  /** The engine's open sockets, descriptor → identity, to announce their end if the engine dies. */
  const engineFds = new Map<number, number>();

  function setStatus(next: NetInfo): NetInfo {
    status = next;
    ctx.emit('net.changed', next);
    return next;
  }

  function onEvent(name: EventName, payload: unknown): void {
    if (name === 'net.changed') status = payload as NetInfo;
    if (name === 'socket.changed') engineFds.set((payload as SocketInfo).fd, (payload as SocketInfo).socketId);
    if (name === 'socket.removed') engineFds.delete((payload as { fd: number }).fd);
    // Only one capture shows at a time: the engine's when it holds it.
    if ((name === 'capture.status' || name === 'capture.packets') && !captureInEngine) return;
    ctx.emit(name, payload as EventPayload<typeof name>);
  }

  function forgetEngine(reason: string | null): void {
    engine = null;
    captureInEngine = false;
    for (const [fd, socketId] of engineFds) ctx.emit('socket.removed', { fd, socketId });
    engineFds.clear();
    setStatus(reason ? offInfo('failed', reason, null) : offInfo());
  }

  async function create(input: unknown): Promise<RouteOutput<'net.create'>> {
    if (engine) return failure('EISCONN', 'net.create: a lab network exists already; destroy it first (net.destroy).');
    const refused = userNamespaceRefusal();
    if (refused) return refuse(refused.error, refused.fix);
    const client = new EngineClient({ onEvent, onDeath: (reason) => forgetEngine(reason) });
    engine = client;
    setStatus({ ...offInfo('starting'), enginePid: null });
    const started = await client.start();
    if (!started.ok) {
      engine = null;
      const why = explainStartFailure(started.stderr);
      return refuse(why.error, why.fix);
    }
    const answer = (await client.invoke('net.create', input)) as RouteOutput<'net.create'> | null;
    if (!answer || !answer.ok) {
      await client.close();
      engine = null;
      setStatus(offInfo('failed', answer?.message ?? 'the engine ended', null));
      return answer ?? failure('EINVAL', 'net.create: the lab-network engine ended while creating the network.');
    }
    return { ok: true, value: setStatus(answer.value) };
  }

  function refuse(error: string, fix: string): RouteOutput<'net.create'> {
    setStatus(offInfo('failed', error, fix));
    return failure('EPERM', `net.create: ${error} To allow it: ${fix}`);
  }

  async function destroy(): Promise<boolean> {
    const client = engine;
    if (!client) return false;
    await client.close();
    forgetEngine(null);
    return true;
  }

  /** Relays to the engine; a request that cannot reach it gets the route's ENETDOWN refusal. */
  async function relay<N extends RouteName>(name: N, input: unknown): Promise<RouteOutput<N>> {
    const client = engine;
    const answer = client ? await client.invoke(name, input) : null;
    if (answer === null) {
      return refusal(
        name,
        'ENETDOWN',
        `${name}: there is no lab network (it was destroyed, or its engine ended); create one with net.create.`,
      ) as RouteOutput<N>;
    }
    return answer as RouteOutput<N>;
  }

  /** Whether a request belongs to the lab network; if so, its answer. Null: the machine's lab handles it. */
  function route(name: RouteName, input: Record<string, unknown>): Promise<unknown> | null {
    if (name.startsWith('net.')) {
      if (name === 'net.create') return create(input);
      if (name === 'net.destroy') return destroy().then((destroyed) => ({ ok: true, value: { destroyed } }));
      if (name === 'net.info' && !engine) return Promise.resolve({ ok: true, value: status });
      return relay(name, input);
    }
    if (name === 'socket.socket') return input.host ? relay(name, input) : null;
    if ((name.startsWith('socket.') || name === 'lab.transcript') && typeof input.fd === 'number') {
      return input.fd >= NET_FD_BASE ? relay(name, input) : null;
    }
    if (name === 'lab.sockets') return merged(name, input, (a: SocketInfo[], b: SocketInfo[]) => [...a, ...b]);
    if (name === 'lab.calls') {
      const limit = typeof input.limit === 'number' ? input.limit : 1000;
      return merged(name, input, (a: CallRecord[], b: CallRecord[]) =>
        [...a, ...b].sort((x, y) => x.startMonoUs - y.startMonoUs).slice(0, limit),
      );
    }
    if (name === 'lab.reset') return reset(input);
    if (name.startsWith('capture.') && (engine || captureInEngine)) return captureRoute(name, input);
    return null;
  }

  async function merged<T>(name: 'lab.sockets' | 'lab.calls', input: unknown, join: (a: T[], b: T[]) => T[]) {
    const mine = (await local(name, input)) as { ok: boolean; value?: T[] };
    if (!engine || !mine.ok) return mine;
    const theirs = (await relay(name, input)) as { ok: boolean; value?: T[] };
    return theirs.ok ? { ok: true, value: join(mine.value ?? [], theirs.value ?? []) } : mine;
  }

  async function reset(input: unknown) {
    await destroy(); // a reset lab has no lab network left behind
    return local('lab.reset', input);
  }

  /** A capture route's answer, from the lab that holds the capture (never null: it decides). */
  async function captureRoute(name: RouteName, input: Record<string, unknown>): Promise<unknown> {
    if (name === 'capture.interfaces') {
      const mine = (await local(name, input)) as RouteOutput<'capture.interfaces'>;
      if (!engine || !mine.ok) return mine;
      const theirs = (await relay(name, input)) as RouteOutput<'capture.interfaces'>;
      return theirs.ok ? { ok: true, value: [...theirs.value, ...mine.value] } : mine;
    }
    if (name === 'capture.start') {
      const toEngine = typeof input.iface === 'string' && isNetInterface(input.iface);
      // One capture at a time: starting one stops the other lab's.
      if (toEngine && !captureInEngine) await local('capture.stop', {});
      if (!toEngine && captureInEngine) await relay('capture.stop', {});
      captureInEngine = toEngine;
      return toEngine ? relay(name, input) : local(name, input);
    }
    if (name === 'capture.import' || name === 'capture.open') {
      if (captureInEngine) await relay('capture.stop', {});
      captureInEngine = false;
    }
    return captureInEngine && CAPTURE_READS.has(name) ? relay(name, input) : local(name, input);
  }

  return {
    route,
    async close() {
      await destroy();
    },
  };
}
