/**
 * Calls a page may leave blocked: accept, connect, recv, send... wait until the OS answers,
 * which may be never. When the page goes away (its WebSocket closed, its window gone), nobody
 * waits for those answers any more, so both transports cancel them, through the same gate.
 */
import type { Dispatch } from './dispatch';

/** Routes that may block until the OS answers. */
const BLOCKING_ROUTES: ReadonlySet<string> = new Set([
  'socket.accept',
  'socket.connect',
  'socket.recv',
  'socket.recvfrom',
  'socket.send',
  'socket.sendto',
]);

export interface BlockedCalls {
  /** Notes a request that may block; returns the function to call once it is answered. */
  track(name: unknown, input: unknown): () => void;
  /** Cancels every call still waiting (the page is gone); later requests are not tracked. */
  cancelAll(): void;
}

/** The descriptor a request may block on, or null for requests that never block. */
function blockingFd(name: unknown, input: unknown): number | null {
  if (typeof name !== 'string' || !BLOCKING_ROUTES.has(name)) return null;
  if (typeof input !== 'object' || input === null) return null;
  const fd = (input as { fd?: unknown }).fd;
  return typeof fd === 'number' && Number.isInteger(fd) ? fd : null;
}

/** The calls one page has waiting, cancelled through `dispatch` when it goes away. */
export function createBlockedCalls(dispatch: Dispatch): BlockedCalls {
  const waiting = new Map<symbol, number>();
  return {
    track(name, input) {
      const fd = blockingFd(name, input);
      if (fd === null) return () => {};
      const key = Symbol(String(name));
      waiting.set(key, fd);
      return () => waiting.delete(key);
    },
    cancelAll() {
      const fds = new Set(waiting.values());
      waiting.clear();
      for (const fd of fds) void dispatch('socket.cancel', { fd });
    },
  };
}
