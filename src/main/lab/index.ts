/**
 * `createLab()`: the one facade every transport (IPC, web mode, the scenario runner, tests)
 * calls. It validates each request against the shared route catalogue, dispatches it to the
 * area that owns it, and fans events out to subscribers. Plain Node; never imports electron.
 */
import { EventEmitter } from 'node:events';
import type { LabApi } from '@shared/api';
import { answerViolation, eventViolation } from '@shared/contract-check';
import { internalRefusal } from '@shared/refusal';
import type { EventName, EventPayload } from '@shared/events';
import { checkRequest } from '@shared/check-request';
import type { RouteInput, RouteName, RouteOutput } from '@shared/routes';
import { createCaptureArea } from './capture/area';
import { createExerciseArea } from './exercises/area';
import { DEFAULT_OPTIONS, NO_NET, type Handlers, type LabContext, type LabOptions } from './context';
import { createEngineNetArea, type NetRouteName } from './net/engine-area';
import { createNetRelay } from './net/relay';
import { privilegePlan } from './privilege';
import { createRawArea } from './raw/area';
import { createSocketArea } from './sockets/area';
import { createTcpInfoSampler } from './tcpinfo/sampler';

export interface Lab extends LabApi {
  /** Closes every socket, stops capture, and ends the capture process. */
  close(): Promise<void>;
  /** Leaves this TCP port (the transport's own) out of every capture started from now on. */
  hideFromCapture(port: number): void;
}

export type { LabOptions };

/** Creates a fresh lab: no sockets, empty logs, capture stopped. */
export function createLab(options: LabOptions = {}): Lab {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const settings = { ...DEFAULT_OPTIONS, ...options };
  const ctx: LabContext = {
    options: settings,
    tcpStates: new Map<number, string>(),
    ownPorts: new Set<number>(),
    emit: settings.checkContract ? checkedEmit : (name, payload) => events.emit(name, payload),
    net: NO_NET,
  };

  /** emit, refusing (loudly) a payload outside its schema: that is a lab bug to fix, not to ship. */
  function checkedEmit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const violation = eventViolation(name, payload);
    if (violation !== null) {
      const error = new Error(`SockLab contract violation: ${violation}`);
      console.error(error);
      throw error;
    }
    events.emit(name, payload);
  }
  const sockets = createSocketArea(ctx);
  const capture = createCaptureArea(ctx, sockets.view);
  const raw = createRawArea(ctx);
  // The engine's lab owns a lab network; the machine's lab relays to the engine (net/).
  const engineNet = ctx.options.role === 'engine' ? createEngineNetArea(ctx, sockets.view, on) : null;
  const relay = ctx.options.role === 'engine' ? null : createNetRelay(ctx, dispatch);
  const netHandlers: Handlers<NetRouteName> =
    engineNet?.handlers ??
    (Object.fromEntries(
      (['net.create', 'net.destroy', 'net.info', 'net.link.set', 'net.step.mode', 'net.step.list', 'net.step.act'] as const).map((name) => [
        name,
        (input: unknown) => relay?.route(name, input as Record<string, unknown>),
      ]),
    ) as unknown as Handlers<NetRouteName>);
  const tcpInfo = createTcpInfoSampler(ctx, sockets.view.tcp);
  // Any change of a socket (a call, a connection, data) may change the kernel's view of it.
  events.on('socket.changed', (info) => tcpInfo.changed(info.socketId));

  const handlers: Handlers<RouteName> = {
    ...sockets.handlers,
    ...capture.handlers,
    // Exercises read the lab only through its own routes, so they get `invoke`, nothing else.
    ...createExerciseArea({ invoke }).handlers,
    ...raw.handlers,
    ...netHandlers,
    ...tcpInfo.handlers,
    'lab.reset': async (input) => {
      const answer = await sockets.handlers['lab.reset'](input);
      capture.labReset();
      tcpInfo.labReset();
      return answer;
    },
    'lab.info': () => ({
      ok: true as const,
      value: {
        version: process.env.npm_package_version ?? '0.1.0',
        mode: ctx.options.mode,
        platform: process.platform,
        privileges: privilegePlan(),
        unixDir: sockets.unixDir(),
      },
    }),
  };

  async function invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
    const checked = checkRequest(name, input);
    if (!checked.ok) return checked.refusal as RouteOutput<N>;
    const relayed = relay?.route(name, checked.input as Record<string, unknown>);
    if (relayed) return (await relayed) as RouteOutput<N>;
    return dispatch(name, checked.input);
  }

  /** Runs a checked request in this lab's own areas. */
  async function dispatch<N extends RouteName>(name: N, input: unknown): Promise<RouteOutput<N>> {
    const checked = { input };
    const handler = handlers[name] as (input: unknown) => Promise<RouteOutput<N>> | RouteOutput<N>;
    let answer: RouteOutput<N>;
    try {
      answer = await handler(checked.input);
    } catch (error) {
      // A handler that throws is a lab bug: the student still gets an answer, marked as ours,
      // and the stack goes to the log where whoever fixes it will look.
      console.error(`SockLab: ${name} threw (a lab bug)`, error);
      const message = error instanceof Error ? error.message : String(error);
      return internalRefusal(name, message) as RouteOutput<N>;
    }
    if (settings.checkContract) {
      const violation = answerViolation(name, answer);
      if (violation !== null) {
        console.error(new Error(`SockLab contract violation: ${violation}`));
        return internalRefusal(name, violation) as RouteOutput<N>;
      }
    }
    return answer;
  }

  function on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
    events.on(name, handler);
    return () => events.off(name, handler);
  }

  return {
    invoke,
    on,
    hideFromCapture: (port) => ctx.ownPorts.add(port),
    async close() {
      await relay?.close();
      engineNet?.close();
      tcpInfo.close();
      await raw.close();
      await capture.close();
      await sockets.close();
      events.removeAllListeners();
    },
  };
}
