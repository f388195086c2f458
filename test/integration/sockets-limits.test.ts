/**
 * Limits, bad input and bookkeeping: EMFILE, EBADF, descriptor reuse, invalid ports and
 * addresses, ENAMETOOLONG, refused socket types, stream options, events, and the memory bounds
 * of the call log and transcripts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import type { CallRecord } from '@shared/socket';
import { bin, call, failed, ok, openLab, socketIdOf, steps } from '../helpers/lab';

let lab: Lab;
afterEach(async () => {
  await lab.close();
});

describe('descriptors', () => {
  it('hands out 3, 4, 5 ..., reuses the lowest free number, and answers EMFILE past maxSockets', async () => {
    lab = openLab({ maxSockets: 4 });
    const s = steps(lab);
    const fds = [];
    for (let i = 0; i < 4; i++) fds.push(await s.socket('AF_INET', 'SOCK_DGRAM'));
    expect(fds).toEqual([3, 4, 5, 6]);
    const full = failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
    expect(full.errno).toBe('EMFILE');
    expect(full.code).toBe(24);
    ok(await call(lab, 'socket.close', { fd: 4 }));
    expect(await s.socket('AF_INET', 'SOCK_STREAM')).toBe(4);
  });

  it('an unknown descriptor is EBADF for every call, and a closed one too', async () => {
    lab = openLab();
    expect(failed(await call(lab, 'socket.recv', { fd: 42, maxBytes: 1 })).errno).toBe('EBADF');
    expect(failed(await call(lab, 'socket.close', { fd: 3 })).errno).toBe('EBADF');
    expect(failed(await call(lab, 'socket.cancel', { fd: 3 })).errno).toBe('EBADF');
    const fd = await steps(lab).socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.close', { fd }));
    const again = failed(await call(lab, 'socket.getsockname', { fd }));
    expect(again.errno).toBe('EBADF');
    expect(again.code).toBe(9);
  });
});

describe('bad input', () => {
  it('port 70000 is EINVAL with a clear message, before the lab acts', async () => {
    lab = openLab();
    const fd = await steps(lab).socket('AF_INET', 'SOCK_STREAM');
    const answer = failed(await call(lab, 'socket.bind', { fd, address: { family: 'AF_INET', address: '127.0.0.1', port: 70000 } }));
    expect(answer.errno).toBe('EINVAL');
    expect(answer.message).toMatch(/65535/);
  });

  it('a malformed address is EINVAL; a wrong-family address is EAFNOSUPPORT (AF_INET) or EINVAL (AF_INET6)', async () => {
    lab = openLab();
    const s = steps(lab);
    const v4 = await s.socket('AF_INET', 'SOCK_STREAM');
    const bad = failed(await call(lab, 'socket.bind', { fd: v4, address: { family: 'AF_INET', address: '300.1.2.3', port: 0 } }));
    expect(bad.errno).toBe('EINVAL');
    expect(bad.message).toMatch(/300\.1\.2\.3/);
    expect(failed(await call(lab, 'socket.bind', { fd: v4, address: { family: 'AF_INET6', address: '::1', port: 0 } })).errno).toBe(
      'EAFNOSUPPORT',
    );
    const v6 = await s.socket('AF_INET6', 'SOCK_STREAM');
    expect(failed(await call(lab, 'socket.bind', { fd: v6, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } })).errno).toBe(
      'EINVAL',
    );
    // Linux takes an IPv4 address on an AF_INET6 UDP socket as ::ffff:a.b.c.d.
    const udp6 = await s.socket('AF_INET6', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.connect', { fd: udp6, address: { family: 'AF_INET', address: '127.0.0.1', port: 9 } }));
    expect(ok(await call(lab, 'socket.getpeername', { fd: udp6 })).address).toMatchObject({ address: '::ffff:127.0.0.1', port: 9 });
    const unix = await s.socket('AF_UNIX', 'SOCK_STREAM');
    expect(failed(await call(lab, 'socket.bind', { fd: unix, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } })).errno).toBe(
      'EINVAL',
    );
  });

  it('an AF_UNIX path over 107 bytes is ENAMETOOLONG', async () => {
    lab = openLab();
    const fd = await steps(lab).socket('AF_UNIX', 'SOCK_STREAM');
    const answer = failed(await call(lab, 'socket.bind', { fd, address: { family: 'AF_UNIX', path: `/tmp/${'x'.repeat(103)}` } }));
    expect(answer.errno).toBe('ENAMETOOLONG');
    expect(answer.code).toBe(36);
  });

  it('SOCK_RAW without a protocol, AF_UNIX SOCK_RAW and AF_UNIX SOCK_DGRAM are refused with a sentence, and no socket is made', async () => {
    lab = openLab();
    // The kernel's own answer for SOCK_RAW with protocol 0 (working raw sockets: sockets-raw.test.ts).
    const raw = failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_IP' }));
    expect(raw.errno).toBe('EPROTONOSUPPORT');
    const unixRaw = failed(await call(lab, 'socket.socket', { domain: 'AF_UNIX', type: 'SOCK_RAW' }));
    expect(unixRaw.errno).toBe('ESOCKTNOSUPPORT');
    expect(unixRaw.message).toMatch(/Node/);
    const unixDgram = failed(await call(lab, 'socket.socket', { domain: 'AF_UNIX', type: 'SOCK_DGRAM' }));
    expect(unixDgram.message).toMatch(/Node/);
    expect(failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_UDP' })).errno).toBe(
      'EPROTONOSUPPORT',
    );
    expect(ok(await call(lab, 'lab.sockets', {})).value).toEqual([]);
  });
});

describe('stream options', () => {
  it('TCP options reach the kernel; wrong level or socket type is refused as Linux does', async () => {
    lab = openLab();
    const s = steps(lab);
    const { client } = await s.pair();
    ok(await call(lab, 'socket.setsockopt', { fd: client, level: 'IPPROTO_TCP', option: 'TCP_NODELAY', value: 1 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: client, option: 'TCP_NODELAY' })).value).toBe(1);
    ok(await call(lab, 'socket.setsockopt', { fd: client, option: 'SO_KEEPALIVE', value: 1 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: client, option: 'SO_KEEPALIVE' })).value).toBe(1);
    ok(await call(lab, 'socket.setsockopt', { fd: client, option: 'SO_SNDBUF', value: 32768 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: client, option: 'SO_SNDBUF' })).value).toBe(65536);
    const fresh = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.setsockopt', { fd: fresh, option: 'SO_REUSEADDR', value: 1 }));
    expect(ok(await call(lab, 'socket.getsockopt', { fd: fresh, option: 'SO_REUSEADDR' })).value).toBe(1);
    expect(ok(await call(lab, 'socket.getsockopt', { fd: fresh, option: 'IP_TTL' })).value).toBe(64);
    expect(failed(await call(lab, 'socket.setsockopt', { fd: fresh, option: 'IP_HDRINCL', value: 1 })).errno).toBe('ENOPROTOOPT');
    expect(
      failed(
        await call(lab, 'socket.setsockopt', {
          fd: fresh,
          option: 'IP_ADD_MEMBERSHIP',
          value: { multiaddr: '239.1.1.1', interface: '0.0.0.0' },
        }),
      ).errno,
    ).toBe('EPROTO');
    const unix = await s.socket('AF_UNIX', 'SOCK_STREAM');
    expect(failed(await call(lab, 'socket.setsockopt', { fd: unix, option: 'TCP_NODELAY', value: 1 })).errno).toBe('EOPNOTSUPP');
  });
});

describe('events and the call log', () => {
  it('logs each call at its start (ret null) and end, and emits socket and transcript events', async () => {
    lab = openLab();
    const logged: CallRecord[] = [];
    const changed: number[] = [];
    const removed: number[] = [];
    const appended: number[] = [];
    lab.on('call.logged', (r) => logged.push(r));
    lab.on('socket.changed', (x) => changed.push(x.fd));
    lab.on('socket.removed', (x) => removed.push(x.fd));
    lab.on('transcript.appended', (x) => appended.push(x.length));
    const { client, server } = await steps(lab).pair();
    ok(await call(lab, 'socket.send', { fd: client, data: bin('12345') }));
    ok(await call(lab, 'socket.close', { fd: server }));
    const sends = logged.filter((r) => r.call === 'send');
    expect(sends.map((r) => r.ret)).toEqual([null, 5]);
    expect(sends[1].args).toMatchObject({ fd: client, data: { length: 5, previewText: '12345' } });
    expect(sends[1].durationUs).toBeGreaterThanOrEqual(0);
    expect(sends[1].startWallUs).toBeGreaterThan(1.6e15);
    expect(changed).toContain(client);
    expect(removed).toEqual([server]);
    expect(appended).toEqual([5]);
  });

  it('keeps memory bounded: callLogLimit records, transcriptTailBytes per socket, exact counters', async () => {
    lab = openLab({ callLogLimit: 10, transcriptTailBytes: 1000 });
    const { client, server } = await steps(lab).pair();
    const clientId = await socketIdOf(lab, client);
    for (let i = 0; i < 30; i++) ok(await call(lab, 'socket.send', { fd: client, data: bin(Buffer.alloc(300, i)) }));
    const calls = ok(await call(lab, 'lab.calls', {})).value;
    expect(calls.length).toBe(10);
    expect(calls.every((r) => r.call === 'send')).toBe(true);
    const transcript = ok(await call(lab, 'lab.transcript', { socketId: clientId })).value;
    const kept = transcript.reduce((sum, e) => sum + Buffer.from(e.data).length, 0);
    expect(kept).toBeLessThanOrEqual(1000);
    expect(Buffer.from(transcript.at(-1)?.data ?? new Uint8Array(0))).toEqual(Buffer.alloc(300, 29));
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === client);
    expect(info?.counters.bytesSent).toBe(9000);
    expect(info?.counters.sendCalls).toBe(30);
    const big = ok(await call(lab, 'socket.send', { fd: client, data: bin(Buffer.alloc(5000, 7)) }));
    expect(big.ret).toBe(5000);
    const tail = ok(await call(lab, 'lab.transcript', { socketId: clientId })).value;
    expect(tail.at(-1)?.length).toBe(5000);
    expect(tail.at(-1)?.data.length).toBe(1000);
    void server;
  });

  it('lab.reset closes every socket and clears the logs', async () => {
    lab = openLab();
    await steps(lab).pair();
    expect(ok(await call(lab, 'lab.reset', {})).value.closed).toBe(4 - 1);
    expect(ok(await call(lab, 'lab.sockets', {})).value).toEqual([]);
    expect(ok(await call(lab, 'lab.calls', {})).value).toEqual([]);
  });
});
