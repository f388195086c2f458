/**
 * One readiness poller for every raw socket with a receive pending. Node cannot watch a raw
 * socket (libuv has no handle for SOCK_RAW), and a blocking recvfrom() on the main thread would
 * freeze the event loop, so one poll() runs on a libuv worker thread over all the descriptors
 * being waited on, plus an eventfd that wakes it when that set changes. The receive itself
 * then happens on the main thread with MSG_DONTWAIT, so its errno is exact and never raced.
 *
 * Closing safety: a descriptor inside a running poll() is never closed under it. close() is
 * deferred until that poll returns (woken at once through the eventfd), so the descriptor
 * number cannot be reused by another open while a worker thread still watches it.
 */
import {
  LINUX,
  POLLFD_SIZE,
  sysClose,
  sysEventfd,
  sysEventfdDrain,
  sysEventfdSignal,
  sysPollAsync,
  type LibcResult,
} from '../libc';

type Waiter = (revents: number) => void;

interface InFlight {
  readonly fds: ReadonlySet<number>;
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
  waitReadable(fd: number, onEvent: Waiter): LibcResult<() => void> {
    const wake = this.ensureWakeFd();
    if (!wake.ok) return wake;
    let set = this.waiters.get(fd);
    if (!set) this.waiters.set(fd, (set = new Set()));
    set.add(onEvent);
    if (!this.inFlight) this.start();
    else if (!this.inFlight.fds.has(fd)) this.wake();
    return { ok: true, value: () => this.withdraw(fd, onEvent) };
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

  private withdraw(fd: number, onEvent: Waiter): void {
    const set = this.waiters.get(fd);
    if (!set?.delete(onEvent)) return;
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
    const all = [this.wakeFd, ...fds];
    const buffer = Buffer.alloc(all.length * POLLFD_SIZE);
    all.forEach((fd, i) => {
      buffer.writeInt32LE(fd, i * POLLFD_SIZE);
      buffer.writeInt16LE(LINUX.POLLIN, i * POLLFD_SIZE + 4);
    });
    const flight: InFlight = { fds, buffer };
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
    const ready: Array<[Set<Waiter>, number]> = [];
    all.forEach((fd, i) => {
      const revents = i === 0 ? 0 : flight.buffer.readInt16LE(i * POLLFD_SIZE + 6);
      const set = this.waiters.get(fd);
      if (revents === 0 || !set) return;
      this.waiters.delete(fd);
      ready.push([set, revents]);
    });
    // Waiters may wait again (their recvfrom found nothing): they re-register, and start() runs once.
    for (const [set, revents] of ready) set.forEach((waiter) => waiter(revents));
    this.start();
  }
}

/** The process-wide poller every raw socket shares. */
export const readinessPoller = new ReadinessPoller();
