/**
 * Network namespaces, packet sockets and interface settings for the lab network, as C does
 * them: unshare(CLONE_NEWNET) and setns() on the calling thread, AF_PACKET sockets, SIOCSIF*
 * and SIOCETHTOOL ioctls on a control socket, timerfd for the link's timers.
 *
 * Namespaces are per thread: every function here runs on Node's main thread, synchronously,
 * so a socket or device made between setns(host) and setns(home) belongs to that host and keeps
 * it for life (a descriptor remembers its namespace). Needs CAP_SYS_ADMIN/CAP_NET_ADMIN over the
 * namespaces, which the lab network's engine has inside its own user namespace.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { AF, LINUX } from './constants';
import { libc, type LibcFunctions } from './load';
import { libcFailure, noLibc, ok, type LibcResult } from './result';
import { toSockaddr } from './sockaddr';

const CLONE_NEWNET = 0x40000000;
const AF_PACKET = 17;
/** htons(ETH_P_ALL) on a little-endian machine: every protocol. */
const ETH_P_ALL_BE = 0x0300;
const SOL_PACKET = 263;
const PACKET_IGNORE_OUTGOING = 23;
const PACKET_STATISTICS = 6;
const SIOCETHTOOL = 0x8946;
const ETHTOOL_STXCSUM = 0x17;
const IFF_UP = 0x1;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const SIOCSIFADDR = 0x8916;
const SIOCSIFNETMASK = 0x891c;
const SIOCSIFMTU = 0x8922;
const SIOCSIFHWADDR = 0x8924;
const SIOCGIFINDEX = 0x8933;
const ARPHRD_ETHER = 1;
const SOCK_DGRAM = 2;
/** struct ifreq: 16 bytes of name, then a 24-byte union. */
const IFREQ_BYTES = 40;
const CLOCK_MONOTONIC = 1;
const TFD_TIMER_ABSTIME = 1;

function lastError<T>(lib: LibcFunctions, call: string, detail = ''): LibcResult<T> {
  return libcFailure(call, lib.errno(), detail);
}

/** The namespace the main thread started in (the engine's "home"), opened at first need. */
let homeNs = -1;

function currentNetnsFd(): number {
  return openSync('/proc/thread-self/ns/net', constants.O_RDONLY);
}

function ensureHome(): number {
  if (homeNs < 0) homeNs = currentNetnsFd();
  return homeNs;
}

/**
 * Runs `body` with the calling thread in the namespace `nsFd` (null: stay home), then returns
 * home whatever happens. Everything `body` creates (sockets, devices) stays in that namespace.
 */
export function inNetns<T>(nsFd: number | null, body: () => T): T {
  if (nsFd === null) return body();
  const lib = libc();
  if (!lib) throw new Error(noLibc('setns').message);
  const home = ensureHome();
  if (lib.setns(nsFd, CLONE_NEWNET) !== 0) throw new Error(libcFailure('setns', lib.errno()).message);
  try {
    return body();
  } finally {
    // Returning home cannot fail for a namespace we came from; if it did, nothing is safe.
    // eslint-disable-next-line no-unsafe-finally -- a thread left in a lab namespace must not go on silently
    if (lib.setns(home, CLONE_NEWNET) !== 0) throw new Error(libcFailure('setns (home)', lib.errno()).message);
  }
}

/** unshare(CLONE_NEWNET) on this thread, keeping the new namespace's descriptor, then home again. */
export function sysCreateNetns(): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('unshare');
  const home = ensureHome();
  if (lib.unshare(CLONE_NEWNET) !== 0) return lastError(lib, 'unshare', '(a new network namespace)');
  const fd = currentNetnsFd();
  if (lib.setns(home, CLONE_NEWNET) !== 0) return lastError(lib, 'setns', '(back home)');
  return ok(fd);
}

/** Closes a namespace (or any) descriptor the lab opened with node:fs. */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function ifreq(name: string): Buffer {
  const buffer = Buffer.alloc(IFREQ_BYTES);
  buffer.write(name.slice(0, 15), 0, 'latin1');
  return buffer;
}

