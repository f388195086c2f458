/**
 * Datagrams and ICMP errors tied to sockets and calls, live: real lab UDP sockets on 127.0.0.1,
 * real capture on lo. sendto() → its datagram; a connected UDP socket sending to a closed port →
 * the ICMP port unreachable is tied to that socket (kernel), and its next call fails with
 * ECONNREFUSED, as Linux gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { captureOnLo, rowsWhen } from '../helpers/capture';
import { bin, call, failed, ok, steps } from '../helpers/lab';

let lab: Lab;

beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
});
afterAll(async () => {
  await lab.close();
});

const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

describe('datagram ties on a live capture', () => {
  it('ties a sendto() from an unbound socket to its datagram, for both sockets', async () => {
    const s = steps(lab);
    const receiver = await s.socket('AF_INET', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.bind', { fd: receiver, address: loopback(0) }));
    const port = await s.port(receiver);
    await captureOnLo(lab, `udp port ${port}`);
    const sender = await s.socket('AF_INET', 'SOCK_DGRAM');
    const first = ok(await call(lab, 'socket.sendto', { fd: sender, data: bin('ping'), address: loopback(port) }));
    const second = ok(await call(lab, 'socket.sendto', { fd: sender, data: bin('second'), address: loopback(port) }));
    const rows = await rowsWhen(lab, 2);

    expect(rows.map((r) => [r.protocol, r.fds, r.cause, r.callId])).toEqual([
      ['UDP', [sender, receiver], 'call', first.callId],
      ['UDP', [sender, receiver], 'call', second.callId],
    ]);
    const ladder = ok(await call(lab, 'capture.ladder', { no: rows[0].no })).value;
    expect(ladder.conversation.protocol).toBe('udp');
    expect(ladder.conversation.b).toBe(`127.0.0.1:${port}`);
    expect(ladder.arrows.map((a) => a.no)).toEqual(rows.map((r) => r.no));
    expect(ladder.svg).toContain('sendto(');
    for (const fd of [sender, receiver]) ok(await call(lab, 'socket.close', { fd }));
  });

  it('ties the port unreachable to the connected UDP socket that caused it, whose next call gets ECONNREFUSED', async () => {
    const s = steps(lab);
    // A port nothing listens on: bound once, then closed.
    const probe = await s.socket('AF_INET', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.bind', { fd: probe, address: loopback(0) }));
    const closedPort = await s.port(probe);
    ok(await call(lab, 'socket.close', { fd: probe }));

    await captureOnLo(lab, `udp port ${closedPort} or icmp`);
    const sender = await s.socket('AF_INET', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.connect', { fd: sender, address: loopback(closedPort) }));
    const send = ok(await call(lab, 'socket.send', { fd: sender, data: bin('anyone?') }));
    const rows = await rowsWhen(lab, 2);

    expect(rows.map((r) => r.protocol)).toEqual(['UDP', 'ICMP']);
    expect(rows[0]).toMatchObject({ fds: [sender], cause: 'call', callId: send.callId });
    expect(rows[1].info).toContain('unreachable');
    expect(rows[1]).toMatchObject({ mark: 'icmp-error', fds: [sender], cause: 'kernel', callId: null });

    // Linux keeps the error on the socket: the next call reports it.
    const next = failed(await call(lab, 'socket.send', { fd: sender, data: bin('again?') }));
    expect(next.errno).toBe('ECONNREFUSED');

    // The ladder of the UDP conversation includes the error that quotes it.
    const ladder = ok(await call(lab, 'capture.ladder', { no: rows[1].no })).value;
    expect(ladder.conversation).toMatchObject({ b: `127.0.0.1:${closedPort}`, protocol: 'udp' });
    expect(ladder.arrows.map((a) => a.no)).toEqual(rows.map((r) => r.no));
    expect(ladder.svg).toContain('ICMP error');
    ok(await call(lab, 'socket.close', { fd: sender }));
  });
});
