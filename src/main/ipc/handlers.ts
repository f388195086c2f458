/**
 * The IPC side of the bridge: ONE `ipcMain.handle` on `INVOKE_CHANNEL` dispatching by route
 * name from the catalogue (through the shared dispatcher, so validation is identical to web
 * mode's), and one event forwarder sending batched envelopes on `EVENT_CHANNEL`.
 */
import type { LabApi } from '@shared/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '@shared/events';
import { createBlockedCalls, createDispatcher, createEventBatcher, forwardLabEvents, refusal, type BlockedCalls } from '../transport';
import type { AppWindows, SenderEvent } from './senders';

/** The parts of Electron's `ipcMain` used here (a test passes a fake). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface LabIpcOptions {
  ipcMain: IpcMainLike;
  lab: LabApi;
  windows: Pick<AppWindows, 'isTrusted' | 'onClosed'>;
}

/**
 * Registers the invoke handler; returns the function that removes it. Registering twice throws
 * (Electron refuses a second handler on a channel), so no route can be answered twice. The
 * calls a window leaves blocked are cancelled when it closes: nobody waits for their answers.
 */
export function registerLabIpc(options: LabIpcOptions): () => void {
  const dispatch = createDispatcher(options.lab);
  const blockedBy = new Map<number, BlockedCalls>();
  options.windows.onClosed((contentsId) => {
    blockedBy.get(contentsId)?.cancelAll();
    blockedBy.delete(contentsId);
  });
  options.ipcMain.handle(INVOKE_CHANNEL, async (event: SenderEvent, name: unknown, input: unknown) => {
    if (!options.windows.isTrusted(event)) {
      const route = typeof name === 'string' ? name : '';
      return refusal(route, 'EACCES', 'Refused: this request did not come from a SockLab window.');
    }
    const id = event.sender.id;
    let blocked = blockedBy.get(id);
    if (!blocked) blockedBy.set(id, (blocked = createBlockedCalls(dispatch)));
    const answered = blocked.track(name, input);
    try {
      return await dispatch(name, input);
    } finally {
      answered();
    }
  });
  return () => options.ipcMain.removeHandler(INVOKE_CHANNEL);
}

/**
 * Sends lab events to every open app window in batches (see the shared batcher); returns the
 * function that stops forwarding.
 */
export function forwardEventsToWindows(lab: LabApi, windows: Pick<AppWindows, 'contents'>): () => void {
  const batcher = createEventBatcher({
    send: (batch) => {
      for (const contents of windows.contents()) contents.send(EVENT_CHANNEL, batch);
    },
    onDrop: (count) => console.warn(`SockLab: the window is not keeping up; ${count} lab events dropped`),
  });
  const stop = forwardLabEvents(lab, (envelope) => batcher.push(envelope));
  return () => {
    stop();
    batcher.close();
  };
}
