/**
 * Socket calls on a real kernel descriptor: socket, bind, connect, getsockname, setsockopt /
 * getsockopt, shutdown, recv, sendto, recvfrom, fcntl, close, ioctl(FIONREAD). Each returns
 * the kernel's value or the errno it set (never throws).
 */
import { LINUX, OPTION_NUMBERS, POLLFD_SIZE, type IntOption } from './constants';
import { libc, type LibcFunctions } from './load';
import { inNetns } from './netns';
import { libcFailure, noLibc, ok, type LibcResult } from './result';

function lastError<T>(lib: LibcFunctions, call: string): LibcResult<T> {
  return libcFailure(call, lib.errno());
}

/**
 * socket(domain, type | SOCK_CLOEXEC, protocol): a real kernel socket, not yet bound. With
 * `netns` (a lab-network host's namespace) it is made there and stays there for life.
 */
export function sysSocket(domain: number, type: number, protocol: number, netns: number | null = null): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('socket');
  return inNetns(netns, () => {
    const fd = lib.socket(domain, type | LINUX.SOCK_CLOEXEC, protocol);
    return fd >= 0 ? ok(fd) : lastError(lib, 'socket');
  });
}

/** bind(fd, sockaddr): the kernel's answer (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). */
export function sysBind(fd: number, sockaddr: Buffer): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('bind');
  return lib.bind(fd, sockaddr, sockaddr.length) === 0 ? ok(0) : lastError(lib, 'bind');
}

/** connect(fd, sockaddr); for a raw socket it only fixes the default destination. */
export function sysConnect(fd: number, sockaddr: Buffer): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('connect');
  return lib.connect(fd, sockaddr, sockaddr.length) === 0 ? ok(0) : lastError(lib, 'connect');
}

/** listen(fd, backlog): the kernel's accept queue holds what the backlog allows. */
export function sysListen(fd: number, backlog: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('listen');
  return lib.listen(fd, backlog) === 0 ? ok(0) : lastError(lib, 'listen');
}

/**
 * accept4(fd, &sockaddr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK): the oldest connection of the
 * kernel's accept queue, or EAGAIN when it is empty (the listener is non-blocking underneath).
 */
export function sysAccept(fd: number): LibcResult<{ fd: number; sockaddr: Buffer }> {
  const lib = libc();
  if (!lib) return noLibc('accept');
  const buffer = Buffer.alloc(128);
  const length = [buffer.length];
  const accepted = lib.accept4(fd, buffer, length, LINUX.SOCK_CLOEXEC | LINUX.SOCK_NONBLOCK);
  if (accepted < 0) return lastError(lib, 'accept');
  return ok({ fd: accepted, sockaddr: buffer.subarray(0, Math.min(length[0], buffer.length)) });
}

/** getsockname(fd): the raw sockaddr bytes the kernel reports. */
export function sysSockNameBytes(fd: number): LibcResult<Buffer> {
  const lib = libc();
  if (!lib) return noLibc('getsockname');
  const buffer = Buffer.alloc(128);
  const length = [buffer.length];
  if (lib.getsockname(fd, buffer, length) !== 0) return lastError(lib, 'getsockname');
  return ok(buffer.subarray(0, length[0]));
}

/** getpeername(fd): the peer's sockaddr bytes, or ENOTCONN while not (yet) connected. */
export function sysPeerNameBytes(fd: number): LibcResult<Buffer> {
  const lib = libc();
  if (!lib) return noLibc('getpeername');
  const buffer = Buffer.alloc(128);
  const length = [buffer.length];
  if (lib.getpeername(fd, buffer, length) !== 0) return lastError(lib, 'getpeername');
  return ok(buffer.subarray(0, Math.min(length[0], buffer.length)));
}

