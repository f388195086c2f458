/**
 * The few libc calls Node does not expose, made through koffi (N-API FFI) on a socket's real
 * descriptor: socket/bind/getsockname (so a stream socket's bind() happens at bind time, as in
 * C), setsockopt/getsockopt (the kernel's own answer), and ioctl(FIONREAD) (bytes the kernel
 * holds for a reader). Every function returns the kernel's result or a negative errno; none
 * throws. Linux numbering.
 */
import { createRequire } from 'node:module';
import type { ErrnoName } from '@shared/errno';
import { errnoByCode } from '@shared/errno';

export const AF = { AF_UNIX: 1, AF_INET: 2, AF_INET6: 10 } as const;
export const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const FIONREAD = 0x541b;

/** Level and option numbers from <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>. */
export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const OPTION_NUMBERS = {
  SO_REUSEADDR: [SOL_SOCKET, 2],
  SO_BROADCAST: [SOL_SOCKET, 6],
  SO_KEEPALIVE: [SOL_SOCKET, 9],
  SO_SNDBUF: [SOL_SOCKET, 7],
  SO_RCVBUF: [SOL_SOCKET, 8],
  SO_LINGER: [SOL_SOCKET, 13],
  TCP_NODELAY: [IPPROTO_TCP, 1],
  IP_TTL: [IPPROTO_IP, 2],
  IP_MULTICAST_TTL: [IPPROTO_IP, 33],
} as const satisfies Record<string, readonly [number, number]>;
export type IntOption = keyof typeof OPTION_NUMBERS;

interface LibcFunctions {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  getsockname(fd: number, addr: Buffer, len: number[]): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: number[]): number;
  ioctl(fd: number, request: number, out: number[]): number;
  shutdown(fd: number, how: number): number;
  recv(fd: number, buffer: Buffer, length: number, flags: number): number;
  close(fd: number): number;
  errno(): number;
}

let loaded: LibcFunctions | null | undefined;

/** Loads libc once; null where koffi or libc.so.6 is missing (non-Linux). */
function libc(): LibcFunctions | null {
  if (loaded !== undefined) return loaded;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libc.so.6');
    loaded = {
      socket: lib.func('int socket(int, int, int)'),
      bind: lib.func('int bind(int, const void *, uint32_t)'),
      getsockname: lib.func('int getsockname(int, _Out_ void *, _Inout_ uint32_t *)'),
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      getsockopt: lib.func('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)'),
      ioctl: lib.func('int ioctl(int, unsigned long, _Out_ int *)'),
      close: lib.func('int close(int)'),
      shutdown: lib.func('int shutdown(int, int)'),
      recv: lib.func('long recv(int, uint8_t *, size_t, int)'),
      errno: () => koffi.errno(),
    } as LibcFunctions;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** Whether the libc layer is usable on this machine. */
export function libcAvailable(): boolean {
  return libc() !== null;
}

/** A libc result: the value, or the errno name the kernel set. */
export type LibcResult<T> = { ok: true; value: T } | { ok: false; errno: ErrnoName };

function failure<T>(lib: LibcFunctions): LibcResult<T> {
  return { ok: false, errno: errnoByCode(lib.errno()) ?? 'EINVAL' };
}
const NO_LIBC = { ok: false, errno: 'ENOSYS' } as const;

/** socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0): a real kernel socket, not yet bound. */
export function openStreamSocket(domain: keyof typeof AF): LibcResult<number> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const fd = lib.socket(AF[domain], SOCK_STREAM | SOCK_CLOEXEC, 0);
  return fd >= 0 ? { ok: true, value: fd } : failure(lib);
}

/** bind(fd, sockaddr): the kernel's answer (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). */
export function bindFd(fd: number, sockaddr: Buffer): LibcResult<0> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  return lib.bind(fd, sockaddr, sockaddr.length) === 0 ? { ok: true, value: 0 } : failure(lib);
}

/** getsockname(fd): the raw sockaddr bytes the kernel reports. */
export function sockNameBytes(fd: number): LibcResult<Buffer> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const buffer = Buffer.alloc(128);
  const length = [buffer.length];
  if (lib.getsockname(fd, buffer, length) !== 0) return failure(lib);
  return { ok: true, value: buffer.subarray(0, length[0]) };
}

/** setsockopt with a C int value. */
export function setIntOption(fd: number, option: IntOption, value: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const [level, name] = OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return lib.setsockopt(fd, level, name, buffer, 4) === 0 ? { ok: true, value: 0 } : failure(lib);
}

/** getsockopt with a C int value (Linux reports SO_RCVBUF/SO_SNDBUF doubled, as it stores them). */
export function getIntOption(fd: number, option: IntOption): LibcResult<number> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const [level, name] = OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  const length = [4];
  if (lib.getsockopt(fd, level, name, buffer, length) !== 0) return failure(lib);
  return { ok: true, value: buffer.readInt32LE(0) };
}

/** setsockopt(SO_LINGER) with struct linger { int l_onoff; int l_linger; }. */
export function setLinger(fd: number, onoff: boolean, seconds: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const buffer = Buffer.alloc(8);
  buffer.writeInt32LE(onoff ? 1 : 0, 0);
  buffer.writeInt32LE(seconds, 4);
  const [level, name] = OPTION_NUMBERS.SO_LINGER;
  return lib.setsockopt(fd, level, name, buffer, 8) === 0 ? { ok: true, value: 0 } : failure(lib);
}

/** getsockopt(SO_LINGER). */
export function getLinger(fd: number): LibcResult<{ onoff: boolean; linger: number }> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const buffer = Buffer.alloc(8);
  const length = [8];
  const [level, name] = OPTION_NUMBERS.SO_LINGER;
  if (lib.getsockopt(fd, level, name, buffer, length) !== 0) return failure(lib);
  return { ok: true, value: { onoff: buffer.readInt32LE(0) !== 0, linger: buffer.readInt32LE(4) } };
}

/** ioctl(fd, FIONREAD): bytes queued in the kernel for a reader (0 when it cannot tell). */
export function kernelBytesWaiting(fd: number | null): number {
  const lib = libc();
  if (!lib || fd === null || fd < 0) return 0;
  const out = [0];
  return lib.ioctl(fd, FIONREAD, out) === 0 ? out[0] : 0;
}

/** shutdown(fd, SHUT_RD): the kernel marks the socket so reads end after what is queued. */
export function shutdownRead(fd: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const SHUT_RD = 0;
  return lib.shutdown(fd, SHUT_RD) === 0 ? { ok: true, value: 0 } : failure(lib);
}

/**
 * recv(fd, up to `length` bytes, MSG_DONTWAIT): what the kernel holds right now, without
 * waiting. 0 means the peer's FIN (end of stream); EAGAIN means nothing is there.
 */
export function recvNow(fd: number, length: number): LibcResult<Buffer> {
  const lib = libc();
  if (!lib) return NO_LIBC;
  const MSG_DONTWAIT = 0x40;
  // A fresh megabyte buffer per call costs koffi milliseconds; one scratch buffer is reused
  // and the bytes received are copied out.
  if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
  const got = lib.recv(fd, scratch, length, MSG_DONTWAIT);
  return got >= 0 ? { ok: true, value: Buffer.from(scratch.subarray(0, got)) } : failure(lib);
}
let scratch = Buffer.alloc(64 * 1024);

/** close(fd) for a kernel socket no Node handle owns yet. */
export function closeFd(fd: number): void {
  libc()?.close(fd);
}
