/**
 * Waiting and time without blocking Node: eventfd (the raw-socket poller's wake-up), poll() on
 * a libuv worker thread, and the kernel's receive stamps (SIOCGSTAMPNS) with the clock they use.
 */
import { LINUX } from './constants';
import { libc, type LibcFunctions } from './load';
import { labFailure, libcFailure, noLibc, ok, type LibcResult } from './result';

function lastError<T>(lib: LibcFunctions, call: string): LibcResult<T> {
  return libcFailure(call, lib.errno());
}

/** eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC): the poller's wake-up descriptor. */
export function sysEventfd(): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('eventfd');
  const fd = lib.eventfd(0, LINUX.EFD_NONBLOCK | LINUX.EFD_CLOEXEC);
  return fd >= 0 ? ok(fd) : lastError(lib, 'eventfd');
}

/** Adds 1 to an eventfd counter, which makes a poll() watching it return. */
export function sysEventfdSignal(fd: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('write');
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  return lib.write(fd, one, 8) === 8 ? ok(0) : lastError(lib, 'write');
}

/** Resets an eventfd counter (non-blocking read; EAGAIN when it was already 0 is fine). */
export function sysEventfdDrain(fd: number): void {
  libc()?.read(fd, Buffer.alloc(8), 8);
}

/**
 * poll(fds, n, -1) on a libuv worker thread: the event loop keeps running while it waits.
 * `fds` must stay referenced until `done` runs: the worker writes revents into it.
 */
export function sysPollAsync(fds: Buffer, count: number, done: (result: LibcResult<number>) => void): void {
  const lib = libc();
  if (!lib) {
    done(noLibc('poll'));
    return;
  }
  lib.poll.async(fds, count, -1, (error, ret) => {
    if (error) done(labFailure('poll', 'EINVAL', `koffi could not run poll(): ${String(error)}`));
    else done(ret >= 0 ? ok(ret) : lastError(lib, 'poll'));
  });
}

/** struct timespec { time_t tv_sec; long tv_nsec; } as nanoseconds (LP64: two 8-byte fields). */
function timespecNs(buffer: Buffer): bigint {
  return buffer.readBigInt64LE(0) * 1_000_000_000n + buffer.readBigInt64LE(8);
}

/**
 * ioctl(fd, SIOCGSTAMPNS): when the kernel received the packet the last recvfrom() returned,
 * on CLOCK_REALTIME. The first call on a socket turns receive stamping on and answers ENOENT.
 */
export function sysLastReceiveStampNs(fd: number): LibcResult<bigint> {
  const lib = libc();
  if (!lib) return noLibc('ioctl');
  const timespec = Buffer.alloc(16);
  return lib.ioctlBuffer(fd, LINUX.SIOCGSTAMPNS, timespec) === 0 ? ok(timespecNs(timespec)) : lastError(lib, 'ioctl');
}

/** clock_gettime(CLOCK_REALTIME): the clock SIOCGSTAMPNS stamps with, for round trips. */
export function sysRealtimeNs(): bigint {
  const lib = libc();
  if (!lib) return BigInt(Date.now()) * 1_000_000n;
  const timespec = Buffer.alloc(16);
  lib.clock_gettime(LINUX.CLOCK_REALTIME, timespec);
  return timespecNs(timespec);
}
