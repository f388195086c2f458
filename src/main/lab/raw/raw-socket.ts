/**
 * Real raw sockets (SOCK_RAW) with C's semantics, through the FFI layer in ./libc:
 * - `socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`: sendto() takes an ICMP message (the sender
 *   computes its checksum); recvfrom() returns each ICMP packet WITH its IPv4 header.
 * - `socket(AF_INET, SOCK_RAW, IPPROTO_RAW)`: send-only, IP_HDRINCL implied: the caller
 *   supplies the IPv4 header too.
 * - `socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)`: sendto() takes an ICMPv6 message whose
 *   checksum the kernel computes; recvfrom() returns the message WITHOUT the IPv6 header.
 * Errors are the kernel's errno (EPERM without CAP_NET_RAW, EPROTONOSUPPORT, EAFNOSUPPORT, ...).
 * A blocking recvfrom() waits through the shared poller (./poller) and never blocks Node.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { IPPROTO, type Inet6Addr, type InetAddr, type Protocol } from '@shared/socket';
import { rawSocketHint } from '../privilege';
import {
  LINUX,
  fromSockaddr,
  labFailure,
  sysBind,
  sysConnect,
  sysGetIntOption,
  sysLastReceiveStampNs,
  sysRealtimeNs,
  sysRecvfrom,
  sysSendto,
  sysSetIntOption,
  sysSetNonblocking,
  sysShutdown,
  sysSockNameBytes,
  sysSocket,
  toSockaddr,
  type IntOption,
  type LibcFailure,
  type LibcResult,
  type RawOption,
} from '../libc';
import { readinessPoller } from '../libc/poller';

export type RawDomain = 'AF_INET' | 'AF_INET6';
/** An inet address for a raw socket; the port is not used by raw IPv4 (IPv6: must be 0 or the protocol). */
export type RawAddress = InetAddr | Inet6Addr;
export type RawResult<T> = LibcResult<T>;
export type { LibcFailure as RawFailure, RawOption };

/** What recvfrom() returned: the bytes (IPv4 header included for AF_INET) and the sender. */
export interface RawDatagram {
  readonly data: Buffer;
  readonly from: RawAddress | null;
  /** process.hrtime.bigint() when recvfrom() returned (includes the poller's wake-up). */
  readonly receivedAtNs: bigint;
  /** When the kernel received the packet (SIOCGSTAMPNS, CLOCK_REALTIME ns); null if unknown. */
  readonly kernelReceivedAtNs: bigint | null;
}

export interface RecvOptions {
  /** Give up after this long with EAGAIN, as SO_RCVTIMEO does. Unset: wait until data or cancel. */
  timeoutMs?: number;
  /** Aborting interrupts the wait: recvfrom() returns EINTR (the lab's cancel). */
  signal?: AbortSignal;
  /** MSG_DONTWAIT for this call: EAGAIN at once when nothing is queued. */
  dontWait?: boolean;
}

/** Largest IPv4 datagram: a raw recvfrom() never needs more. */
export const RAW_MAX_BYTES = 65535;

interface PendingReceive {
  finish(result: RawResult<RawDatagram>): void;
}

/** One open raw socket. Methods answer like the C calls; after close() they answer EBADF. */
export class RawSocket {
  private open = true;
  private nonblocking = false;
  private readonly pending = new Set<PendingReceive>();

  /** Use openRawSocket(). */
  constructor(
    readonly fd: number,
    readonly domain: RawDomain,
    readonly protocol: Protocol,
  ) {}

  get closed(): boolean {
    return !this.open;
  }

  /** Receives in progress (blocked recvfrom calls). */
  get pendingReceives(): number {
    return this.pending.size;
  }

  /**
   * sendto(fd, bytes, MSG_DONTWAIT, address): bytes sent, or the kernel's errno. A null address
   * is send() on a connected socket (unconnected: the kernel answers EDESTADDRREQ).
   */
  sendto(bytes: Uint8Array, address: RawAddress | null): RawResult<number> {
    if (!this.open) return closedFailure('sendto');
    const sockaddr = address ? encodeAddress(address, 'sendto') : null;
    if (sockaddr && !sockaddr.ok) return sockaddr;
    // MSG_DONTWAIT: a raw send queues at once; if the send buffer were ever full we answer
    // EAGAIN instead of freezing Node's event loop (C would block there).
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return sysSendto(this.fd, data, LINUX.MSG_DONTWAIT, sockaddr ? sockaddr.value : null);
  }

