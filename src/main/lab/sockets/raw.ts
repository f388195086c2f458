/**
 * SOCK_RAW in the lab's descriptor table: each lab raw socket holds a real kernel raw socket
 * (../raw, koffi) and every call goes to the kernel, so the return value and errno are Linux's
 * own — EPERM without CAP_NET_RAW (with the command that grants it), EPROTONOSUPPORT for
 * protocol 0, EDESTADDRREQ for send() on an unconnected socket, ... C semantics carry through:
 * recvfrom() on AF_INET returns the IPv4 packet WITH its header, on AF_INET6 the ICMPv6 message
 * WITHOUT one; IPPROTO_RAW implies IP_HDRINCL. A blocking recvfrom() waits on a worker thread
 * (never the event loop) and shows as blocked; cancel interrupts it (EINTR), close ends it (EBADF).
 */
import type { Domain, MsgFlag, OptionValue, Protocol, SockAddr, SocketOption } from '@shared/socket';
import { SOCKET_OPTIONS } from '@shared/socket';
import { sysGetLinger, sysSetLinger, type IntOption, type LibcFailure } from '../libc';
import { RAW_MAX_BYTES, openRawSocket, type RawAddress } from '../raw';
import { checkAddress } from './address';
import { fail, succeed, type CallFailure, type Outcome } from './errors';
import type { Transcripts } from './transcript';
import { isFailure, type LabSocket, type SocketTable } from './table';

interface RawIo {
  table: SocketTable;
  transcripts: Transcripts;
}

/** A libc failure as a call failure (the sentence already names the call and the errno). */
function kernel(failure: LibcFailure): CallFailure {
  return fail(failure.errno, failure.message);
}

/** The kernel socket behind a lab raw socket (the table only hands out open ones). */
function rawOf(sock: LabSocket) {
  if (!sock.raw) throw new Error(`descriptor ${sock.fd} has no raw socket`);
  return sock.raw;
}

/**
 * socket(domain, SOCK_RAW, protocol). AF_INET and AF_INET6 go to the kernel as they are, so
 * every combination gets Linux's answer; AF_UNIX has no raw sockets in the lab (Linux makes
 * an AF_UNIX datagram socket of it, which Node cannot open).
 */
export function openLabRaw(
  table: SocketTable,
  domain: Domain,
  protocol: Protocol,
  on: { host: string; netns: number } | null = null,
): Outcome {
  if (domain === 'AF_UNIX') {
    return fail(
      'ESOCKTNOSUPPORT',
      'socket: Linux turns AF_UNIX SOCK_RAW into an AF_UNIX datagram socket, which Node (and so SockLab) cannot open. Raw sockets are AF_INET or AF_INET6.',
    );
  }
  const opened = openRawSocket(domain, protocol, on?.netns ?? null);
  if (!opened.ok) return kernel(opened);
  const sock = table.open(domain, 'SOCK_RAW', protocol, on);
  if (isFailure(sock)) {
    void opened.value.close(); // nothing was handed out: the kernel socket just goes back
    return sock;
  }
  sock.raw = opened.value;
  // IPPROTO_RAW implies IP_HDRINCL (raw(7)); show what the kernel reports.
  if (protocol === 'IPPROTO_RAW' && domain === 'AF_INET') sock.options.IP_HDRINCL = 1;
  table.notify(sock);
  return succeed(sock.fd);
}

function refreshLocal(sock: LabSocket): void {
  const name = rawOf(sock).localAddress();
  if (name.ok && name.value) sock.local = name.value;
}

/** bind(): the kernel restricts what this socket receives for (and sends from). */
export function bindRaw(sock: LabSocket, address: SockAddr): Outcome {
  if (address.family === 'AF_UNIX') return checkAddress(sock.domain, address, 'bind') ?? fail('EINVAL', 'bind: not an inet address.');
  const bound = rawOf(sock).bind(address);
  if (!bound.ok) return kernel(bound);
  refreshLocal(sock);
  if (sock.state === 'created') sock.state = 'bound';
  return succeed(0);
}

/** connect(): fixes the default destination; recv then only returns packets from that peer. */
export function connectRaw(sock: LabSocket, address: SockAddr): Outcome {
  if (address.family === 'AF_UNIX') return checkAddress(sock.domain, address, 'connect') ?? fail('EINVAL', 'connect: not an inet address.');
  const connected = rawOf(sock).connect(address);
  if (!connected.ok) return kernel(connected);
  sock.peer = address;
  sock.state = 'connected';
  refreshLocal(sock);
  return succeed(0, {}, 'No packet is sent: connect() on a raw socket only fixes the destination and filters what recv() returns.');
}

/** sendto()/send(): one ICMP message (or, with IP_HDRINCL, one whole IPv4 packet). */
export function sendRaw(io: RawIo, sock: LabSocket, data: Buffer, address: SockAddr | null, callId: number): Outcome {
  if (address?.family === 'AF_UNIX') {
    return checkAddress(sock.domain, address, 'sendto') ?? fail('EINVAL', 'sendto: not an inet address.');
  }
  const sent = rawOf(sock).sendto(data, address);
  if (!sent.ok) return kernel(sent);
  sock.counters.sendCalls++;
  sock.counters.bytesSent += sent.value;
  sock.counters.datagramsSent++;
  io.transcripts.append(sock.fd, 'out', data, address ?? sock.peer, callId);
  return succeed(sent.value);
}

