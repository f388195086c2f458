/**
 * Loads libc once through koffi (N-API FFI, prebuilt binaries, no rebuild for Electron) and
 * declares every C function SockLab calls that Node does not expose. Linux (glibc) only;
 * elsewhere `libc()` is null and each wrapper answers ENOSYS with the reason.
 */
import { createRequire } from 'node:module';

/** poll(), callable on the calling thread or, through `.async`, on a libuv worker thread. */
interface PollFunction {
  (fds: Buffer, count: number, timeoutMs: number): number;
  async(fds: Buffer, count: number, timeoutMs: number, done: (error: unknown, ret: number) => void): void;
}

export interface LibcFunctions {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  accept4(fd: number, addr: Buffer, len: number[], flags: number): number;
  getpeername(fd: number, addr: Buffer, len: number[]): number;
  getrlimit(resource: number, out: Buffer): number;
  getsockname(fd: number, addr: Buffer, len: number[]): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: number[]): number;
  shutdown(fd: number, how: number): number;
  recv(fd: number, buffer: Buffer, length: number, flags: number): number;
  sendto(fd: number, data: Buffer, len: number, flags: number, addr: Buffer | null, addrLen: number): number;
  recvfrom(fd: number, data: Buffer, len: number, flags: number, addr: Buffer, addrLen: number[]): number;
  fcntl(fd: number, cmd: number, ...variadic: unknown[]): number;
  close(fd: number): number;
  eventfd(initial: number, flags: number): number;
  read(fd: number, data: Buffer, len: number): number;
  write(fd: number, data: Buffer, len: number): number;
  poll: PollFunction;
  /** ioctl with an int out-parameter (FIONREAD). */
  ioctlInt(fd: number, request: number, out: number[]): number;
  /** ioctl with a struct out-parameter (SIOCGSTAMPNS). */
  ioctlBuffer(fd: number, request: number, out: Buffer): number;
  clock_gettime(clock: number, out: Buffer): number;
  /** getxattr(2): reads a file's extended attribute (file capabilities live in one). */
  getxattr(path: string, name: string, value: Buffer, size: number): number;
  /** Namespaces (lab network): unshare(CLONE_NEWNET) and setns on the calling thread. */
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  /** timerfd (lab network link timers): CLOCK_MONOTONIC, absolute expiry in struct itimerspec. */
  timerfd_create(clock: number, flags: number): number;
  timerfd_settime(fd: number, flags: number, value: Buffer, old: Buffer | null): number;
  /** ioctl with a struct ifreq whose union holds a pointer (SIOCETHTOOL's ifr_data). */
  ioctlIfreqPointer(fd: number, request: number, ifreq: { name: number[]; data: Buffer; pad: number[] }): number;
  errno(): number;
}

let loaded: LibcFunctions | null | undefined;
let loadError = '';

/** libc, loaded at first use; null where koffi or libc.so.6 cannot be loaded (not Linux/glibc). */
export function libc(): LibcFunctions | null {
  if (loaded !== undefined) return loaded;
  try {
    // Required lazily so that importing this module never fails where koffi is absent.
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libc.so.6');
    loaded = {
      socket: lib.func('int socket(int, int, int)'),
      bind: lib.func('int bind(int, const void *, uint32_t)'),
      connect: lib.func('int connect(int, const void *, uint32_t)'),
      listen: lib.func('int listen(int, int)'),
      accept4: lib.func('int accept4(int, _Out_ void *, _Inout_ uint32_t *, int)'),
      getpeername: lib.func('int getpeername(int, _Out_ void *, _Inout_ uint32_t *)'),
      getrlimit: lib.func('int getrlimit(int, _Out_ void *)'),
      getsockname: lib.func('int getsockname(int, _Out_ void *, _Inout_ uint32_t *)'),
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
      getsockopt: lib.func('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)'),
      shutdown: lib.func('int shutdown(int, int)'),
      recv: lib.func('intptr_t recv(int, uint8_t *, size_t, int)'),
      sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
      recvfrom: lib.func('intptr_t recvfrom(int, void *, size_t, int, void *, _Inout_ uint32_t *)'),
      fcntl: lib.func('int fcntl(int, int, ...)'),
      close: lib.func('int close(int)'),
      eventfd: lib.func('int eventfd(unsigned int, int)'),
      read: lib.func('intptr_t read(int, void *, size_t)'),
      write: lib.func('intptr_t write(int, const void *, size_t)'),
      poll: lib.func('int poll(void *, unsigned long, int)') as PollFunction,
      // The same C ioctl, declared twice for its two out-parameter shapes.
      ioctlInt: lib.func('ioctl', 'int', ['int', 'unsigned long', koffi.out(koffi.pointer('int'))]),
      ioctlBuffer: lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']),
      clock_gettime: lib.func('int clock_gettime(int, void *)'),
      getxattr: lib.func('intptr_t getxattr(const char *, const char *, _Out_ void *, size_t)'),
      unshare: lib.func('int unshare(int)'),
      setns: lib.func('int setns(int, int)'),
      timerfd_create: lib.func('int timerfd_create(int, int)'),
      timerfd_settime: lib.func('int timerfd_settime(int, int, const void *, void *)'),
      ioctlIfreqPointer: lib.func('ioctl', 'int', [
        'int',
        'unsigned long',
        koffi.pointer(
          koffi.struct('socklab_ifreq_ptr', { name: koffi.array('uint8_t', 16), data: 'void *', pad: koffi.array('uint8_t', 16) }),
        ),
      ]),
      // koffi saves errno right after each call (also for async calls, restored in the callback).
      errno: () => koffi.errno(),
    } as LibcFunctions;
  } catch (error) {
    loadError = error instanceof Error ? error.message : String(error);
    loaded = null;
  }
  return loaded;
}

/** Why libc could not be loaded ('' when it loaded or was not tried yet). */
export function libcLoadError(): string {
  return loadError;
}