  /** getsockname(): the kernel's view (for raw IPv4 the "port" is the protocol number). */
  localAddress(): RawResult<RawAddress | null> {
    if (!this.open) return closedFailure('getsockname');
    const name = sysSockNameBytes(this.fd);
    if (!name.ok) return name;
    const address = fromSockaddr(name.value);
    return { ok: true, value: address && address.family !== 'AF_UNIX' ? address : null };
  }

  /** shutdown(how): the kernel's answer (ENOTCONN when not connected; Linux sets the flags anyway). */
  shutdown(how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR'): RawResult<0> {
    if (!this.open) return closedFailure('shutdown');
    return sysShutdown(this.fd, LINUX[how]);
  }

  /**
   * recvfrom(fd, maxBytes): the next packet for this socket and who sent it. Blocks (without
   * blocking Node) unless the socket is non-blocking or `dontWait` is set (then EAGAIN at once).
   * A timeout answers EAGAIN, an abort EINTR, close() meanwhile EBADF.
   */
  recvfrom(maxBytes: number, options: RecvOptions = {}): Promise<RawResult<RawDatagram>> {
    if (!this.open) return Promise.resolve(closedFailure('recvfrom'));
    if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > RAW_MAX_BYTES) {
      return Promise.resolve(labFailure('recvfrom', 'EINVAL', `maxBytes must be a whole number from 0 to ${RAW_MAX_BYTES}.`));
    }
    const now = this.tryReceive(maxBytes);
    if (now.ok || now.errno !== 'EAGAIN' || this.nonblocking || options.dontWait) return Promise.resolve(now);
    if (options.signal?.aborted) return Promise.resolve(interrupted());
    return new Promise((resolve) => this.waitForPacket(maxBytes, options, resolve));
  }

  /** setsockopt with an int value (IP_HDRINCL, IP_TTL, IPV6_UNICAST_HOPS, SO_RCVBUF, ...). */
  setsockopt(option: IntOption, value: number): RawResult<0> {
    if (!this.open) return closedFailure('setsockopt');
    return sysSetIntOption(this.fd, option, value);
  }

  /** getsockopt of an int option: the kernel's value (IP_HDRINCL reads 1 on IPPROTO_RAW). */
  getsockopt(option: IntOption): RawResult<number> {
    if (!this.open) return closedFailure('getsockopt');
    return sysGetIntOption(this.fd, option);
  }

  /** fcntl(F_SETFL, O_NONBLOCK on/off), or F_GETFL without an argument: the flags. */
  fcntl(nonblocking?: boolean): RawResult<{ flags: number; nonblocking: boolean }> {
    if (!this.open) return closedFailure('fcntl');
    const result = sysSetNonblocking(this.fd, nonblocking);
    if (!result.ok) return result;
    this.nonblocking = (result.value & LINUX.O_NONBLOCK) !== 0;
    return { ok: true, value: { flags: result.value, nonblocking: this.nonblocking } };
  }

  /** bind(): restricts which local address this socket receives for (and sends from). */
  bind(address: RawAddress): RawResult<0> {
    if (!this.open) return closedFailure('bind');
    const sockaddr = encodeAddress(address, 'bind');
    return sockaddr.ok ? sysBind(this.fd, sockaddr.value) : sockaddr;
  }

  /** connect(): fixes the peer; recvfrom() then only returns packets from it. */
  connect(address: RawAddress): RawResult<0> {
    if (!this.open) return closedFailure('connect');
    const sockaddr = encodeAddress(address, 'connect');
    return sockaddr.ok ? sysConnect(this.fd, sockaddr.value) : sockaddr;
  }

  /**
   * close(fd). Pending receives answer EBADF first; the descriptor itself is closed as soon as
   * no worker thread is polling it (at once, or after a wake-up of a few microseconds).
   */
  async close(): Promise<RawResult<0>> {
    if (!this.open) return closedFailure('close');
    this.open = false;
    const during = labFailure('recvfrom', 'EBADF', 'close() was called on this socket while recvfrom() waited.');
    for (const receive of [...this.pending]) receive.finish(during);
    return readinessPoller.close(this.fd);
  }

  private tryReceive(maxBytes: number): RawResult<RawDatagram> {
    const got = sysRecvfrom(this.fd, maxBytes, LINUX.MSG_DONTWAIT);
    if (!got.ok) return got;
    const receivedAtNs = process.hrtime.bigint();
    // A packet that arrived before the kernel's stamping was switched on (it is turned on
    // lazily, through a workqueue) carries no stamp, and the ioctl then answers "now": drop that.
    const askedAt = sysRealtimeNs();
    const stamp = sysLastReceiveStampNs(this.fd);
    const kernelReceivedAtNs = stamp.ok && stamp.value < askedAt ? stamp.value : null;
    const from = fromSockaddr(got.value.sockaddr);
    const inet = from && from.family !== 'AF_UNIX' ? from : null;
    return { ok: true, value: { data: got.value.data, from: inet, receivedAtNs, kernelReceivedAtNs } };
  }

  private waitForPacket(maxBytes: number, options: RecvOptions, resolve: (r: RawResult<RawDatagram>) => void): void {
    let withdraw: (() => void) | null = null;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => receive.finish(interrupted());
    const receive: PendingReceive = {
      finish: (result) => {
        if (!this.pending.delete(receive)) return;
        withdraw?.();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
    };
    const arm = (): void => {
      const waiting = readinessPoller.waitReadable(this.fd, () => {
        withdraw = null;
        if (!this.pending.has(receive)) return;
        const result = this.tryReceive(maxBytes);
        // Another receive on this socket may have taken the packet: wait again.
        if (!result.ok && result.errno === 'EAGAIN') arm();
        else receive.finish(result);
      });
      if (waiting.ok) withdraw = waiting.value;
      else receive.finish(waiting);
    };
    this.pending.add(receive);
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      timer = setTimeout(
        () => receive.finish(labFailure('recvfrom', 'EAGAIN', `Nothing arrived within ${timeoutMs} ms (the receive timeout).`)),
        timeoutMs,
      );
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  }
}