/**
 * recvfrom()/recv(): the next packet for this socket (truncated to maxBytes, as C does). Blocks
 * unless O_NONBLOCK or MSG_DONTWAIT (then EAGAIN); `socket.cancel` interrupts it with EINTR.
 */
export async function recvRaw(
  io: RawIo,
  sock: LabSocket,
  maxBytes: number,
  flags: MsgFlag[],
  callId: number,
  call: 'recv' | 'recvfrom',
): Promise<Outcome<{ data: Uint8Array; from: SockAddr | null }>> {
  if (flags.includes('MSG_PEEK') || flags.includes('MSG_WAITALL')) {
    return fail('EOPNOTSUPP', `${call}: the lab does not pass MSG_PEEK/MSG_WAITALL to raw sockets; read the packet without them.`);
  }
  const controller = new AbortController();
  let interrupted: CallFailure | null = null;
  const release = io.table.hold(sock, call, (failure) => {
    interrupted = failure;
    controller.abort();
  });
  const got = await rawOf(sock).recvfrom(Math.min(maxBytes, RAW_MAX_BYTES), {
    dontWait: sock.nonblocking || flags.includes('MSG_DONTWAIT'),
    signal: controller.signal,
  });
  release();
  if (interrupted) return interrupted;
  if (!got.ok) return fail(got.errno, got.message.replace(/^recvfrom:/, `${call}:`));
  const from: RawAddress | null = got.value.from;
  sock.counters.recvCalls++;
  sock.counters.bytesReceived += got.value.data.length;
  sock.counters.datagramsReceived++;
  io.transcripts.append(sock.fd, 'in', got.value.data, from, callId);
  io.table.notify(sock);
  return succeed(got.value.data.length, { data: got.value.data, from });
}

/** shutdown(): the kernel's answer; Linux sets the socket's shutdown flags even when it says ENOTCONN. */
export function shutdownRaw(io: RawIo, sock: LabSocket, how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR'): Outcome {
  const done = rawOf(sock).shutdown(how);
  if (done.ok || done.errno === 'ENOTCONN') {
    if (how !== 'SHUT_WR') sock.shutRd = true;
    if (how !== 'SHUT_RD') sock.shutWr = true;
    io.table.notify(sock);
  }
  return done.ok ? succeed(0, {}, 'No packet is sent: a raw socket has no connection to end.') : kernel(done);
}

/** close(): releases the kernel socket (after the poller lets go of it). */
export async function closeRaw(sock: LabSocket): Promise<string | undefined> {
  const raw = sock.raw;
  if (!raw || raw.closed) return undefined;
  const closed = await raw.close();
  return closed.ok ? undefined : `The kernel's close() answered ${closed.errno}.`;
}

/** setsockopt on a raw socket: straight to the kernel, which answers as it does in C. */
export function setRawOption(sock: LabSocket, option: SocketOption, value: OptionValue): Outcome {
  const raw = rawOf(sock);
  if (option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') {
    return fail('EOPNOTSUPP', `setsockopt: the lab does not carry ${option} to raw sockets (it does for UDP sockets).`);
  }
  let result;
  if (option === 'SO_LINGER') {
    if (typeof value !== 'object' || !('onoff' in value)) return fail('EINVAL', 'setsockopt: SO_LINGER takes { onoff, linger }.');
    result = sysSetLinger(raw.fd, value.onoff, value.linger);
  } else {
    if (typeof value !== 'number') return fail('EINVAL', `setsockopt: ${option} takes an integer.`);
    result = raw.setsockopt(option as IntOption, value);
  }
  if (!result.ok) return kernel(result);
  sock.options[option] = value;
  return succeed(0);
}

/** getsockopt on a raw socket: the kernel's own value. */
export function getRawOption(sock: LabSocket, option: SocketOption): Outcome<{ value: OptionValue }> {
  const raw = rawOf(sock);
  if (option === 'IP_ADD_MEMBERSHIP' || option === 'IP_DROP_MEMBERSHIP') {
    return fail('ENOPROTOOPT', `getsockopt: ${option} can only be set, not read (as on Linux).`);
  }
  const read = option === 'SO_LINGER' ? sysGetLinger(raw.fd) : raw.getsockopt(option as IntOption);
  return read.ok ? succeed(0, { value: read.value }) : kernel(read);
}

/** The level C puts an option at, checked as Linux does (ENOPROTOOPT for a wrong level). */
export function rawLevelMismatch(option: SocketOption, level: string | undefined, call: string): CallFailure | null {
  const expected = SOCKET_OPTIONS[option];
  return level && level !== expected ? fail('ENOPROTOOPT', `${call}: ${option} lives at level ${expected}, not ${level}.`) : null;
}

/** fcntl(F_GETFL / F_SETFL O_NONBLOCK) on the kernel descriptor: the flags it reports. */
export function fcntlRaw(sock: LabSocket, nonblock: boolean | undefined): Outcome<{ nonblock: boolean }> {
  const done = rawOf(sock).fcntl(nonblock);
  if (!done.ok) return kernel(done);
  sock.nonblocking = done.value.nonblocking;
  return succeed(nonblock === undefined ? done.value.flags : 0, { nonblock: done.value.nonblocking });
}