/** What TCP_INFO tells about one TCP socket (the fields the lab reads). */
export interface TcpInfo {
  /** The TCP state number (1 ESTABLISHED, 2 SYN_SENT, 7 CLOSE, 10 LISTEN, ...). */
  state: number;
  /** Listening socket: connections in the accept queue now (sk_ack_backlog). */
  acceptQueue: number;
  /** Listening socket: the accept queue's limit (sk_max_ack_backlog, the backlog). */
  acceptQueueMax: number;
}

/** getsockopt(IPPROTO_TCP, TCP_INFO): read-only, unlike SO_ERROR it changes nothing. */
export function sysTcpInfo(fd: number): LibcResult<TcpInfo> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  // struct tcp_info: u8 tcpi_state at 0; for a listener tcpi_unacked (24) and tcpi_sacked (28)
  // carry the accept queue's length and limit (tcp_get_info in net/ipv4/tcp.c).
  const buffer = Buffer.alloc(104);
  const length = [buffer.length];
  if (lib.getsockopt(fd, LINUX.IPPROTO_TCP, LINUX.TCP_INFO, buffer, length) !== 0) return lastError(lib, 'getsockopt');
  return ok({ state: buffer.readUInt8(0), acceptQueue: buffer.readUInt32LE(24), acceptQueueMax: buffer.readUInt32LE(28) });
}

/** setsockopt(fd, level, name, &int, sizeof int). */
export function sysSetIntOption(fd: number, option: IntOption, value: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('setsockopt');
  const [level, name] = OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return lib.setsockopt(fd, level, name, buffer, 4) === 0 ? ok(0) : lastError(lib, 'setsockopt');
}

/** getsockopt of an int option: the kernel's own value (Linux reports SO_RCVBUF/SO_SNDBUF doubled). */
export function sysGetIntOption(fd: number, option: IntOption): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  const [level, name] = OPTION_NUMBERS[option];
  const buffer = Buffer.alloc(4);
  const length = [4];
  return lib.getsockopt(fd, level, name, buffer, length) === 0 ? ok(buffer.readInt32LE(0)) : lastError(lib, 'getsockopt');
}

/** setsockopt(SO_LINGER) with struct linger { int l_onoff; int l_linger; }. */
export function sysSetLinger(fd: number, onoff: boolean, seconds: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('setsockopt');
  const buffer = Buffer.alloc(8);
  buffer.writeInt32LE(onoff ? 1 : 0, 0);
  buffer.writeInt32LE(seconds, 4);
  const [level, name] = OPTION_NUMBERS.SO_LINGER;
  return lib.setsockopt(fd, level, name, buffer, 8) === 0 ? ok(0) : lastError(lib, 'setsockopt');
}

/** getsockopt(SO_LINGER). */
export function sysGetLinger(fd: number): LibcResult<{ onoff: boolean; linger: number }> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  const buffer = Buffer.alloc(8);
  const length = [8];
  const [level, name] = OPTION_NUMBERS.SO_LINGER;
  if (lib.getsockopt(fd, level, name, buffer, length) !== 0) return lastError(lib, 'getsockopt');
  return ok({ onoff: buffer.readInt32LE(0) !== 0, linger: buffer.readInt32LE(4) });
}

/** ioctl(fd, FIONREAD): bytes queued in the kernel for a reader (0 when it cannot tell). */
export function sysBytesWaiting(fd: number | null): number {
  const lib = libc();
  if (!lib || fd === null || fd < 0) return 0;
  const out = [0];
  return lib.ioctlInt(fd, LINUX.FIONREAD, out) === 0 ? out[0] : 0;
}

/** shutdown(fd, how): 0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR; the kernel's answer (ENOTCONN, ...). */
export function sysShutdown(fd: number, how: 0 | 1 | 2): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('shutdown');
  return lib.shutdown(fd, how) === 0 ? ok(0) : lastError(lib, 'shutdown');
}

// A fresh megabyte buffer per call costs koffi milliseconds; one scratch buffer is reused
// (calls run on the main thread one at a time) and the bytes received are copied out.
let recvScratch = Buffer.allocUnsafe(64 * 1024);
const sockaddrScratch = Buffer.alloc(128);

