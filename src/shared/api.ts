/**
 * `LabApi`: the whole interface between the UI and the lab. The lab facade implements it in
 * the main process; the preload bridge and the web-mode WebSocket client implement it in the
 * renderer. Nothing else crosses.
 */
import type { EventName, EventPayload } from './events';
import type { RouteInput, RouteName, RouteOutput } from './routes';

export interface LabApi {
  /** Sends a request; resolves with the route's output (errors are values, never throws). */
  invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>>;
  /** Subscribes to one event; returns the function that unsubscribes. */
  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void;
}

export type { EventName, EventPayload, RouteInput, RouteName, RouteOutput };
