/**
 * SOCK_RAW through the lab facade (as root, on loopback): real raw sockets in the descriptor
 * table with C's semantics — ping of 127.0.0.1 and ::1 by hand, IPPROTO_RAW with a hand-built
 * IPv4 header, EAGAIN, cancel (EINTR), close during recvfrom (EBADF), Linux's errno for other
 * combinations — plus the raw.ping and raw.buildIcmp routes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '@shared/events';
import type { SockAddr } from '@shared/socket';
import type { Lab } from '../../src/main/lab/index';
import { buildIpv4Header, internetChecksum } from '../../src/main/lab/raw';
import { call, failed, ok, openLab } from '../helpers/lab';

let lab: Lab;
beforeEach(() => {
  lab = openLab();
});
afterEach(async () => {
  await lab.close();
});

const LOOP4: SockAddr = { family: 'AF_INET', address: '127.0.0.1', port: 0 };
const LOOP6: SockAddr = { family: 'AF_INET6', address: '::1', port: 0 };
const bytes = (data: Uint8Array) => Buffer.from(data);

async function rawSocket(domain: 'AF_INET' | 'AF_INET6', protocol: 'IPPROTO_ICMP' | 'IPPROTO_ICMPV6' | 'IPPROTO_RAW') {
  return ok(await call(lab, 'socket.socket', { domain, type: 'SOCK_RAW', protocol })).ret;
}

async function echoRequest(family: 'AF_INET' | 'AF_INET6', identifier: number, sequence: number) {
  const type = family === 'AF_INET' ? 8 : 128;
  const payload = Buffer.from('socklab raw');
  return ok(await call(lab, 'raw.buildIcmp', { family, type, code: 0, identifier, sequence, payload })).value;
}

/** Reads packets until one matches: a raw ICMP socket also sees our own request and others' ICMP. */
async function recvUntil(fd: number, match: (packet: Buffer) => boolean) {
  for (let i = 0; i < 50; i++) {
    const got = ok(await call(lab, 'socket.recvfrom', { fd, maxBytes: 65536 }));
    if (match(bytes(got.data))) return got;
  }
  throw new Error('no matching packet in 50 reads');
}

async function info(fd: number) {
  const all = ok(await call(lab, 'lab.sockets', {})).value;
  const found = all.find((s) => s.fd === fd);
  if (!found) throw new Error(`no socket ${fd}`);
  return found;
}

/** Yields to the event loop until the socket shows as blocked (no timing involved). */
async function untilBlocked(fd: number) {
  while ((await info(fd)).blockedIn === null) await new Promise((resolve) => setImmediate(resolve));
}