/**
 * An AF_PACKET socket on interface `name` of the current namespace (non-blocking): read()
 * returns every frame that arrives on it, write() sends a frame out of it. Frames this socket
 * sends itself are not read back (PACKET_IGNORE_OUTGOING).
 */
export function sysPacketSocket(name: string, ifindex: number): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('socket');
  const fd = lib.socket(AF_PACKET, LINUX.SOCK_RAW | LINUX.O_NONBLOCK | LINUX.SOCK_CLOEXEC, ETH_P_ALL_BE);
  if (fd < 0) return lastError(lib, 'socket(AF_PACKET)', name);
  const address = Buffer.alloc(20); // struct sockaddr_ll
  address.writeUInt16LE(AF_PACKET, 0);
  address.writeUInt16LE(ETH_P_ALL_BE, 2);
  address.writeInt32LE(ifindex, 4);
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  if (lib.bind(fd, address, address.length) !== 0 || lib.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, one, 4) !== 0) {
    const failed = lastError<number>(lib, 'bind(AF_PACKET)', name);
    lib.close(fd);
    return failed;
  }
  return ok(fd);
}

/**
 * getsockopt(PACKET_STATISTICS): frames the kernel dropped on a packet socket since the last
 * call (its receive buffer was full), which reading resets.
 */
export function sysPacketDrops(fd: number): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  const stats = Buffer.alloc(8); // struct tpacket_stats { tp_packets; tp_drops; }
  const length = [8];
  return lib.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, length) === 0
    ? ok(stats.readUInt32LE(4))
    : lastError(lib, 'getsockopt(PACKET_STATISTICS)');
}

/**
 * Switches transmit checksum offload off on interface `name` (ethtool -K name tx off), which
 * switches TSO off with it: frames then leave the host whole and with real checksums, as on a
 * wire, instead of as 64 KiB super-frames with checksums left to a NIC that does not exist.
 */
export function sysTxOffloadOff(name: string): LibcResult<0> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const value = Buffer.alloc(8); // struct ethtool_value { cmd; data; }
    value.writeUInt32LE(ETHTOOL_STXCSUM, 0);
    const request = { name: [...ifreq(name).subarray(0, 16)], data: value, pad: new Array<number>(16).fill(0) };
    return lib.ioctlIfreqPointer(fd, SIOCETHTOOL, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCETHTOOL)', name);
  });
}

/** Runs ioctls on a throwaway control socket of `domain` in the current namespace. */
function withControlSocket<T>(domain: number, body: (lib: LibcFunctions, fd: number) => LibcResult<T>): LibcResult<T> {
  const lib = libc();
  if (!lib) return noLibc('socket');
  const fd = lib.socket(domain, SOCK_DGRAM | LINUX.SOCK_CLOEXEC, 0);
  if (fd < 0) return lastError(lib, 'socket');
  try {
    return body(lib, fd);
  } finally {
    lib.close(fd);
  }
}

/** Brings interface `name` up (IFF_UP), as `ip link set name up`. */
export function sysLinkUp(name: string): LibcResult<0> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const request = ifreq(name);
    if (lib.ioctlBuffer(fd, SIOCGIFFLAGS, request) !== 0) return lastError(lib, 'ioctl(SIOCGIFFLAGS)', name);
    request.writeUInt16LE(request.readUInt16LE(16) | IFF_UP, 16);
    return lib.ioctlBuffer(fd, SIOCSIFFLAGS, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCSIFFLAGS)', name);
  });
}

/** Sets an interface's MTU, as `ip link set name mtu N`. */
export function sysSetMtu(name: string, mtu: number): LibcResult<0> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const request = ifreq(name);
    request.writeInt32LE(mtu, 16);
    return lib.ioctlBuffer(fd, SIOCSIFMTU, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCSIFMTU)', name);
  });
}

/** Sets an interface's Ethernet address ("02:00:00:00:00:01"). */
export function sysSetMac(name: string, mac: string): LibcResult<0> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const request = ifreq(name);
    request.writeUInt16LE(ARPHRD_ETHER, 16);
    Buffer.from(mac.split(':').map((part) => Number.parseInt(part, 16))).copy(request, 18);
    return lib.ioctlBuffer(fd, SIOCSIFHWADDR, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCSIFHWADDR)', name);
  });
}

