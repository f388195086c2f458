/**
 * setsockopt/getsockopt. Where the socket has a kernel descriptor, the option goes to the
 * kernel through libc and the kernel's own answer (value or errno) is returned. A UDP socket
 * gets its kernel descriptor from Node only at bind/connect/first send: until then the option is
 * kept and applied then, and the result says so. Memberships use Node's addMembership.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { OptionValue, SocketOption } from '@shared/socket';
import { SOCKET_OPTIONS } from '@shared/socket';
import { fail, fromNodeError, kernelFailure, succeed, type CallFailure, type Outcome } from './errors';
import { sysGetIntOption, sysGetLinger, sysSetIntOption, sysSetLinger, type IntOption } from '../libc';
import { getRawOption, rawLevelMismatch, setRawOption } from './raw';
import { handleFd, type LabSocket } from './table';

/** Linux defaults, reported (and said to be defaults) before a UDP socket has a kernel descriptor. */
const LINUX_DEFAULTS: Partial<Record<SocketOption, OptionValue>> = {
  SO_REUSEADDR: 0,
  SO_BROADCAST: 0,
  SO_KEEPALIVE: 0,
  SO_RCVBUF: 212_992,
  SO_SNDBUF: 212_992,
  SO_LINGER: { onoff: false, linger: 0 },
  IP_TTL: 64,
  IP_MULTICAST_TTL: 1,
  IPV6_UNICAST_HOPS: 64,
  IPV6_CHECKSUM: -1,
};

/** The kernel descriptor behind a lab socket, wherever Node keeps it; null if none yet. */
function kernelFdOf(sock: LabSocket): number | null {
  if (sock.kernelFd !== null) return sock.kernelFd;
  return handleFd(sock.conn) ?? dgramFd(sock.dgram);
}

/** dgram keeps its handle behind a symbol (its `_handle` getter is deprecated). */
function dgramFd(socket: DgramSocket | null): number | null {
  if (!socket) return null;
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = key ? (socket as unknown as Record<symbol, { handle?: unknown }>)[key] : undefined;
  return state ? handleFd({ _handle: state.handle }) : null;
}