describe('SOCK_RAW in the lab', () => {
  it('pings 127.0.0.1 by hand: sendto an echo request, recvfrom the IPv4 packet with its header', async () => {
    const fd = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    const request = await echoRequest('AF_INET', 0x4c41, 1);
    expect(ok(await call(lab, 'socket.sendto', { fd, data: request.data, address: LOOP4 })).ret).toBe(bytes(request.data).length);
    const reply = await recvUntil(fd, (p) => p[9] === 1 && p[20] === 0 && p.readUInt16BE(24) === 0x4c41);
    const packet = bytes(reply.data);
    expect(packet[0] >> 4).toBe(4); // the IPv4 header comes first, as C gives it
    expect(internetChecksum(packet.subarray(20))).toBe(0);
    expect(reply.from).toMatchObject({ family: 'AF_INET', address: '127.0.0.1' });

    const sock = await info(fd);
    expect(sock).toMatchObject({ type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP', state: 'created', blockedIn: null });
    expect(sock.counters.sendCalls).toBe(1);
    expect(sock.counters.datagramsReceived).toBeGreaterThanOrEqual(1);
    const transcript = ok(await call(lab, 'lab.transcript', { socketId: sock.socketId, limit: 100 })).value;
    expect(transcript[0]).toMatchObject({ direction: 'out' });
    expect(bytes(transcript[0].data)).toEqual(bytes(request.data));
    expect(transcript.at(-1)).toMatchObject({ direction: 'in' });
    expect(bytes(transcript.at(-1)!.data)).toEqual(bytes(reply.data));
    const calls = ok(await call(lab, 'lab.calls', {})).value.filter((c) => c.fd === fd || c.call === 'socket');
    expect(calls.map((c) => c.call).slice(0, 3)).toEqual(['socket', 'sendto', 'recvfrom']);
  });

  it('pings ::1 over ICMPv6: recvfrom returns the message WITHOUT the IPv6 header', async () => {
    const fd = await rawSocket('AF_INET6', 'IPPROTO_ICMPV6');
    const request = await echoRequest('AF_INET6', 0x4c42, 7);
    expect(request.checksum).toBe(0); // the kernel computes ICMPv6's checksum
    ok(await call(lab, 'socket.sendto', { fd, data: request.data, address: LOOP6 }));
    const reply = await recvUntil(fd, (m) => m[0] === 129 && m.readUInt16BE(4) === 0x4c42);
    expect(bytes(reply.data).readUInt16BE(6)).toBe(7);
    expect(reply.from).toMatchObject({ family: 'AF_INET6', address: '::1' });
    expect(ok(await call(lab, 'socket.getsockopt', { fd, option: 'IPV6_UNICAST_HOPS' })).value).toBe(64);
  });

  it('IPPROTO_RAW implies IP_HDRINCL: a hand-built IPv4 packet gets its echo reply', async () => {
    const sender = await rawSocket('AF_INET', 'IPPROTO_RAW');
    const listener = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    expect(ok(await call(lab, 'socket.getsockopt', { fd: sender, option: 'IP_HDRINCL' })).value).toBe(1);
    const icmp = bytes((await echoRequest('AF_INET', 0x4c43, 3)).data);
    const header = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.1', ttl: 33, payloadLength: icmp.length });
    const packet = Buffer.concat([header.bytes, icmp]);
    expect(ok(await call(lab, 'socket.sendto', { fd: sender, data: packet, address: LOOP4 })).ret).toBe(packet.length);
    const reply = await recvUntil(listener, (p) => p[20] === 0 && p.readUInt16BE(24) === 0x4c43);
    expect(bytes(reply.data).readUInt16BE(26)).toBe(3);
  });

  it('connected: send and recv work; non-blocking recv answers EAGAIN; unconnected send EDESTADDRREQ', async () => {
    const fd = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    expect(failed(await call(lab, 'socket.send', { fd, data: (await echoRequest('AF_INET', 1, 1)).data })).errno).toBe('EDESTADDRREQ');
    ok(await call(lab, 'socket.connect', { fd, address: LOOP4 }));
    expect((await info(fd)).state).toBe('connected');
    const request = await echoRequest('AF_INET', 0x4c44, 1);
    ok(await call(lab, 'socket.send', { fd, data: request.data }));
    for (;;) {
      const got = ok(await call(lab, 'socket.recv', { fd, maxBytes: 65536 }));
      const p = bytes(got.data);
      if (p[20] === 0 && p.readUInt16BE(24) === 0x4c44) break;
    }
    // A socket connected to an address that sends nothing has nothing to read.
    const quiet = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    ok(await call(lab, 'socket.connect', { fd: quiet, address: { family: 'AF_INET', address: '127.0.0.9', port: 0 } }));
    expect(ok(await call(lab, 'socket.fcntl', { fd: quiet, cmd: 'F_SETFL', nonblock: true })).nonblock).toBe(true);
    expect(ok(await call(lab, 'socket.fcntl', { fd: quiet, cmd: 'F_GETFL' })).ret & 0o4000).toBe(0o4000);
    expect(failed(await call(lab, 'socket.recvfrom', { fd: quiet, maxBytes: 100 })).errno).toBe('EAGAIN');
  });

  it('a blocked recvfrom shows as blocked, and cancel ends it with EINTR', async () => {
    const fd = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    ok(await call(lab, 'socket.connect', { fd, address: { family: 'AF_INET', address: '127.0.0.9', port: 0 } }));
    const pending = call(lab, 'socket.recvfrom', { fd, maxBytes: 100 });
    await untilBlocked(fd);
    expect((await info(fd)).blockedIn).toBe('recvfrom');
    expect(ok(await call(lab, 'socket.cancel', { fd })).value.cancelled).toBe(true);
    expect(failed(await pending).errno).toBe('EINTR');
    expect((await info(fd)).blockedIn).toBeNull();
  });

  it('close during a pending recvfrom answers it EBADF; lab.reset closes raw sockets too', async () => {
    const fd = await rawSocket('AF_INET6', 'IPPROTO_ICMPV6');
    ok(await call(lab, 'socket.connect', { fd, address: { family: 'AF_INET6', address: '::2', port: 0 } }));
    const pending = call(lab, 'socket.recvfrom', { fd, maxBytes: 100 });
    await untilBlocked(fd);
    ok(await call(lab, 'socket.close', { fd }));
    expect(failed(await pending).errno).toBe('EBADF');

    const other = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    ok(await call(lab, 'socket.connect', { fd: other, address: { family: 'AF_INET', address: '127.0.0.9', port: 0 } }));
    const blocked = call(lab, 'socket.recvfrom', { fd: other, maxBytes: 100 });
    await untilBlocked(other);
    expect(ok(await call(lab, 'lab.reset', {})).value.closed).toBe(1);
    expect(failed(await blocked).errno).toBe('EBADF');
  });

  it('other combinations get the errno Linux gives', async () => {
    const zero = failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_IP' }));
    expect(zero.errno).toBe('EPROTONOSUPPORT');
    const unix = failed(await call(lab, 'socket.socket', { domain: 'AF_UNIX', type: 'SOCK_RAW', protocol: 'IPPROTO_IP' }));
    expect(unix.errno).toBe('ESOCKTNOSUPPORT');
    const fd = await rawSocket('AF_INET', 'IPPROTO_ICMP');
    expect(failed(await call(lab, 'socket.listen', { fd, backlog: 1 })).errno).toBe('EOPNOTSUPP');
    // The kernel's own answer: ip_getsockopt() refuses levels other than SOL_IP with EOPNOTSUPP.
    expect(failed(await call(lab, 'socket.getsockopt', { fd, option: 'TCP_NODELAY' })).errno).toBe('EOPNOTSUPP');
    expect(failed(await call(lab, 'socket.getsockopt', { fd, level: 'SOL_SOCKET', option: 'IP_TTL' })).errno).toBe('ENOPROTOOPT');
    ok(await call(lab, 'socket.setsockopt', { fd, option: 'IP_TTL', value: 7 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd, option: 'IP_TTL' })).value).toBe(7);
  });
});

describe('raw routes', () => {
  it('raw.ping returns each reply and pushes ping.reply events live', async () => {
    const events: EventPayload<'ping.reply'>[] = [];
    const off = lab.on('ping.reply', (reply) => events.push(reply));
    const answer = ok(
      await call(lab, 'raw.ping', { family: 'AF_INET', target: '127.0.0.1', count: 3, intervalMs: 10, timeoutMs: 2000, payloadSize: 56 }),
    );
    off();
    const summary = answer.value;
    expect(summary).toMatchObject({ transmitted: 3, received: 3, lossPercent: 0 });
    expect(summary.replies.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(summary.replies[0]).toMatchObject({ ttl: 64, bytes: 64, from: '127.0.0.1' });
    expect(summary.rtt?.min).toBeGreaterThan(0);
    expect(events.map((e) => [e.identifier, e.sequence])).toEqual(summary.replies.map((r) => [summary.identifier, r.sequence]));

    const v6 = ok(
      await call(lab, 'raw.ping', { family: 'AF_INET6', target: '::1', count: 2, intervalMs: 10, timeoutMs: 2000, payloadSize: 0 }),
    );
    expect(v6.value).toMatchObject({ transmitted: 2, received: 2 });
  });

  it('raw.buildIcmp computes the checksum (RFC 1071)', async () => {
    const empty = ok(await call(lab, 'raw.buildIcmp', { type: 8, code: 0, identifier: 0, sequence: 0, payload: new Uint8Array(0) })).value;
    expect(empty.checksum).toBe(0xf7ff); // ~0x0800
    expect(bytes(empty.data).toString('hex')).toBe('08 00 f7 ff 00 00 00 00'.replaceAll(' ', ''));
    const odd = ok(
      await call(lab, 'raw.buildIcmp', { type: 8, code: 0, identifier: 0x1234, sequence: 9, payload: Buffer.from('abc') }),
    ).value;
    expect(internetChecksum(bytes(odd.data))).toBe(0);
    expect(bytes(odd.data).readUInt16BE(2)).toBe(odd.checksum);
  });

  it('invalid input answers EINVAL naming the field', async () => {
    const zero = failed(
      await call(lab, 'raw.ping', { family: 'AF_INET', target: '127.0.0.1', count: 0, intervalMs: 10, timeoutMs: 100, payloadSize: 0 }),
    );
    expect(zero).toMatchObject({ errno: 'EINVAL' });
    expect(zero.message).toContain('count');
    expect(
      failed(
        await call(lab, 'raw.ping', { family: 'AF_INET', target: '127.0.0.1', count: 1, intervalMs: 5, timeoutMs: 100, payloadSize: 0 }),
      ).errno,
    ).toBe('EINVAL');
    expect(
      failed(
        await call(lab, 'raw.ping', { family: 'AF_INET', target: 'localhost', count: 1, intervalMs: 10, timeoutMs: 100, payloadSize: 0 }),
      ).errno,
    ).toBe('EINVAL');
    expect(
      failed(await call(lab, 'raw.buildIcmp', { type: 256, code: 0, identifier: 0, sequence: 0, payload: new Uint8Array(0) })).errno,
    ).toBe('EINVAL');
  });
});
