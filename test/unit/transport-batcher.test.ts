/** The shared event batcher: coalescing, ordering, batch bounds, overflow and backpressure. */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@shared/events';
import type { SocketInfo } from '@shared/socket';
import { createEventBatcher } from '../../src/main/transport/batcher';

/** A snapshot of socket `socketId` (by default the first socket on `fd`). */
function snapshot(fd: number, bytesWaiting: number, socketId = fd): EventEnvelope {
  const info = { socketId, fd, bytesWaiting } as unknown as SocketInfo; // only the identity matters to the batcher
  return { name: 'socket.changed', payload: info };
}
const removed = (fd: number, socketId = fd): EventEnvelope => ({ name: 'socket.removed', payload: { fd, socketId } });
const log = (id: number): EventEnvelope => ({ name: 'call.logged', payload: { id } as never });

/** A batcher whose timer never fires by itself: the test flushes. */
function manual(options: { maxBatch?: number; maxQueued?: number; ready?: () => boolean } = {}) {
  const sent: EventEnvelope[][] = [];
  const drops: number[] = [];
  const batcher = createEventBatcher({
    send: (batch) => sent.push(batch),
    intervalMs: 3_600_000,
    onDrop: (n) => drops.push(n),
    ...options,
  });
  return { batcher, sent, drops };
}

describe('createEventBatcher', () => {
  it('sends what was pushed as one batch, in order', () => {
    const { batcher, sent } = manual();
    batcher.push(log(1));
    batcher.push(log(2));
    batcher.flush();
    expect(sent).toEqual([[log(1), log(2)]]);
    batcher.close();
  });

  it('coalesces socket.changed per socket, latest wins', () => {
    const { batcher, sent } = manual();
    for (let i = 0; i < 1000; i++) batcher.push(snapshot(3, i));
    batcher.push(snapshot(4, 7));
    batcher.push(snapshot(3, 5000));
    batcher.flush();
    expect(sent).toEqual([[snapshot(4, 7), snapshot(3, 5000)]]);
    batcher.close();
  });

  it('keeps a closed socket and the new one on its descriptor apart, in order', () => {
    const { batcher, sent } = manual();
    batcher.push(snapshot(3, 1, 1));
    batcher.push(removed(3, 1));
    batcher.push(snapshot(3, 0, 2)); // fd 3 handed out again: another socket
    batcher.push(snapshot(3, 9, 2));
    batcher.flush();
    expect(sent[0]).toEqual([snapshot(3, 1, 1), removed(3, 1), snapshot(3, 9, 2)]);
    batcher.close();
  });

  it('bounds the batch size and sends the rest next', () => {
    const { batcher, sent } = manual({ maxBatch: 3 });
    for (let i = 1; i <= 7; i++) batcher.push(log(i));
    batcher.flush();
    batcher.flush();
    batcher.flush();
    expect(sent.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6, 7].map(log));
    batcher.close();
  });

  it('drops the oldest refetchable events when the queue overflows, keeping state snapshots', () => {
    const { batcher, sent, drops } = manual({ maxBatch: 2, maxQueued: 4 });
    batcher.push(snapshot(3, 1));
    for (let i = 1; i <= 6; i++) batcher.push(log(i));
    expect(batcher.queued).toBe(4);
    expect(batcher.dropped).toBe(3);
    expect(drops.reduce((a, b) => a + b, 0)).toBe(3);
    batcher.flush();
    batcher.flush();
    expect(sent.flat()).toEqual([snapshot(3, 1), log(4), log(5), log(6)]);
    batcher.close();
  });

  it('holds batches while the receiver is not ready', () => {
    let ready = false;
    const { batcher, sent } = manual({ ready: () => ready });
    batcher.push(log(1));
    batcher.flush();
    expect(sent).toEqual([]);
    ready = true;
    batcher.flush();
    expect(sent).toEqual([[log(1)]]);
    batcher.close();
  });

  it('sends on its own after the interval', async () => {
    const sent: EventEnvelope[][] = [];
    const batcher = createEventBatcher({ send: (batch) => sent.push(batch), intervalMs: 1 });
    batcher.push(log(1));
    await new Promise<void>((resolve) => {
      const check = () => (sent.length > 0 ? resolve() : setTimeout(check, 1));
      check();
    });
    expect(sent).toEqual([[log(1)]]);
    batcher.close();
  });
});
