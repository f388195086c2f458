/**
 * The libc calls a raw socket needs, made through koffi (N-API FFI, prebuilt, no rebuild for
 * Electron): socket, setsockopt/getsockopt, bind, connect, sendto, recvfrom, fcntl, close,
 * and poll/eventfd/read/write for the readiness poller. Node has no raw sockets at all, so
 * these are the real C calls on a real descriptor. Every wrapper returns the kernel's value
 * or the errno it set, by name; none throws. Linux numbering, x86_64 and arm64 alike (LP64,
 * little-endian: the sockaddr/pollfd layouts below are the same on both).
 */
import { createRequire } from 'node:module';
import { ERRNO, errnoByCode, type ErrnoName } from '@shared/errno';

/** <bits/socket.h>, <netinet/in.h>, <fcntl.h>, <poll.h>, <sys/eventfd.h> numbers (Linux). */
export const LINUX = {
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
  MSG_DONTWAIT: 0x40,
  F_GETFL: 3,
  F_SETFL: 4,
  O_NONBLOCK: 0o4000,
  POLLIN: 0x001,
  POLLERR: 0x008,
  POLLHUP: 0x010,
  POLLNVAL: 0x020,
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
  /** ioctl: the kernel receive time of the last packet read, struct timespec (64-bit layout). */
  SIOCGSTAMPNS: 0x8907,
  CLOCK_REALTIME: 0,
} as const;

/** Integer socket options a raw socket takes: [level, optname]. */
export const RAW_OPTION_NUMBERS = {
  SO_RCVBUF: [LINUX.SOL_SOCKET, 8],
  SO_SNDBUF: [LINUX.SOL_SOCKET, 7],
  IP_TTL: [LINUX.IPPROTO_IP, 2],
  IP_HDRINCL: [LINUX.IPPROTO_IP, 3],
  IPV6_UNICAST_HOPS: [LINUX.IPPROTO_IPV6, 16],
  /** RFC 3542's level; Linux refuses it (EINVAL) on ICMPv6 sockets, whose checksum it always computes. */
  IPV6_CHECKSUM: [LINUX.IPPROTO_IPV6, 7],
} as const satisfies Record<string, readonly [number, number]>;
export type RawOption = keyof typeof RAW_OPTION_NUMBERS;

/** struct pollfd { int fd; short events; short revents; }: 8 bytes. */
export const POLLFD_SIZE = 8;

interface LibcFunctions {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: number[]): number;
  bind(fd: number, addr: Buffer, len: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  sendto(fd: number, data: Buffer, len: number, flags: number, addr: Buffer | null, addrLen: number): number;
  recvfrom(fd: number, data: Buffer, len: number, flags: number, addr: Buffer, addrLen: number[]): number;
  fcntl(fd: number, cmd: number, ...variadic: unknown[]): number;
  close(fd: number): number;
  eventfd(initial: number, flags: number): number;
  read(fd: number, data: Buffer, len: number): number;
  write(fd: number, data: Buffer, len: number): number;
  poll: PollFunction;
  ioctl(fd: number, request: number, out: Buffer): number;
  clock_gettime(clock: number, out: Buffer): number;
  errno(): number;
}

/** poll(), callable on the calling thread or, through `.async`, on a libuv worker thread. */
interface PollFunction {
  (fds: Buffer, count: number, timeoutMs: number): number;
  async(fds: Buffer, count: number, timeoutMs: number, done: (error: unknown, ret: number) => void): void;
}

let loaded: LibcFunctions | null | undefined;
let loadError = '';

/** Loads libc once; null where koffi or libc.so.6 cannot be loaded (not Linux/glibc). */
function libc(): LibcFunctions | null {
  if (loaded !== undefined) return loaded;
  try {
    // Required lazily so that importing this module never fails where koffi is absent.
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libc.so.6');
    loaded = {
      socket: lib.func('int socket(int, int, int)'),
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      getsockopt: lib.func('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)'),
      bind: lib.func('int bind(int, const void *, uint32_t)'),
      connect: lib.func('int connect(int, const void *, uint32_t)'),
      sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
      recvfrom: lib.func('intptr_t recvfrom(int, void *, size_t, int, void *, _Inout_ uint32_t *)'),
      fcntl: lib.func('int fcntl(int, int, ...)'),
      close: lib.func('int close(int)'),
      eventfd: lib.func('int eventfd(unsigned int, int)'),
      read: lib.func('intptr_t read(int, void *, size_t)'),
      write: lib.func('intptr_t write(int, const void *, size_t)'),
      poll: lib.func('int poll(void *, unsigned long, int)') as PollFunction,
      ioctl: lib.func('int ioctl(int, unsigned long, void *)'),
      clock_gettime: lib.func('int clock_gettime(int, void *)'),
      // koffi saves errno right after each call (also for async calls, restored in the callback).
      errno: () => koffi.errno(),
    } as LibcFunctions;
  } catch (error) {
    loadError = error instanceof Error ? error.message : String(error);
    loaded = null;
  }
  return loaded;
}

/** A libc failure: the errno name, its Linux number, and a sentence naming the call. */
export interface LibcFailure {
  readonly ok: false;
  readonly errno: ErrnoName;
  readonly code: number;
  readonly message: string;
}
export type LibcResult<T> = { readonly ok: true; readonly value: T } | LibcFailure;

/**
 * Names a Linux errno number for a call. Numbers outside SockLab's table keep their number in
 * the sentence (and travel as EINVAL, the table's catch-all) so nothing the kernel said is lost.
 */
