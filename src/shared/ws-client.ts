/**
 * The web-mode LabApi client: the LabApi over web mode's WebSocket (see wire.ts). It lives here,
 * free of DOM types, so the renderer uses it with the browser's WebSocket and tests run it in
 * Node against the real server with any WebSocket class of the same shape.
 */
import type { EventName, EventPayload, LabApi, RouteInput, RouteName, RouteOutput } from './api';
import { createEventHub } from './event-hub';
import { refusal } from './refusal';
import { decodeFrame, encodeFrame, TOKEN_PARAM, WS_PATH, type WireMessage } from './wire';

/** The parts of a browser WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type WebSocketClass = new (url: string) => WebSocketLike;

/** WebSocket.OPEN, the same in every implementation. */
const OPEN = 1;

/** The WebSocket endpoint of the server that served `location`, with this run's token. */
export function webSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

type Resolve = (output: unknown) => void;

/**
 * A refusal made by this client because the connection to the lab is gone: the request never
 * reached the lab, so its errno is no answer C would give. `transport: true` (additive to the
 * route's failure shape) lets the UI say "connection lost" instead of explaining the errno.
 */
export type TransportRefusal = ReturnType<typeof refusal> & { transport: true };

function transportRefusal(route: string, message: string): TransportRefusal {
  return { ...refusal(route, 'ECONNRESET', message), transport: true };
}

/** Whether a route's output is this client's own "connection lost or refused" refusal. */
export function isTransportRefusal(output: object): boolean {
  return 'transport' in output && output.transport === true;
}

/**
 * A LabApi over web mode's WebSocket at `url`. Requests made before the socket opens wait for
 * it; when the connection is refused or lost, every waiting and later request answers
 * ECONNRESET marked `transport: true`, with what to do, as a value like any other failure
 * (nothing throws).
 */
export function createWebSocketLabApi(url: string, WebSocketImpl: WebSocketClass = globalThis.WebSocket as WebSocketClass): LabApi {
  const hub = createEventHub();
  const pending = new Map<number, { name: string; resolve: Resolve }>();
  const unsent: string[] = [];
  let nextId = 1;
  let opened = false;
  let closedReason: string | null = null;
  const ws = new WebSocketImpl(url);

  ws.addEventListener('open', () => {
    opened = true;
    for (const frame of unsent.splice(0)) ws.send(frame);
  });
  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let message: WireMessage;
    try {
      message = decodeFrame(event.data) as WireMessage;
    } catch {
      return;
    }
    if (message.type === 'events') hub.deliver(message.events);
    else if (message.type === 'result') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      waiting?.resolve(message.output);
    }
  });
  // An error is always followed by 'close', where requests are answered; listening here keeps
  // Node implementations from treating the error as unhandled.
  ws.addEventListener('error', () => {});
  ws.addEventListener('close', () => {
    closedReason = opened
      ? 'The connection to the SockLab web server was lost: restart `npm run serve` and open the URL it prints.'
      : "The SockLab web server refused this page: open the exact URL `npm run serve` printed (it carries this run's token).";
    unsent.length = 0;
    for (const [id, { name, resolve }] of pending) {
      pending.delete(id);
      resolve(transportRefusal(name, closedReason));
    }
  });

  return {
    invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
      if (closedReason !== null) return Promise.resolve(transportRefusal(name, closedReason) as RouteOutput<N>);
      const id = nextId++;
      return new Promise<RouteOutput<N>>((resolve) => {
        pending.set(id, { name, resolve: resolve as Resolve });
        const frame = encodeFrame({ id, name, input });
        if (ws.readyState === OPEN) ws.send(frame);
        else unsent.push(frame);
      });
    },
    on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
      return hub.on(name, handler);
    },
  };
}
