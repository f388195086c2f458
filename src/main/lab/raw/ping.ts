/**
 * ping over a real raw socket, like iputils ping: `count` echo requests `intervalMs` apart,
 * each reply with its sequence, round-trip time and TTL, then the summary (transmitted,
 * received, loss, min/avg/max/mdev). Replies are matched by identifier, sequence and source
 * address, so other pings running at the same time (each with its own identifier) never mix.
 * Bounded: at most (count - 1) * intervalMs + timeoutMs, or less when every reply is in.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ErrnoName } from '@shared/errno';
import { ICMPV6_TYPE, ICMP_TYPE, buildIcmpEcho, buildIcmpv6Echo, echoPayload, parseIcmpFromIpv4, parseIcmpv6 } from './icmp';
import { fromSockaddr, labFailure, sysRealtimeNs, toSockaddr } from '../libc';
import { RAW_MAX_BYTES, openRawSocket, type RawAddress, type RawDomain, type RawResult } from './raw-socket';

export interface PingOptions {
  family: RawDomain;
  /** A numeric address: 127.0.0.1, ::1 (no name resolution, as ping -n). */
  target: string;
  /** Echo requests to send, 1-1000. */
  count: number;
  /** Time between requests, 1-60000 ms (iputils' default is 1000). */
  intervalMs: number;
  /** How long a reply may take before that request counts as lost, 1-60000 ms. */
  timeoutMs: number;
  /** Payload bytes after the 8-byte echo header (iputils' default is 56). */
  payloadSize: number;
  /** Echo identifier, 0-65535; default: a fresh one per run (iputils uses its pid). */
  identifier?: number;
  /** Aborting ends the run early: requests not yet sent are not counted. */
  signal?: AbortSignal;
  onReply?: (reply: PingReply) => void;
  /** A request whose reply did not come within timeoutMs. */
  onTimeout?: (sequence: number) => void;
}

export interface PingReply {
  sequence: number;
  /** Round trip in microseconds: process.hrtime before sendto() to recvfrom() returning in Node. */
  rttUs: number;
  /**
   * Round trip as iputils measures it: CLOCK_REALTIME before sendto() to the kernel's receive
   * stamp of the reply (SIOCGSTAMPNS). Leaves out the poller's wake-up; null when not stamped.
   */
  kernelRttUs: number | null;
  /** IPv4 TTL of the reply; null over ICMPv6 (the hop limit needs recvmsg ancillary data). */
  ttl: number | null;
  /** ICMP message bytes (header + payload), as iputils prints "64 bytes from ...". */
  bytes: number;
  from: string;
  /** A second reply to the same request (iputils' "DUP!"); not counted in the statistics. */
  duplicate: boolean;
  /** The checksum verified (null for ICMPv6, computed and checked by the kernel). */
  checksumValid: boolean | null;
}

/** A request sendto() refused (iputils' "+N errors"). */
export interface PingSendError {
  sequence: number;
  errno: ErrnoName;
  message: string;
}

export interface PingSummary {
  target: string;
  identifier: number;
  transmitted: number;
  received: number;
  duplicates: number;
  errors: PingSendError[];
  /** Percent of transmitted requests without a reply, 0-100. */
  lossPercent: number;
  /** Wall time of the run, ms. */
  timeMs: number;
  /** From rttUs (process.hrtime); null when no reply came. Microseconds. */
  rtt: RttStats | null;
  /** From kernelRttUs (iputils' figures); null when no reply came or one was not stamped. */
  kernelRtt: RttStats | null;
  replies: PingReply[];
}

export interface RttStats {
  minUs: number;
  avgUs: number;
  maxUs: number;
  /** iputils' mdev: the standard deviation sqrt(E[rtt²] - E[rtt]²). */
  mdevUs: number;
}

let runCounter = 0;

/** A fresh echo identifier per run (iputils uses its pid), so concurrent pings never mix. */
export function nextPingIdentifier(): number {
  runCounter = (runCounter + 1) & 0xffff;
  return (process.pid + runCounter * 0x9e37) & 0xffff;
}

