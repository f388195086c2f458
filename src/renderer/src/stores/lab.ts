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
        apply(() => (snapshot.state === 'closed' ? sockets.remove(snapshot.socketId) : sockets.upsert(snapshot))),
      ),
      api.on('socket.removed', ({ socketId }) =>
        apply(() => {
          sockets.remove(socketId);
          transcripts.remove(socketId);
          calls.clearSocket(socketId);
        }),
      ),
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

  /** Unsubscribes from every event (app teardown, tests). */
  function stop(): void {
    for (const off of unsubscribers) off();
    unsubscribers = [];
    status.value = 'idle';
  }

  return { status, error, info, start, stop };
});
