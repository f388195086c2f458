/**
 * `createBridge()`: the LabApi the preload exposes, built over anything shaped like
 * `ipcRenderer` so tests can drive it with a fake. Requests go on the one invoke channel; one
 * listener on the event channel hands each batch of envelopes to the subscribers. The page never
 * sees the IPC event object or ipcRenderer itself.
 */
import type { EventName, EventPayload, LabApi, RouteInput, RouteName, RouteOutput } from '@shared/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '@shared/channels';
import { createEventHub } from '@shared/event-hub';

/** The parts of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Builds the LabApi over `ipc`; call once per page. */
export function createBridge(ipc: IpcRendererLike): LabApi {
  const hub = createEventHub();
  ipc.on(EVENT_CHANNEL, (_event, batch) => hub.deliver(batch));
  return {
    invoke<N extends RouteName>(name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
      return ipc.invoke(INVOKE_CHANNEL, name, input) as Promise<RouteOutput<N>>;
    },
    on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void {
      return hub.on(name, handler);
    },
  };
}
