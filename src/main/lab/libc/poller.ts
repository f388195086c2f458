/**
 * One readiness poller for every descriptor the lab itself owns and waits on: raw sockets with
 * a receive pending, listening sockets (accept), stream sockets whose connect is under way.
 * Node cannot watch these (libuv has no handle for SOCK_RAW, and the lab keeps listeners and
 * connecting sockets to itself), and a blocking call on the main thread would freeze the event
 * loop, so one poll() runs on a libuv worker thread over all the descriptors being waited on,
 * plus an eventfd that wakes it when that set changes. The call itself then happens on the
 * main thread without blocking (MSG_DONTWAIT, a non-blocking accept), so its errno is exact.
 *
 * Closing safety: a descriptor inside a running poll() is never closed under it. close() is
 * deferred until that poll returns (woken at once through the eventfd), so the descriptor
 * number cannot be reused by another open while a worker thread still watches it.
 */
import { LINUX, POLLFD_SIZE } from './constants';
import { sysEventfd, sysEventfdDrain, sysEventfdSignal, sysPollAsync } from './events';
import type { LibcResult } from './result';
import { sysClose } from './sockets';

type Callback = (revents: number) => void;
interface Waiter {
  readonly events: number;
  readonly callback: Callback;
}
/** Conditions poll() reports whatever was asked: they end every wait on that descriptor. */
const ALWAYS = LINUX.POLLERR | LINUX.POLLHUP | LINUX.POLLNVAL;

interface InFlight {
  readonly fds: ReadonlySet<number>;
  /** The events asked for each descriptor in this poll. */
  readonly events: ReadonlyMap<number, number>;
  /** The pollfd array the worker thread writes into: referenced until poll() returns. */
  readonly buffer: Buffer;
}

class ReadinessPoller {
  private readonly waiters = new Map<number, Set<Waiter>>();
  private readonly pendingCloses = new Map<number, Array<(result: LibcResult<0>) => void>>();
  private inFlight: InFlight | null = null;
  private wakeFd = -1;
  private wakePending = false;

  /**
   * Calls `onEvent` once, with poll()'s revents, when `fd` is readable (or in error).
   * Returns a function that withdraws the wait.
   */
  waitReadable(fd: number, onEvent: Callback): LibcResult<() => void> {
    return this.waitFor(fd, LINUX.POLLIN, onEvent);
  }

  /**
   * Calls `onEvent` once, with poll()'s revents, when `fd` reports one of `events` (POLLIN,
   * POLLOUT) or an error/hang-up. Returns a function that withdraws the wait.
   */
  waitFor(fd: number, events: number, onEvent: Callback): LibcResult<() => void> {
    const wake = this.ensureWakeFd();
    if (!wake.ok) return wake;
    let set = this.waiters.get(fd);
    if (!set) this.waiters.set(fd, (set = new Set()));
    const waiter: Waiter = { events, callback: onEvent };
    set.add(waiter);
    if (!this.inFlight) this.start();
    else if (!this.inFlight.fds.has(fd) || (this.inFlight.events.get(fd)! & events) !== events) this.wake();
    return { ok: true, value: () => this.withdraw(fd, waiter) };
  }

  /** close(fd), deferred while a poll() on a worker thread still watches that descriptor. */
  close(fd: number): Promise<LibcResult<0>> {
    this.waiters.delete(fd);
    if (!this.inFlight?.fds.has(fd)) return Promise.resolve(sysClose(fd));
    return new Promise((resolve) => {
      const queue = this.pendingCloses.get(fd) ?? [];
      queue.push(resolve);
      this.pendingCloses.set(fd, queue);
      this.wake();
    });
  }

  /** Descriptors waited on right now (for tests and diagnostics). */
  watchedCount(): number {
    return this.waiters.size;
  }

  private withdraw(fd: number, waiter: Waiter): void {
    const set = this.waiters.get(fd);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) {
      this.waiters.delete(fd);
      // Re-arm without it, so an idle poller gives its worker thread back to libuv.
      if (this.inFlight?.fds.has(fd)) this.wake();
    }
  }

  private ensureWakeFd(): LibcResult<number> {
    if (this.wakeFd >= 0) return { ok: true, value: this.wakeFd };
    const created = sysEventfd();
    if (created.ok) this.wakeFd = created.value;
    return created;
  }

  private wake(): void {
    if (this.wakePending || !this.inFlight) return;
    this.wakePending = true;
    sysEventfdSignal(this.wakeFd);
  }

  private start(): void {
    if (this.inFlight || this.waiters.size === 0) return;
    const fds = new Set(this.waiters.keys());
    const events = new Map<number, number>([[this.wakeFd, LINUX.POLLIN]]);
    for (const [fd, set] of this.waiters)
      events.set(
        fd,
        [...set].reduce((mask, waiter) => mask | waiter.events, 0),
      );
    const all = [this.wakeFd, ...fds];
    const buffer = Buffer.alloc(all.length * POLLFD_SIZE);
    all.forEach((fd, i) => {
      buffer.writeInt32LE(fd, i * POLLFD_SIZE);
      buffer.writeInt16LE(events.get(fd)!, i * POLLFD_SIZE + 4);
    });
    const flight: InFlight = { fds, events, buffer };
    this.inFlight = flight;
    sysPollAsync(buffer, all.length, (result) => this.finish(flight, all, result));
  }

  private finish(flight: InFlight, all: readonly number[], result: LibcResult<number>): void {
    this.inFlight = null;
    sysEventfdDrain(this.wakeFd);
    this.wakePending = false;
    // Closes first: their descriptors left the waiter map already, and no poll watches them now.
    for (const [fd, resolvers] of this.pendingCloses) {
      const closed = sysClose(fd);
      resolvers.forEach((resolve) => resolve(closed));
    }
    this.pendingCloses.clear();
    if (!result.ok) {
      // poll() itself failed (EINTR from a signal, ENOMEM): try again shortly, never spin.
      setTimeout(() => this.start(), 10);
      return;
    }
    const ready: Array<[Waiter, number]> = [];
    all.forEach((fd, i) => {
      const revents = i === 0 ? 0 : flight.buffer.readInt16LE(i * POLLFD_SIZE + 6);
      const set = this.waiters.get(fd);
      if (revents === 0 || !set) return;
      for (const waiter of set) {
        if ((revents & (waiter.events | ALWAYS)) === 0) continue; // not what this one waits for
        set.delete(waiter);
        ready.push([waiter, revents]);
      }
      if (set.size === 0) this.waiters.delete(fd);
    });
    // Waiters may wait again (their recvfrom found nothing): they re-register, and start() runs once.
    for (const [waiter, revents] of ready) waiter.callback(revents);
    this.start();
  }
}

/** The process-wide poller every raw socket shares. */
export const readinessPoller = new ReadinessPoller();