/** Runs a ping and resolves with its summary, or with the errno that stopped it from starting. */
export async function ping(options: PingOptions): Promise<RawResult<PingSummary>> {
  const invalid = checkOptions(options);
  if (invalid) return labFailure('ping', 'EINVAL', invalid);
  const v4 = options.family === 'AF_INET';
  const target: RawAddress = v4
    ? { family: 'AF_INET', address: options.target, port: 0 }
    : { family: 'AF_INET6', address: options.target, port: 0 };
  // The kernel reports senders in canonical form (::1, not 0:0:0:0:0:0:0:1): compare like with like.
  const decoded = fromSockaddr(toSockaddr(target));
  const canonicalTarget = decoded && decoded.family !== 'AF_UNIX' ? decoded.address : options.target;
  const opened = openRawSocket(options.family, v4 ? 'IPPROTO_ICMP' : 'IPPROTO_ICMPV6');
  if (!opened.ok) return opened;
  const socket = opened.value;
  const identifier = options.identifier ?? nextPingIdentifier();
  const payload = echoPayload(options.payloadSize);
  const timeoutNs = BigInt(options.timeoutMs) * 1_000_000n;
  const sentAtNs = new Map<number, bigint>();
  const sentAtRealtimeNs = new Map<number, bigint>();
  /** Requests that need no more waiting: answered, timed out, or refused by sendto(). */
  const settled = new Set<number>();
  const replies: PingReply[] = [];
  const errors: PingSendError[] = [];
  const startNs = process.hrtime.bigint();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const sendOne = (sequence: number): void => {
    const fields = { code: 0, identifier, sequence, payload };
    const message = v4
      ? buildIcmpEcho({ ...fields, type: ICMP_TYPE.ECHO_REQUEST })
      : buildIcmpv6Echo({ ...fields, type: ICMPV6_TYPE.ECHO_REQUEST });
    sentAtRealtimeNs.set(sequence, sysRealtimeNs());
    sentAtNs.set(sequence, process.hrtime.bigint());
    const sent = socket.sendto(message.bytes, target);
    if (sent.ok) return;
    settled.add(sequence);
    errors.push({ sequence, errno: sent.errno, message: sent.message });
  };

  const matchReply = (data: Buffer, from: string, nowNs: bigint, kernelNs: bigint | null): PingReply | null => {
    const parsed = v4 ? parseIcmpFromIpv4(data) : parseIcmpv6(data);
    if (!parsed.ok) return null;
    const echo = parsed.value;
    // A raw socket sees every ICMP packet: our own requests on loopback, other pings' replies.
    if (echo.type !== (v4 ? ICMP_TYPE.ECHO_REPLY : ICMPV6_TYPE.ECHO_REPLY)) return null;
    if (echo.identifier !== identifier || from !== canonicalTarget) return null;
    const sentAt = sentAtNs.get(echo.sequence);
    if (sentAt === undefined || nowNs - sentAt > timeoutNs) return null; // late: counted as lost
    const duplicate = replies.some((r) => r.sequence === echo.sequence);
    settled.add(echo.sequence);
    const rttUs = Number((nowNs - sentAt) / 1000n);
    const sentRealtime = sentAtRealtimeNs.get(echo.sequence);
    const kernelRttUs = kernelNs !== null && sentRealtime !== undefined ? Number(kernelNs - sentRealtime) / 1000 : null;
    return {
      sequence: echo.sequence,
      rttUs,
      kernelRttUs,
      ttl: echo.ttl,
      bytes: echo.icmpLength,
      from,
      duplicate,
      checksumValid: echo.checksumValid,
    };
  };

  /** Marks requests past their window as lost; returns ms until the next window closes. */
  const expire = (nowNs: bigint): number => {
    let nextMs = options.intervalMs;
    for (const [sequence, at] of sentAtNs) {
      if (settled.has(sequence)) continue;
      const leftNs = at + timeoutNs - nowNs;
      if (leftNs <= 0n) {
        settled.add(sequence);
        options.onTimeout?.(sequence);
      } else nextMs = Math.min(nextMs, Math.ceil(Number(leftNs) / 1e6));
    }
    return Math.max(1, nextMs);
  };

  let sendsDone = false;
  const sender = (async () => {
    for (let sequence = 1; sequence <= options.count && !stop.signal.aborted; sequence++) {
      sendOne(sequence);
      if (sequence < options.count) await sleep(options.intervalMs, stop.signal);
    }
    sendsDone = true;
  })();

  try {
    let waitMs = expire(process.hrtime.bigint());
    while (!stop.signal.aborted && !(sendsDone && sentAtNs.size === settled.size)) {
      const got = await socket.recvfrom(RAW_MAX_BYTES, { timeoutMs: waitMs, signal: stop.signal });
      const nowNs = got.ok ? got.value.receivedAtNs : process.hrtime.bigint();
      if (got.ok) {
        const reply = matchReply(got.value.data, got.value.from?.address ?? '', nowNs, got.value.kernelReceivedAtNs);
        if (reply) {
          replies.push(reply);
          options.onReply?.(reply);
        }
      } else if (got.errno !== 'EAGAIN' && got.errno !== 'EINTR') {
        errors.push({ sequence: 0, errno: got.errno, message: got.message });
        break;
      }
      waitMs = expire(nowNs);
    }
  } finally {
    stop.abort();
    await sender;
    options.signal?.removeEventListener('abort', onAbort);
    await socket.close();
  }
  return { ok: true, value: summarise(options.target, identifier, sentAtNs.size, replies, errors, startNs) };
}

