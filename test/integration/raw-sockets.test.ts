/**
 * Real raw sockets on loopback (the tests run as root): C's semantics for sendto/recvfrom,
 * errno from the kernel, and receives that never block Node's event loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildIcmpEcho,
  buildIcmpv6Echo,
  buildIpv4Header,
  echoPayload,
  openRawSocket,
  parseIcmpFromIpv4,
  parseIcmpv6,
  type RawDomain,
  type RawSocket,
} from '../../src/main/lab/raw';
import { readinessPoller } from '../../src/main/lab/libc/poller';
import type { Protocol } from '@shared/socket';

const LOOP4 = { family: 'AF_INET', address: '127.0.0.1', port: 0 } as const;
const LOOP6 = { family: 'AF_INET6', address: '::1', port: 0 } as const;
const opened: RawSocket[] = [];

function open(domain: RawDomain, protocol: Protocol): RawSocket {
  const result = openRawSocket(domain, protocol);
  if (!result.ok) throw new Error(result.message);
  opened.push(result.value);
  return result.value;
}

/** Reads until a packet satisfies `match`; a raw socket also sees unrelated ICMP. */
async function receiveMatching(socket: RawSocket, match: (data: Buffer) => boolean) {
  for (let i = 0; i < 50; i++) {
    const got = await socket.recvfrom(65535, { timeoutMs: 2000 });
    if (!got.ok) return got;
    if (match(got.value.data)) return got;
  }
  throw new Error('no matching packet in 50 reads');
}

afterEach(async () => {
  await Promise.all(
    opened
      .splice(0)
      .filter((s) => !s.closed)
      .map((s) => s.close()),
  );
  expect(readinessPoller.watchedCount()).toBe(0);
});

describe('socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)', () => {
  it('sends an echo request and receives the reply WITH its IPv4 header', async () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    const request = buildIcmpEcho({ type: 8, code: 0, identifier: 0x5101, sequence: 1, payload: echoPayload(56) });
    expect(socket.sendto(request.bytes, LOOP4)).toEqual({ ok: true, value: 64 });
    const got = await receiveMatching(socket, (data) => {
      const parsed = parseIcmpFromIpv4(data);
      return parsed.ok && parsed.value.type === 0 && parsed.value.identifier === 0x5101;
    });
    if (!got.ok) throw new Error(got.message);
    expect(got.value.data[0] >> 4).toBe(4);
    expect(got.value.data.length).toBe(20 + 64);
    expect(got.value.from).toEqual(LOOP4);
    const reply = parseIcmpFromIpv4(got.value.data);
    // The kernel computed this reply's checksum: our checksum function must agree with it.
    expect(reply).toMatchObject({ ok: true, value: { sequence: 1, checksumValid: true, payload: echoPayload(56) } });
  });

  it('applies IP_TTL to what it sends (seen on our own request looping back)', async () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    expect(socket.setsockopt('IP_TTL', 7)).toEqual({ ok: true, value: 0 });
    expect(socket.getsockopt('IP_TTL')).toEqual({ ok: true, value: 7 });
    socket.sendto(buildIcmpEcho({ type: 8, code: 0, identifier: 0x5102, sequence: 1, payload: echoPayload(8) }).bytes, LOOP4);
    const got = await receiveMatching(socket, (data) => {
      const parsed = parseIcmpFromIpv4(data);
      return parsed.ok && parsed.value.type === 8 && parsed.value.identifier === 0x5102;
    });
    expect(got.ok && parseIcmpFromIpv4(got.value.data)).toMatchObject({ ok: true, value: { ttl: 7 } });
  });
});

describe('socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)', () => {
  it('receives the echo reply WITHOUT an IPv6 header; the kernel filled the checksum', async () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    const request = buildIcmpv6Echo({ type: 128, code: 0, identifier: 0x5103, sequence: 4, payload: echoPayload(16) });
    expect(request.checksum).toBe(0);
    expect(socket.sendto(request.bytes, LOOP6)).toEqual({ ok: true, value: 24 });
    const ours = (type: number) => (data: Buffer) => {
      const parsed = parseIcmpv6(data);
      return parsed.ok && parsed.value.type === type && parsed.value.identifier === 0x5103;
    };
    const echoed = await receiveMatching(socket, ours(128));
    expect(echoed.ok && parseIcmpv6(echoed.value.data)).toMatchObject({ ok: true, value: { checksum: expect.any(Number) } });
    expect(echoed.ok && echoed.value.data.readUInt16BE(2)).not.toBe(0);
    const reply = await receiveMatching(socket, ours(129));
    if (!reply.ok) throw new Error(reply.message);
    expect(reply.value.data[0]).toBe(129);
    expect(reply.value.data.length).toBe(24);
    expect(reply.value.from).toEqual(LOOP6);
  });
});

