/**
 * Datagram sockets through the lab facade on real loopback sockets: sendto/recvfrom both ways
 * over IPv4 and IPv6, connected UDP with ECONNREFUSED from ICMP, EMSGSIZE, truncation, options.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, steps, text } from '../helpers/lab';

let lab: Lab;
let s: ReturnType<typeof steps>;
beforeEach(() => {
  lab = openLab();
  s = steps(lab);
});
afterEach(async () => {
  await lab.close();
});

const loop4 = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

async function boundUdp(domain: 'AF_INET' | 'AF_INET6' = 'AF_INET') {
  const fd = await s.socket(domain, 'SOCK_DGRAM');
  const address = domain === 'AF_INET' ? '127.0.0.1' : '::1';
  ok(await call(lab, 'socket.bind', { fd, address: { family: domain, address, port: 0 } }));
  return { fd, port: await s.port(fd) };
}

describe('UDP', () => {
  it('sendto and recvfrom both ways over 127.0.0.1', async () => {
    const a = await boundUdp();
    const b = await s.socket('AF_INET', 'SOCK_DGRAM');
    expect(ok(await call(lab, 'socket.sendto', { fd: b, data: bin('ping'), address: loop4(a.port) })).ret).toBe(4);
    const bPort = await s.port(b); // sending bound b to an ephemeral port, as in C
    expect(bPort).toBeGreaterThan(0);
    const got = ok(await call(lab, 'socket.recvfrom', { fd: a.fd, maxBytes: 100 }));
    expect(text(got.data)).toBe('ping');
    expect(got.from).toEqual(loop4(bPort));
    ok(await call(lab, 'socket.sendto', { fd: a.fd, data: bin('pong'), address: loop4(bPort) }));
    const back = ok(await call(lab, 'socket.recvfrom', { fd: b, maxBytes: 100 }));
    expect(text(back.data)).toBe('pong');
    expect(back.from).toEqual(loop4(a.port));
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === a.fd);
    expect(info?.counters).toMatchObject({ datagramsReceived: 1, datagramsSent: 1, bytesReceived: 4, bytesSent: 4 });
    // A second bind, even of an implicitly bound socket, is EINVAL.
    expect(failed(await call(lab, 'socket.bind', { fd: b, address: loop4(0) })).errno).toBe('EINVAL');
  });

  it('sendto and recvfrom over ::1; a datagram longer than maxBytes is truncated', async () => {
    const a = await boundUdp('AF_INET6');
    const b = await boundUdp('AF_INET6');
    ok(
      await call(lab, 'socket.sendto', {
        fd: b.fd,
        data: bin('0123456789'),
        address: { family: 'AF_INET6', address: '::1', port: a.port },
      }),
    );
    const got = ok(await call(lab, 'socket.recvfrom', { fd: a.fd, maxBytes: 4 }));
    expect(got.ret).toBe(4);
    expect(text(got.data)).toBe('0123');
    expect(got.from).toMatchObject({ family: 'AF_INET6', address: '::1', port: b.port });
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === a.fd);
    expect(info?.datagramsWaiting).toBe(0); // the rest of the datagram was discarded, as in C
  });

  it('a connected UDP socket reports ECONNREFUSED after ICMP port unreachable', async () => {
    const free = await boundUdp();
    ok(await call(lab, 'socket.close', { fd: free.fd }));
    const fd = await s.socket('AF_INET', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.connect', { fd, address: loop4(free.port) }));
    ok(await call(lab, 'socket.send', { fd, data: bin('anyone?') }));
    const answer = failed(await call(lab, 'socket.recv', { fd, maxBytes: 10 }));
    expect(answer.errno).toBe('ECONNREFUSED');
    expect(answer.message).toMatch(/ICMP/);
  });

  it('EMSGSIZE over 65507 bytes on IPv4; 65507 bytes go through', async () => {
    const a = await boundUdp();
    const b = await s.socket('AF_INET', 'SOCK_DGRAM');
    const big = failed(await call(lab, 'socket.sendto', { fd: b, data: bin(Buffer.alloc(65508)), address: loop4(a.port) }));
    expect(big.errno).toBe('EMSGSIZE');
    expect(big.code).toBe(90);
    expect(ok(await call(lab, 'socket.sendto', { fd: b, data: bin(Buffer.alloc(65507)), address: loop4(a.port) })).ret).toBe(65507);
    expect(ok(await call(lab, 'socket.recvfrom', { fd: a.fd, maxBytes: 70000 })).ret).toBe(65507);
  });

  it('send without a destination is EDESTADDRREQ; recv with O_NONBLOCK is EAGAIN; listen/accept are EOPNOTSUPP', async () => {
    const a = await boundUdp();
    expect(failed(await call(lab, 'socket.send', { fd: a.fd, data: bin('x') })).errno).toBe('EDESTADDRREQ');
    expect(failed(await call(lab, 'socket.recvfrom', { fd: a.fd, maxBytes: 10, flags: ['MSG_DONTWAIT'] })).errno).toBe('EAGAIN');
    expect(failed(await call(lab, 'socket.listen', { fd: a.fd, backlog: 1 })).errno).toBe('EOPNOTSUPP');
    expect(failed(await call(lab, 'socket.accept', { fd: a.fd })).errno).toBe('EOPNOTSUPP');
  });

  it('a blocked recvfrom returns when a datagram arrives', async () => {
    const a = await boundUdp();
    const pending = call(lab, 'socket.recvfrom', { fd: a.fd, maxBytes: 10 });
    const b = await s.socket('AF_INET', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.sendto', { fd: b, data: bin('wake'), address: loop4(a.port) }));
    expect(text(ok(await pending).data)).toBe('wake');
  });

  it('options reach the kernel: SO_BROADCAST, IP_TTL, SO_RCVBUF, membership', async () => {
    const a = await boundUdp();
    ok(await call(lab, 'socket.setsockopt', { fd: a.fd, option: 'SO_BROADCAST', value: 1 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: a.fd, option: 'SO_BROADCAST' })).value).toBe(1);
    ok(await call(lab, 'socket.setsockopt', { fd: a.fd, level: 'IPPROTO_IP', option: 'IP_TTL', value: 7 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: a.fd, option: 'IP_TTL' })).value).toBe(7);
    ok(await call(lab, 'socket.setsockopt', { fd: a.fd, option: 'SO_RCVBUF', value: 65536 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: a.fd, option: 'SO_RCVBUF' })).value).toBe(131072); // Linux doubles it
    ok(await call(lab, 'socket.setsockopt', { fd: a.fd, option: 'IP_MULTICAST_TTL', value: 4 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: a.fd, option: 'IP_MULTICAST_TTL' })).value).toBe(4);
    ok(
      await call(lab, 'socket.setsockopt', {
        fd: a.fd,
        option: 'IP_ADD_MEMBERSHIP',
        value: { multiaddr: '239.1.2.3', interface: '127.0.0.1' },
      }),
    );
    ok(
      await call(lab, 'socket.setsockopt', {
        fd: a.fd,
        option: 'IP_DROP_MEMBERSHIP',
        value: { multiaddr: '239.1.2.3', interface: '127.0.0.1' },
      }),
    );
    expect(failed(await call(lab, 'socket.setsockopt', { fd: a.fd, option: 'TCP_NODELAY', value: 1 })).errno).toBe('ENOPROTOOPT');
    expect(failed(await call(lab, 'socket.setsockopt', { fd: a.fd, level: 'IPPROTO_TCP', option: 'SO_BROADCAST', value: 1 })).errno).toBe(
      'ENOPROTOOPT',
    );
  });

  it('an option set before bind is kept, said so, and applied at bind', async () => {
    const fd = await s.socket('AF_INET', 'SOCK_DGRAM');
    const kept = ok(await call(lab, 'socket.setsockopt', { fd, option: 'IP_TTL', value: 9 }));
    expect(kept.note).toMatch(/applied/);
    ok(await call(lab, 'socket.bind', { fd, address: loop4(0) }));
    const read = ok(await call(lab, 'socket.getsockopt', { fd, option: 'IP_TTL' }));
    expect(read.value).toBe(9);
    expect(read.note).toBeUndefined(); // read from the kernel now
  });

  it('empty datagrams fill the receive queue as the kernel counts them (truesize per datagram), then are dropped', async () => {
    const { fd, port } = await boundUdp();
    const sender = createSocket('udp4');
    try {
      // In bursts the kernel's own buffer holds, with pauses in which Node reads them into the lab's queue.
      for (let burst = 0; burst < 50; burst++) {
        for (let i = 0; i < 100; i++) sender.send(Buffer.alloc(0), port, '127.0.0.1');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === fd);
      // The kernel's default 212,992-byte buffer holds 256 empty datagrams (832 bytes each); so does the lab's queue.
      expect(info?.datagramsWaiting).toBeGreaterThan(200);
      expect(info?.datagramsWaiting).toBeLessThanOrEqual(256);
      expect(ok(await call(lab, 'socket.recvfrom', { fd, maxBytes: 10 })).ret).toBe(0);
      ok(await call(lab, 'lab.reset', {}));
      expect(ok(await call(lab, 'lab.sockets', {})).value).toEqual([]);
    } finally {
      sender.close();
    }
  });
});