/**
 * recv(fd, up to `length` bytes, MSG_DONTWAIT | flags): what the kernel holds right now,
 * without waiting (with MSG_PEEK, without taking it). 0 bytes means the peer's FIN (end of
 * stream); EAGAIN means nothing is there.
 */
export function sysRecvNow(fd: number, length: number, flags = 0): LibcResult<Buffer> {
  const lib = libc();
  if (!lib) return noLibc('recv');
  if (recvScratch.length < length) recvScratch = Buffer.allocUnsafe(Math.max(length, recvScratch.length * 2));
  const got = lib.recv(fd, recvScratch, length, LINUX.MSG_DONTWAIT | flags);
  return got >= 0 ? ok(Buffer.from(recvScratch.subarray(0, got))) : lastError(lib, 'recv');
}

/** sendto(fd, data, len, flags, sockaddr or NULL): bytes sent. */
export function sysSendto(fd: number, data: Buffer, flags: number, sockaddr: Buffer | null): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('sendto');
  const sent = lib.sendto(fd, data, data.length, flags, sockaddr, sockaddr?.length ?? 0);
  return sent >= 0 ? ok(sent) : lastError(lib, 'sendto');
}

/** recvfrom(fd, buf, len, flags, &sockaddr, &len): a copy of the bytes and the sender's sockaddr. */
export function sysRecvfrom(fd: number, maxBytes: number, flags: number): LibcResult<{ data: Buffer; sockaddr: Buffer }> {
  const lib = libc();
  if (!lib) return noLibc('recvfrom');
  if (recvScratch.length < maxBytes) recvScratch = Buffer.allocUnsafe(Math.max(maxBytes, recvScratch.length * 2));
  // sockaddr_storage is 128 bytes: room for any family the kernel may report.
  const length = [sockaddrScratch.length];
  const got = lib.recvfrom(fd, recvScratch, maxBytes, flags, sockaddrScratch, length);
  if (got < 0) return lastError(lib, 'recvfrom');
  return ok({
    data: Buffer.from(recvScratch.subarray(0, got)),
    sockaddr: Buffer.from(sockaddrScratch.subarray(0, Math.min(length[0], sockaddrScratch.length))),
  });
}

/** fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags ± O_NONBLOCK): the flags after the call. */
export function sysSetNonblocking(fd: number, nonblocking?: boolean): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('fcntl');
  const flags = lib.fcntl(fd, LINUX.F_GETFL);
  if (flags < 0) return lastError(lib, 'fcntl');
  if (nonblocking === undefined) return ok(flags);
  const next = nonblocking ? flags | LINUX.O_NONBLOCK : flags & ~LINUX.O_NONBLOCK;
  return lib.fcntl(fd, LINUX.F_SETFL, 'int', next) === 0 ? ok(next) : lastError(lib, 'fcntl');
}

/** poll(fd, events, 0): the revents the kernel reports right now (0: nothing yet). */
export function sysPollNow(fd: number, events: number): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('poll');
  const pollfd = Buffer.alloc(POLLFD_SIZE);
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(events, 4);
  const ready = lib.poll(pollfd, 1, 0);
  return ready < 0 ? lastError(lib, 'poll') : ok(ready === 0 ? 0 : pollfd.readInt16LE(6));
}

/** getrlimit(RLIMIT_NOFILE): the soft limit on this process's open descriptors. */
export function sysOpenFileLimit(): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('getrlimit');
  const rlimit = Buffer.alloc(16); // struct rlimit { rlim_t cur, max; } (LP64)
  if (lib.getrlimit(LINUX.RLIMIT_NOFILE, rlimit) !== 0) return lastError(lib, 'getrlimit');
  const soft = rlimit.readBigUInt64LE(0);
  return ok(soft > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(soft));
}

/** close(fd). */
export function sysClose(fd: number): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('close');
  return lib.close(fd) === 0 ? ok(0) : lastError(lib, 'close');
}
