/**
 * Fans batches of `{ name, payload }` envelopes out to subscribers: the one implementation of
 * `LabApi.on` for both renderer-side bridges (preload and web-mode client). Import-free at run
 * time so the sandboxed preload bundles nothing else.
 */
import type { EventName, EventPayload } from './events';

export interface EventHub {
  on<E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void): () => void;
  /** Delivers a batch as received from the other side; malformed entries are skipped. */
  deliver(batch: unknown): void;
}

type Listener = (payload: unknown) => void;

/** Creates an empty hub. */
export function createEventHub(): EventHub {
  const listeners = new Map<string, Set<Listener>>();
  return {
    on(name, handler) {
      const listener = handler as Listener;
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => {
        listeners.get(name)?.delete(listener);
      };
    },
    deliver(batch) {
      if (!Array.isArray(batch)) return;
      for (const envelope of batch as unknown[]) {
        if (typeof envelope !== 'object' || envelope === null) continue;
        const { name, payload } = envelope as { name?: unknown; payload?: unknown };
        if (typeof name !== 'string') continue;
        for (const listener of listeners.get(name) ?? []) {
          try {
            listener(payload);
          } catch (error) {
            // One broken subscriber must not starve the others of the batch.
            console.error(`SockLab: a "${name}" event handler threw`, error);
          }
        }
      }
    },
  };
}