export function libcFailure(call: string, code: number, detail = ''): LibcFailure {
  const positive = Math.abs(code);
  const name = errnoByCode(positive);
  const extra = detail ? ` ${detail}` : '';
  if (name) return { ok: false, errno: name, code: positive, message: `${call}: ${ERRNO[name].text}${extra}` };
  return {
    ok: false,
    errno: 'EINVAL',
    code: positive,
    message: `${call}: the kernel answered Linux errno ${positive}, which SockLab does not name.${extra}`,
  };
}

/** A failure SockLab decides itself (before or instead of a kernel call). */
export function labFailure(call: string, errno: ErrnoName, detail: string): LibcFailure {
  return { ok: false, errno, code: ERRNO[errno].code, message: `${call}: ${ERRNO[errno].text} ${detail}` };
}

function lastError<T>(lib: LibcFunctions, call: string): LibcResult<T> {
  return libcFailure(call, lib.errno());
}

function noLibc(call: string): LibcFailure {
  return labFailure(call, 'ENOSYS', `Raw sockets need Linux's libc through koffi, which could not be loaded here (${loadError || 'not Linux'}).`);
}

function ok<T>(value: T): LibcResult<T> {
  return { ok: true, value };
}

/** Whether the FFI layer loads on this machine. */
export function rawLibcAvailable(): boolean {
  return libc() !== null;
}

/** socket(domain, SOCK_RAW | SOCK_CLOEXEC, protocol). */
export function sysSocketRaw(domain: number, protocol: number): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('socket');
  const fd = lib.socket(domain, LINUX.SOCK_RAW | LINUX.SOCK_CLOEXEC, protocol);
  return fd >= 0 ? ok(fd) : lastError(lib, 'socket');
}

/** setsockopt(fd, level, name, &int, sizeof int). */
export function sysSetIntOption(fd: number, option: RawOption, value: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('setsockopt');
  const [level, name] = RAW_OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return lib.setsockopt(fd, level, name, buffer, 4) === 0 ? ok(0) : lastError(lib, 'setsockopt');
}

/** getsockopt(fd, level, name) of an int option: the kernel's own value. */
export function sysGetIntOption(fd: number, option: RawOption): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  const [level, name] = RAW_OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  const length = [4];
  return lib.getsockopt(fd, level, name, buffer, length) === 0 ? ok(buffer.readInt32LE(0)) : lastError(lib, 'getsockopt');
}

/** bind(fd, sockaddr). */
export function sysBind(fd: number, sockaddr: Buffer): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('bind');
  return lib.bind(fd, sockaddr, sockaddr.length) === 0 ? ok(0) : lastError(lib, 'bind');
}

/** connect(fd, sockaddr): for a raw socket it only fixes the default destination. */
export function sysConnect(fd: number, sockaddr: Buffer): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('connect');
  return lib.connect(fd, sockaddr, sockaddr.length) === 0 ? ok(0) : lastError(lib, 'connect');
}

/** sendto(fd, data, len, flags, sockaddr or NULL): bytes sent. */
export function sysSendto(fd: number, data: Buffer, flags: number, sockaddr: Buffer | null): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('sendto');
  const sent = lib.sendto(fd, data, data.length, flags, sockaddr, sockaddr?.length ?? 0);
  return sent >= 0 ? ok(sent) : lastError(lib, 'sendto');
}

/**
 * One receive buffer for every synchronous recvfrom() (they run on the main thread one at a
 * time): zero-filling 64 KiB per call cost ~75 µs here, more than the round trip of a loopback ping.
 */
const receiveScratch = Buffer.allocUnsafe(65535);
const sockaddrScratch = Buffer.alloc(128);

/** recvfrom(fd, buf, len, flags, &sockaddr, &len): a copy of the bytes and the sender's sockaddr. */
export function sysRecvfrom(fd: number, maxBytes: number, flags: number): LibcResult<{ data: Buffer; sockaddr: Buffer }> {
  const lib = libc();
  if (!lib) return noLibc('recvfrom');
  const into = maxBytes <= receiveScratch.length ? receiveScratch : Buffer.allocUnsafe(maxBytes);
  // sockaddr_storage is 128 bytes: room for any family the kernel may report.
  const length = [sockaddrScratch.length];
  const got = lib.recvfrom(fd, into, maxBytes, flags, sockaddrScratch, length);
  if (got < 0) return lastError(lib, 'recvfrom');
  return ok({
    data: Buffer.from(into.subarray(0, got)),
    sockaddr: Buffer.from(sockaddrScratch.subarray(0, Math.min(length[0], sockaddrScratch.length))),
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
  return lib.ioctl(fd, LINUX.SIOCGSTAMPNS, timespec) === 0 ? ok(timespecNs(timespec)) : lastError(lib, 'ioctl');
}

/** clock_gettime(CLOCK_REALTIME): the clock SIOCGSTAMPNS stamps with, for round trips. */
export function sysRealtimeNs(): bigint {
  const lib = libc();
  if (!lib) return BigInt(Date.now()) * 1_000_000n;
  const timespec = Buffer.alloc(16);
  lib.clock_gettime(LINUX.CLOCK_REALTIME, timespec);
  return timespecNs(timespec);
}

/** fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags | O_NONBLOCK): the flags after the call. */
export function sysSetNonblocking(fd: number, nonblocking?: boolean): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('fcntl');
  const flags = lib.fcntl(fd, LINUX.F_GETFL);
  if (flags < 0) return lastError(lib, 'fcntl');
  if (nonblocking === undefined) return ok(flags);
  const next = nonblocking ? flags | LINUX.O_NONBLOCK : flags & ~LINUX.O_NONBLOCK;
  return lib.fcntl(fd, LINUX.F_SETFL, 'int', next) === 0 ? ok(next) : lastError(lib, 'fcntl');
}

/** close(fd). */
export function sysClose(fd: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('close');
  return lib.close(fd) === 0 ? ok(0) : lastError(lib, 'close');
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