/** The kernel's index of interface `name`. */
export function sysIfIndex(name: string): LibcResult<number> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const request = ifreq(name);
    return lib.ioctlBuffer(fd, SIOCGIFINDEX, request) === 0 ? ok(request.readInt32LE(16)) : lastError(lib, 'ioctl(SIOCGIFINDEX)', name);
  });
}

/** Gives interface `name` an IPv4 address and netmask, as `ip addr add 10.0.0.1/24 dev name`. */
export function sysSetIpv4(name: string, address: string, prefix: number): LibcResult<0> {
  return withControlSocket(AF.AF_INET, (lib, fd) => {
    const request = ifreq(name);
    toSockaddr({ family: 'AF_INET', address, port: 0 }).copy(request, 16);
    if (lib.ioctlBuffer(fd, SIOCSIFADDR, request) !== 0) return lastError(lib, 'ioctl(SIOCSIFADDR)', `${name} ${address}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const maskText = [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
    toSockaddr({ family: 'AF_INET', address: maskText, port: 0 }).copy(request, 16);
    return lib.ioctlBuffer(fd, SIOCSIFNETMASK, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCSIFNETMASK)', name);
  });
}

/** Adds an IPv6 address to interface number `ifindex` (struct in6_ifreq on an AF_INET6 socket). */
export function sysAddIpv6(ifindex: number, address: string, prefix: number): LibcResult<0> {
  return withControlSocket(AF.AF_INET6, (lib, fd) => {
    const request = Buffer.alloc(24);
    toSockaddr({ family: 'AF_INET6', address, port: 0 }).copy(request, 0, 8, 24);
    request.writeUInt32LE(prefix, 16);
    request.writeInt32LE(ifindex, 20);
    return lib.ioctlBuffer(fd, SIOCSIFADDR, request) === 0 ? ok(0) : lastError(lib, 'ioctl(SIOCSIFADDR, in6_ifreq)', address);
  });
}

/** timerfd_create(CLOCK_MONOTONIC, non-blocking): the link's precise wake-up. */
export function sysTimerfd(): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('timerfd_create');
  const fd = lib.timerfd_create(CLOCK_MONOTONIC, LINUX.O_NONBLOCK | LINUX.SOCK_CLOEXEC);
  return fd >= 0 ? ok(fd) : lastError(lib, 'timerfd_create');
}

/** Arms a timerfd to expire at CLOCK_MONOTONIC `atNs` (absolute); 0 disarms it. */
export function sysTimerfdAt(fd: number, atNs: bigint): LibcResult<0> {
  const lib = libc();
  if (!lib) return noLibc('timerfd_settime');
  const spec = Buffer.alloc(32); // struct itimerspec: it_interval (zero), it_value
  const at = atNs > 0n ? atNs : 0n;
  spec.writeBigInt64LE(at / 1_000_000_000n, 16);
  spec.writeBigInt64LE(at % 1_000_000_000n, 24);
  return lib.timerfd_settime(fd, TFD_TIMER_ABSTIME, spec, null) === 0 ? ok(0) : lastError(lib, 'timerfd_settime');
}

/**
 * read(fd) without waiting (the descriptor is non-blocking): one frame from a packet socket, or the
 * expiry count of a timerfd. null when nothing is there (EAGAIN).
 */
export function sysReadNow(fd: number, into: Buffer): LibcResult<number | null> {
  const lib = libc();
  if (!lib) return noLibc('read');
  const got = lib.read(fd, into, into.length);
  if (got >= 0) return ok(got);
  const errno = lib.errno();
  return errno === 11 ? ok(null) : libcFailure('read', errno);
}

/** write(fd, bytes): one frame out of a packet socket's interface. */
export function sysWriteAll(fd: number, data: Uint8Array): LibcResult<number> {
  const lib = libc();
  if (!lib) return noLibc('write');
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const wrote = lib.write(fd, buffer, buffer.length);
  return wrote >= 0 ? ok(wrote) : lastError(lib, 'write');
}
