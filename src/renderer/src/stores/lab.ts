/**
 * The lab connection: initial load (sockets, call log, lab info) and the live event wiring
 * that keeps the other stores current. One place subscribes, so every store sees the same
 * stream and unsubscribing is one call.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { RouteOutput } from '@shared/api';
import { isTransportRefusal } from '@shared/ws-client';
import { useLabApi } from '@renderer/api/inject';
import { useSocketsStore } from './sockets';
import { useCallsStore } from './calls';
import { useTranscriptsStore } from './transcripts';

type LabInfo = Extract<RouteOutput<'lab.info'>, { ok: true }>['value'];

export type LabStatus = 'idle' | 'loading' | 'ready' | 'error';

export const useLabStore = defineStore('lab', () => {
  const api = useLabApi();
  const status = ref<LabStatus>('idle');
  const error = ref<string | null>(null);
  const info = shallowRef<LabInfo | null>(null);
  let unsubscribers: Array<() => void> = [];

  /** Subscribes to live events first (so nothing is missed), then loads the current state. */
  async function start(): Promise<void> {
    if (status.value === 'loading' || status.value === 'ready') return;
    status.value = 'loading';
    error.value = null;
    const sockets = useSocketsStore();
    const calls = useCallsStore();
    const transcripts = useTranscriptsStore();
    // Events that arrive while the initial lists load are newer than those lists: hold them
    // and apply them after, so a snapshot from the load never overwrites a fresher one.
    let held: Array<() => void> | null = [];
    const apply = (change: () => void): void => {
      if (held) held.push(change);
      else change();
    };
    unsubscribers = [
      api.on('socket.changed', (snapshot) =>
        apply(() => (snapshot.state === 'closed' ? sockets.remove(snapshot.socketId, snapshot) : sockets.upsert(snapshot))),
      ),
      // A closed socket stays in the table with its result and transcript until "Clear closed".
      api.on('socket.removed', ({ socketId }) => apply(() => sockets.remove(socketId))),
      api.on('call.logged', (record) => apply(() => calls.upsert(record))),
      api.on('transcript.appended', (entry) => transcripts.append(entry)),
    ];
    const release = (): void => {
      const changes = held ?? [];
      held = null;
      for (const change of changes) change();
    };
    try {
      const [socketList, callList, labInfo] = await Promise.all([
        api.invoke('lab.sockets', {}),
        api.invoke('lab.calls', { sinceId: 0, limit: 10_000 }),
        api.invoke('lab.info', {}),
      ]);
      if (socketList.ok) sockets.setAll(socketList.value);
      if (callList.ok) calls.setAll(callList.value);
      if (labInfo.ok) info.value = labInfo.value;
      release();
      const failed = [socketList, callList, labInfo].find((r) => !r.ok);
      if (failed && !failed.ok) {
        status.value = 'error';
        // A refused or lost connection is not an errno of any call: show the transport's words.
        error.value = isTransportRefusal(failed) ? failed.message : `${failed.errno}: ${failed.message}`;
        return;
      }
      status.value = 'ready';
    } catch (cause) {
      release();
      status.value = 'error';
      error.value = cause instanceof Error ? cause.message : String(cause);
    }
  }

  /** Forgets the closed sockets, their last results and their transcripts ("Clear closed"). */
  function clearClosed(): void {
    const transcripts = useTranscriptsStore();
    const calls = useCallsStore();
    for (const socketId of useSocketsStore().clearClosed()) {
      transcripts.remove(socketId);
      calls.clearSocket(socketId);
    }
  }

  /**
   * lab.reset: the lab closes every socket and forgets its call log and transcripts; the table,
   * the log and the results here follow. Returns the failure's words, or null.
   */
  async function reset(): Promise<string | null> {
    const answer = await api.invoke('lab.reset', {});
    if (!answer.ok) return `${answer.errno}: ${answer.message}`;
    // The removals arrive as events; the closed sockets they leave are cleared with the rest.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const sockets = useSocketsStore();
    for (const info of sockets.sockets) sockets.remove(info.socketId);
    clearClosed();
    useCallsStore().setAll([]);
    return null;
  }

  /** Unsubscribes from every event (app teardown, tests). */
  function stop(): void {
    for (const off of unsubscribers) off();
    unsubscribers = [];
    status.value = 'idle';
  }

  return { status, error, info, start, stop, clearClosed, reset };
});