describe('socket(AF_INET, SOCK_RAW, IPPROTO_RAW)', () => {
  it('implies IP_HDRINCL: a hand-built IPv4 + ICMP packet gets an echo reply', async () => {
    const raw = open('AF_INET', 'IPPROTO_RAW');
    expect(raw.getsockopt('IP_HDRINCL')).toEqual({ ok: true, value: 1 });
    const listener = open('AF_INET', 'IPPROTO_ICMP');
    const icmp = buildIcmpEcho({ type: 8, code: 0, identifier: 0x5104, sequence: 9, payload: echoPayload(32) }).bytes;
    const ip = buildIpv4Header({
      source: '127.0.0.1',
      destination: '127.0.0.1',
      payloadLength: icmp.length,
      identification: 0x4242,
      ttl: 33,
    }).bytes;
    expect(raw.sendto(Buffer.concat([ip, icmp]), LOOP4)).toEqual({ ok: true, value: 60 });
    const got = await receiveMatching(listener, (data) => {
      const parsed = parseIcmpFromIpv4(data);
      return parsed.ok && parsed.value.type === 0 && parsed.value.identifier === 0x5104;
    });
    expect(got.ok && parseIcmpFromIpv4(got.value.data)).toMatchObject({ ok: true, value: { sequence: 9, checksumValid: true } });
  });
});

describe('recvfrom', () => {
  it('answers EAGAIN after its timeout, and the event loop keeps ticking meanwhile', async () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    // Bound to an address nothing sends from, so no stray ICMPv6 ends the wait early.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const connect = socket.connect({ family: 'AF_INET6', address: '::2', port: 0 });
    expect(connect.ok).toBe(true);
    const pending = socket.recvfrom(1500, { timeoutMs: 150 });
    expect(socket.pendingReceives).toBe(1);
    const got = await pending;
    clearInterval(ticker);
    expect(got).toMatchObject({ ok: false, errno: 'EAGAIN', code: 11 });
    expect(ticks).toBeGreaterThan(0);
    expect(socket.pendingReceives).toBe(0);
  });

  it('answers EAGAIN at once with MSG_DONTWAIT or O_NONBLOCK', async () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    socket.connect({ family: 'AF_INET6', address: '::2', port: 0 });
    expect(await socket.recvfrom(100, { dontWait: true })).toMatchObject({ ok: false, errno: 'EAGAIN' });
    expect(socket.fcntl(true)).toMatchObject({ ok: true, value: { nonblocking: true } });
    expect(socket.fcntl()).toMatchObject({ ok: true, value: { nonblocking: true } });
    expect(await socket.recvfrom(100)).toMatchObject({ ok: false, errno: 'EAGAIN' });
    expect(readinessPoller.watchedCount()).toBe(0);
  });

  it('answers EINTR when cancelled', async () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    socket.connect({ family: 'AF_INET6', address: '::2', port: 0 });
    const cancel = new AbortController();
    const pending = socket.recvfrom(100, { signal: cancel.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    cancel.abort();
    expect(await pending).toMatchObject({ ok: false, errno: 'EINTR', code: 4 });
  });

  it('survives close() during a pending receive, and the descriptor number can be reused', async () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    socket.connect({ family: 'AF_INET', address: '127.0.0.2', port: 0 });
    const first = socket.recvfrom(100);
    const second = socket.recvfrom(100, { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await socket.close()).toEqual({ ok: true, value: 0 });
    expect(await first).toMatchObject({ ok: false, errno: 'EBADF' });
    expect(await second).toMatchObject({ ok: false, errno: 'EBADF' });
    expect(await socket.close()).toMatchObject({ ok: false, errno: 'EBADF' });
    expect(socket.sendto(Buffer.alloc(8), LOOP4)).toMatchObject({ ok: false, errno: 'EBADF' });

    // Linux hands out the lowest free number: a new socket usually gets the same one back.
    const next = open('AF_INET', 'IPPROTO_ICMP');
    next.sendto(buildIcmpEcho({ type: 8, code: 0, identifier: 0x5105, sequence: 1, payload: echoPayload(8) }).bytes, LOOP4);
    const got = await receiveMatching(next, (data) => {
      const parsed = parseIcmpFromIpv4(data);
      return parsed.ok && parsed.value.type === 0 && parsed.value.identifier === 0x5105;
    });
    expect(got.ok).toBe(true);
  });

  it('refuses a bad maxBytes with EINVAL', async () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    expect(await socket.recvfrom(-1)).toMatchObject({ ok: false, errno: 'EINVAL' });
  });
});

describe('errno from the kernel', () => {
  it('EAFNOSUPPORT: an IPv6 address to an AF_INET raw socket', () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    expect(socket.sendto(Buffer.alloc(8), LOOP6)).toMatchObject({ ok: false, errno: 'EAFNOSUPPORT', code: 97 });
  });

  it('EINVAL: an IPv4 sockaddr (too short) to an AF_INET6 raw socket', () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    expect(socket.sendto(Buffer.alloc(8), LOOP4)).toMatchObject({ ok: false, errno: 'EINVAL', code: 22 });
  });

  it('EINVAL: an address that does not parse', () => {
    const socket = open('AF_INET', 'IPPROTO_ICMP');
    expect(socket.sendto(Buffer.alloc(8), { family: 'AF_INET', address: '300.1.1.1', port: 0 })).toMatchObject({
      ok: false,
      errno: 'EINVAL',
    });
  });

  it('EPROTONOSUPPORT: socket(AF_INET, SOCK_RAW, IPPROTO_IP)', () => {
    expect(openRawSocket('AF_INET', 'IPPROTO_IP')).toMatchObject({ ok: false, errno: 'EPROTONOSUPPORT', code: 93 });
  });

  it('EINVAL: IPV6_CHECKSUM cannot be changed on an ICMPv6 socket (the kernel always computes it)', () => {
    const socket = open('AF_INET6', 'IPPROTO_ICMPV6');
    expect(socket.setsockopt('IPV6_CHECKSUM', -1)).toMatchObject({ ok: false, errno: 'EINVAL' });
  });
});