/** Linux's answer for an option that does not fit the socket, or null when it fits. */
function misfit(sock: LabSocket, option: SocketOption, level: string | undefined, call: string): CallFailure | null {
  const expected = SOCKET_OPTIONS[option];
  if (level && level !== expected) {
    return fail('ENOPROTOOPT', `${call}: ${option} lives at level ${expected}, not ${level}.`);
  }
  if (option === 'IP_HDRINCL') return fail('ENOPROTOOPT', `${call}: IP_HDRINCL exists only for SOCK_RAW sockets.`);
  if (option === 'IPV6_CHECKSUM') return fail('ENOPROTOOPT', `${call}: IPV6_CHECKSUM exists only for SOCK_RAW sockets.`);
  if (expected === 'SOL_SOCKET') return null;
  if (sock.domain === 'AF_UNIX') {
    return fail(
      'EOPNOTSUPP',
      `${call}: ${option} is an ${expected} option; an AF_UNIX socket has no ${expected === 'IPPROTO_TCP' ? 'TCP' : 'IP'} layer.`,
    );
  }
  if (expected === 'IPPROTO_IPV6' && sock.domain !== 'AF_INET6') {
    return fail('ENOPROTOOPT', `${call}: ${option} is an IPv6 option; this is an ${sock.domain} socket.`);
  }
  if (option === 'TCP_NODELAY' && sock.type !== 'SOCK_STREAM') {
    return fail('ENOPROTOOPT', `${call}: TCP_NODELAY is a TCP option; this is a ${sock.type} socket.`);
  }
  if ((option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') && sock.type === 'SOCK_STREAM') {
    return fail('EPROTO', `${call}: multicast membership is for datagram sockets; Linux refuses it on TCP.`);
  }
  return null;
}

function valueShapeError(option: SocketOption, value: OptionValue): CallFailure | null {
  const isInt = typeof value === 'number';
  if (option === 'SO_LINGER')
    return typeof value === 'object' && 'onoff' in value ? null : fail('EINVAL', 'setsockopt: SO_LINGER takes { onoff, linger }.');
  if (option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') {
    return typeof value === 'object' && 'multiaddr' in value
      ? null
      : fail('EINVAL', `setsockopt: ${option} takes { multiaddr, interface }.`);
  }
  return isInt ? null : fail('EINVAL', `setsockopt: ${option} takes an integer.`);
}

/** Sends one option to the kernel descriptor (or through Node for memberships). */
function applyOption(sock: LabSocket, fd: number, option: SocketOption, value: OptionValue): Outcome {
  if (option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') {
    const mreq = value as { multiaddr: string; interface: string };
    if (!sock.dgram) return fail('EINVAL', `setsockopt: ${option} needs a datagram socket.`);
    try {
      const iface = mreq.interface === '0.0.0.0' ? undefined : mreq.interface;
      if (option === 'IP_ADD_MEMBERSHIP') sock.dgram.addMembership(mreq.multiaddr, iface);
      else sock.dgram.dropMembership(mreq.multiaddr, iface);
      return succeed(0);
    } catch (error) {
      return fromNodeError(error, 'setsockopt');
    }
  }
  const result =
    option === 'SO_LINGER'
      ? sysSetLinger(fd, (value as { onoff: boolean }).onoff, (value as { linger: number }).linger)
      : sysSetIntOption(fd, option as IntOption, value as number);
  return result.ok ? succeed(0) : kernelFailure(result.errno, 'setsockopt', `(${option})`);
}

/** setsockopt(level, option, value). */
export function setOption(sock: LabSocket, option: SocketOption, level: string | undefined, value: OptionValue): Outcome {
  if (sock.raw) return rawLevelMismatch(option, level, 'setsockopt') ?? setRawOption(sock, option, value);
  const bad = misfit(sock, option, level, 'setsockopt') ?? valueShapeError(option, value);
  if (bad) return bad;
  const fd = kernelFdOf(sock);
  if (fd === null) {
    if (option === 'IP_DROP_MEMBERSHIP') return fail('EADDRNOTAVAIL', 'setsockopt: this socket is not a member of that group.');
    sock.options[option] = value;
    return succeed(
      0,
      {},
      `Kept: Node opens this UDP socket's kernel descriptor at bind/connect/first send, and ${option} is applied then.`,
    );
  }
  const outcome = applyOption(sock, fd, option, value);
  if (!outcome.failed) {
    if (option === 'IP_DROP_MEMBERSHIP') delete sock.options.IP_ADD_MEMBERSHIP;
    else sock.options[option] = value;
  }
  return outcome;
}

/** Applies options kept before a kernel descriptor existed; the first failure is returned. */
export function applyStoredOptions(sock: LabSocket): CallFailure | null {
  const fd = kernelFdOf(sock);
  if (fd === null) return null;
  for (const [option, value] of Object.entries(sock.options) as [SocketOption, OptionValue][]) {
    if (option === 'SO_REUSEADDR' && sock.dgram) continue; // given to dgram.createSocket instead
    const outcome = applyOption(sock, fd, option, value);
    if (outcome.failed) return outcome;
  }
  return null;
}

/** getsockopt(level, option): the kernel's value when there is a descriptor. */
export function getOption(sock: LabSocket, option: SocketOption, level: string | undefined): Outcome<{ value: OptionValue }> {
  if (sock.raw) return rawLevelMismatch(option, level, 'getsockopt') ?? getRawOption(sock, option);
  const bad = misfit(sock, option, level, 'getsockopt');
  if (bad) return bad;
  if (option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') {
    return fail('ENOPROTOOPT', `getsockopt: ${option} can only be set, not read (as on Linux).`);
  }
  const fd = kernelFdOf(sock);
  if (fd === null) {
    const value = sock.options[option] ?? LINUX_DEFAULTS[option] ?? 0;
    return succeed(
      0,
      { value },
      "Node has not opened the kernel socket yet (UDP before bind/connect/send): this is the kept value or Linux's default, not read from the kernel.",
    );
  }
  if (option === 'SO_LINGER') {
    const linger = sysGetLinger(fd);
    return linger.ok ? succeed(0, { value: linger.value }) : kernelFailure(linger.errno, 'getsockopt', '(SO_LINGER)');
  }
  const read = sysGetIntOption(fd, option as IntOption);
  return read.ok ? succeed(0, { value: read.value }) : kernelFailure(read.errno, 'getsockopt', `(${option})`);
}
