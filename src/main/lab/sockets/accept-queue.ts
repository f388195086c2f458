/**
 * A listener's view of the kernel's accept queue, kept current while it listens. The kernel
 * holds the queue (the lab listens on its own descriptor); this only reads its length and wakes
 * a blocked accept() when connections arrive.
 */
import { monoUs } from '../context';
import { LINUX, readinessPoller, sysPollNow, sysTcpInfo } from '../libc';
import type { LabSocket, SocketTable } from './table';

/** How often a listener's queue length is read again while connections wait in it. */
const QUEUE_REFRESH_MS = 200;

/**
 * The listener's view of the kernel's accept queue. TCP_INFO gives its length for TCP; the
 * kernel does not say how many wait on an AF_UNIX listener, only whether one does (poll).
 * Peers stay unknown until accept() (the lab shows null); `since` is when the lab saw each.
 */
export function refreshQueue(sock: LabSocket): boolean {
  const fd = sock.kernelFd;
  let length = 0;
  if (fd !== null && sock.state === 'listening') {
    const info = sock.domain === 'AF_UNIX' ? null : sysTcpInfo(fd);
    if (info?.ok) length = info.value.acceptQueue;
    else {
      const ready = sysPollNow(fd, LINUX.POLLIN);
      length = ready.ok && (ready.value & LINUX.POLLIN) !== 0 ? Math.max(1, sock.acceptQueue.length) : 0;
    }
  }
  if (length === sock.acceptQueue.length) return false;
  // Accept takes the oldest: the entries that remain keep their times, new ones start now.
  const kept = sock.acceptQueue.slice(Math.max(0, sock.acceptQueue.length - length));
  while (kept.length < length) kept.push({ peer: null, since: monoUs() });
  sock.acceptQueue = kept;
  return true;
}

interface QueueWatch {
  withdraw: (() => void) | null;
  timer: NodeJS.Timeout | null;
}
const queueWatches = new WeakMap<LabSocket, QueueWatch>();

/**
 * Keeps a listener's queue view current and wakes a blocked accept: while the queue is empty
 * the shared poller waits for the listener to become readable; while connections wait, a
 * timer re-reads the length (a poll would report "readable" at once, again and again).
 */
export function watchQueue(sock: LabSocket, table: SocketTable): void {
  stopWatch(sock);
  const fd = sock.kernelFd;
  if (fd === null || sock.state !== 'listening') return;
  const watch: QueueWatch = { withdraw: null, timer: null };
  queueWatches.set(sock, watch);
  const changed = refreshQueue(sock);
  const again = () => {
    if (queueWatches.get(sock) !== watch) return;
    watch.withdraw = null;
    watchQueue(sock, table);
  };
  if (sock.acceptQueue.length === 0) {
    const waiting = readinessPoller.waitReadable(fd, again);
    if (waiting.ok) watch.withdraw = waiting.value;
  } else {
    watch.timer = setTimeout(again, QUEUE_REFRESH_MS);
    watch.timer.unref();
  }
  if (changed) table.notify(sock); // a blocked accept() re-runs its attempt here
}

/** Ends a listener's queue watch (on accept's re-arm, close and reset). */
export function stopWatch(sock: LabSocket): void {
  const watch = queueWatches.get(sock);
  if (!watch) return;
  queueWatches.delete(sock);
  watch.withdraw?.();
  if (watch.timer) clearTimeout(watch.timer);
}
