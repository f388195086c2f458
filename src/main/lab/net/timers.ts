/**
 * The link's clock: a min-heap of deadlines on CLOCK_MONOTONIC and one timerfd armed for the
 * earliest. Node's setTimeout has millisecond granularity and fires late under load; a timerfd
 * expires with the kernel's hrtimer precision (tens of µs) and is watched by the same poller as
 * the hosts' packet sockets, so a frame due in 300 µs goes out in about 300 µs.
 */
import { readinessPoller } from '../libc/poller';
import { closeFd, sysReadNow, sysTimerfd, sysTimerfdAt } from '../libc';

/** CLOCK_MONOTONIC in microseconds, fractional (the call log's clock, finer). */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

/** Deadlines in µs on CLOCK_MONOTONIC; `at` runs `fn` once at (or just after) that time. */
export class LinkTimers {
  private heap: Entry[] = [];
  private seq = 0;
  private fd: number;
  private armedAt = 0;
  private withdraw: (() => void) | null = null;
  private closed = false;
  private readonly scratch = Buffer.alloc(8);

  constructor() {
    const created = sysTimerfd();
    if (!created.ok) throw new Error(created.message);
    this.fd = created.value;
  }

  /** Deadlines waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at CLOCK_MONOTONIC `atUs` (entries due at the same time run in the order given). */
  at(atUs: number, run: () => void): void {
    if (this.closed) return;
    this.push({ at: atUs, seq: this.seq++, run });
    this.arm();
  }

  /** Drops every deadline and releases the timerfd. */
  close(): void {
    this.closed = true;
    this.heap = [];
    this.withdraw?.();
    this.withdraw = null;
    void readinessPoller.close(this.fd);
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first) return;
    if (this.armedAt !== first.at) {
      this.armedAt = first.at;
      // 0 would disarm: a deadline already past is set 1 ns into the past instead.
      sysTimerfdAt(this.fd, BigInt(Math.max(1, Math.round(first.at * 1000))));
    }
    if (this.withdraw) return;
    const waiting = readinessPoller.waitReadable(this.fd, () => {
      this.withdraw = null;
      this.fire();
    });
    if (!waiting.ok) throw new Error(waiting.message);
    this.withdraw = waiting.value;
  }

  private fire(): void {
    if (this.closed) return;
    sysReadNow(this.fd, this.scratch); // clears the expiry count
    this.armedAt = 0;
    const now = nowUs();
    // Bounded: entries added while running (duplicates, rescheduled frames) wait for the next turn.
    let budget = this.heap.length;
    while (budget-- > 0 && this.heap.length > 0 && this.heap[0].at <= now) {
      const entry = this.pop();
      try {
        entry.run();
      } catch (error) {
        console.error('SockLab link timer failed', error);
      }
    }
    this.arm();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export { closeFd };