/**
 * socket(domain, SOCK_RAW, protocol): a real raw socket, or the kernel's errno. Without root
 * or CAP_NET_RAW the kernel answers EPERM; the message then says the exact command to run.
 */
export function openRawSocket(domain: RawDomain, protocol: Protocol, netns: number | null = null): RawResult<RawSocket> {
  const fd = sysSocket(LINUX[domain], LINUX.SOCK_RAW, IPPROTO[protocol], netns);
  if (!fd.ok) {
    if (fd.errno === 'EPERM' || fd.errno === 'EACCES') {
      const hint = rawSocketHint();
      return { ...fd, message: `${fd.message}${hint ? ` Raw sockets on this machine need root: ${hint}.` : ''}` };
    }
    return fd;
  }
  // Turns the kernel's per-packet receive stamp on (this first ioctl answers ENOENT: no packet yet).
  sysLastReceiveStampNs(fd.value);
  return { ok: true, value: new RawSocket(fd.value, domain, protocol) };
}

function encodeAddress(address: RawAddress, call: string): RawResult<Buffer> {
  const valid = address.family === 'AF_INET' ? isIPv4(address.address) : isIPv6(address.address.split('%')[0]);
  if (!valid) {
    const example = address.family === 'AF_INET' ? 'IPv4 (like 127.0.0.1)' : 'IPv6 (like ::1)';
    return labFailure(call, 'EINVAL', `"${address.address}" is not a valid ${example} address.`);
  }
  // The address keeps its own family: the kernel itself answers a mismatch (EAFNOSUPPORT/EINVAL).
  return { ok: true, value: toSockaddr(address) };
}

function closedFailure(call: string): LibcFailure {
  return labFailure(call, 'EBADF', 'This raw socket is already closed.');
}

function interrupted(): LibcFailure {
  return labFailure('recvfrom', 'EINTR', 'The wait was cancelled before a packet arrived.');
}
