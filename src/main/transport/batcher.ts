/**
 * Event batching shared by both transports. Lab events are gathered for `EVENT_BATCH_MS` and
 * sent as one array of `{ name, payload }` envelopes, so a flood of data costs the renderer one
 * message per frame, not one per packet. Snapshots that supersede each other (`socket.changed`
 * of one descriptor, `capture.status`) are coalesced, latest wins; a batch holds at most
 * `maxBatch` envelopes; the queue is bounded and, when a receiver cannot keep up, drops the
 * oldest envelopes that can be fetched again (call log, transcript, packet rows) first.
 */
import type { LabApi } from '@shared/api';
import { EVENT_BATCH_MS, EVENT_NAMES, type EventEnvelope } from '@shared/events';

export interface EventBatcherOptions {
  /** Delivers one batch; never called with an empty array. */
  send(batch: EventEnvelope[]): void;
  /** Gathering time before a batch goes out. */
  intervalMs?: number;
  /** Most envelopes in one batch; the rest go in the next one. */
  maxBatch?: number;
  /** Most envelopes waiting; beyond it the oldest refetchable ones are dropped. */
  maxQueued?: number;
  /** Backpressure: while it answers false, batches wait (and the bounded queue absorbs). */
  ready?(): boolean;
  /** Told how many envelopes were dropped by one overflow, so the transport can say so. */
  onDrop?(count: number): void;
}

export interface EventBatcher {
  push(envelope: EventEnvelope): void;
  /** Sends what is queued now (up to `maxBatch`), ignoring the timer. */
  flush(): void;
  /** Stops the timer and forgets what is queued. */
  close(): void;
  /** Envelopes waiting. */
  readonly queued: number;
  /** Envelopes dropped since creation because the queue was full. */
  readonly dropped: number;
}

export const DEFAULT_MAX_BATCH = 2000;
export const DEFAULT_MAX_QUEUED = 50_000;

/** Events that are state snapshots: the UI must see the latest one, so they are never dropped. */
const KEPT_ON_OVERFLOW: ReadonlySet<string> = new Set(['socket.changed', 'socket.removed', 'capture.status']);

/** The key under which an envelope replaces an earlier one still queued, or null. */
function coalesceKey(envelope: EventEnvelope): string | null {
  if (envelope.name === 'socket.changed') return `socket.changed:${envelope.payload.socketId}`;
  if (envelope.name === 'capture.status') return 'capture.status';
  return null;
}

/** Creates a batcher; its timer runs only while envelopes wait. */
export function createEventBatcher(options: EventBatcherOptions): EventBatcher {
  const intervalMs = options.intervalMs ?? EVENT_BATCH_MS;
  const maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  const maxQueued = Math.max(maxBatch, options.maxQueued ?? DEFAULT_MAX_QUEUED);
  // Insertion-ordered: a coalesced envelope moves to the end, so it never overtakes a
  // `socket.removed` of the same socket that was queued between the two snapshots.
  const queue = new Map<number, EventEnvelope>();
  const seqByKey = new Map<string, number>();
  let nextSeq = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function schedule(): void {
    if (timer || closed || queue.size === 0) return;
    timer = setTimeout(() => {
      timer = null;
      flush();
    }, intervalMs);
    timer.unref?.();
  }

  function forget(seq: number, envelope: EventEnvelope): void {
    queue.delete(seq);
    const key = coalesceKey(envelope);
    if (key !== null && seqByKey.get(key) === seq) seqByKey.delete(key);
  }

  function dropOverflow(): void {
    let count = 0;
    for (const [seq, envelope] of queue) {
      if (queue.size <= maxQueued) break;
      if (KEPT_ON_OVERFLOW.has(envelope.name)) continue;
      forget(seq, envelope);
      count += 1;
    }
    if (count > 0) {
      dropped += count;
      options.onDrop?.(count);
    }
  }

  function push(envelope: EventEnvelope): void {
    if (closed) return;
    const key = coalesceKey(envelope);
    if (key !== null) {
      const previous = seqByKey.get(key);
      if (previous !== undefined) queue.delete(previous);
      seqByKey.set(key, nextSeq);
    }
    queue.set(nextSeq, envelope);
    nextSeq += 1;
    if (queue.size > maxQueued) dropOverflow();
    schedule();
  }

  function flush(): void {
    if (closed || queue.size === 0) return;
    if (options.ready && !options.ready()) {
      schedule();
      return;
    }
    const batch: EventEnvelope[] = [];
    for (const [seq, envelope] of queue) {
      if (batch.length >= maxBatch) break;
      batch.push(envelope);
      forget(seq, envelope);
    }
    options.send(batch);
    schedule();
  }

  return {
    push,
    flush,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      queue.clear();
      seqByKey.clear();
    },
    get queued() {
      return queue.size;
    },
    get dropped() {
      return dropped;
    },
  };
}

/** Subscribes `push` to every lab event; returns the function that unsubscribes them all. */
export function forwardLabEvents(lab: Pick<LabApi, 'on'>, push: (envelope: EventEnvelope) => void): () => void {
  const offs = EVENT_NAMES.map((name) => lab.on(name, (payload) => push({ name, payload } as EventEnvelope)));
  return () => {
    for (const off of offs) off();
  };
}