function summarise(
  target: string,
  identifier: number,
  transmitted: number,
  replies: PingReply[],
  errors: PingSendError[],
  startNs: bigint,
): PingSummary {
  const unique = replies.filter((r) => !r.duplicate);
  const received = unique.length;
  const kernelRtts = unique.map((r) => r.kernelRttUs);
  const rtt = rttStats(unique.map((r) => r.rttUs));
  const kernelRtt = kernelRtts.every((v) => v !== null) ? rttStats(kernelRtts as number[]) : null;
  return {
    target,
    identifier,
    transmitted,
    received,
    duplicates: replies.length - received,
    errors,
    lossPercent: transmitted === 0 ? 0 : ((transmitted - received) / transmitted) * 100,
    timeMs: Number((process.hrtime.bigint() - startNs) / 1_000_000n),
    rtt,
    kernelRtt,
    replies,
  };
}

function rttStats(rtts: number[]): RttStats | null {
  if (rtts.length === 0) return null;
  const avgUs = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  const meanSquare = rtts.reduce((a, b) => a + b * b, 0) / rtts.length;
  const mdevUs = Math.sqrt(Math.max(0, meanSquare - avgUs * avgUs));
  return { minUs: Math.min(...rtts), avgUs, maxUs: Math.max(...rtts), mdevUs };
}

function checkOptions(o: PingOptions): string | null {
  const whole = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!whole(o.count, 1, 1000)) return 'count must be a whole number from 1 to 1000.';
  if (!whole(o.intervalMs, 1, 60_000)) return 'intervalMs must be a whole number from 1 to 60000.';
  if (!whole(o.timeoutMs, 1, 60_000)) return 'timeoutMs must be a whole number from 1 to 60000.';
  const maxPayload = o.family === 'AF_INET' ? 65_507 : 65_527;
  if (!whole(o.payloadSize, 0, maxPayload - 8)) return `payloadSize must be a whole number from 0 to ${maxPayload - 8}.`;
  if (o.family === 'AF_INET' ? !isIPv4(o.target) : !isIPv6(o.target)) {
    return `target must be a numeric ${o.family === 'AF_INET' ? 'IPv4 address like 127.0.0.1' : 'IPv6 address like ::1'}.`;
  }
  if (o.identifier !== undefined && !whole(o.identifier, 0, 0xffff)) return 'identifier must be a whole number from 0 to 65535.';
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
