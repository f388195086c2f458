/**
 * Packets tied to sockets and calls, live: real lab sockets on 127.0.0.1, real capture on lo
 * (the forked capture process, a BPF filter on the test's port). A connect/accept/send/
 * shutdown/close conversation gives exactly SYN, SYN-ACK, ACK, data, ACK, FIN, ACK, FIN, ACK,
 * each tied to the right sockets and call, the TCP state badge moves through the states in
 * order, and capture.ladder draws it; a linger-0 close gives an RST tied to close(); a paused
 * reader's filled receive window shows as a zero-window segment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacketRow } from '@shared/capture';
import type { SocketInfo } from '@shared/socket';
import { createLab, type Lab } from '../../src/main/lab/index';
import { captureOnLo, flagsOf, rowsWhen } from '../helpers/capture';
import { bin, call, failed, ok, socketIdOf, steps } from '../helpers/lab';

let lab: Lab;
/** Each descriptor's badge values as socket.changed announced them, repeats collapsed. */
const badges = new Map<number, string[]>();

beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
  lab.on('socket.changed', (info: SocketInfo) => {
    if (info.tcpState === null) return;
    const seen = badges.get(info.fd) ?? [];
    if (seen.at(-1) !== info.tcpState) seen.push(info.tcpState);
    badges.set(info.fd, seen);
  });
});
afterAll(async () => {
  await lab.close();
});

const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

/** Each row as "flags fds cause callId", for one readable comparison. */
const tieLine = (row: PacketRow) => `${flagsOf(row)} fds=${row.fds.join(',')} ${row.cause} ${row.callId}`;

describe('ties on a live capture', () => {
  it('ties connect/accept/send/shutdown/close to exactly the expected nine segments, with badges and a ladder', async () => {
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port}`);
    badges.clear();

    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    const connect = ok(await call(lab, 'socket.connect', { fd: client, address: loopback(port) }));
    await rowsWhen(lab, 3);
    const clientPort = await s.port(client);
    const { ret: server, socketId: serverId } = ok(await call(lab, 'socket.accept', { fd: listener }));
    const send = ok(await call(lab, 'socket.send', { fd: client, data: bin('hello') }));
    await rowsWhen(lab, 5);
    expect(ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 100 })).ret).toBe(5);
    const shutdown = ok(await call(lab, 'socket.shutdown', { fd: client, how: 'SHUT_WR' }));
    await rowsWhen(lab, 7);
    expect(ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 100 })).ret).toBe(0);
    const close = ok(await call(lab, 'socket.close', { fd: server }));
    const rows = await rowsWhen(lab, 9);

    expect(rows.map(flagsOf)).toEqual(['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK', 'FIN, ACK', 'ACK', 'FIN, ACK', 'ACK']);
    expect(rows[3].info).toContain('Len=5');
    // Sender first; before accept() the server side is the listener.
    expect(rows.map(tieLine)).toEqual([
      `SYN fds=${client},${listener} call ${connect.callId}`,
      `SYN, ACK fds=${listener},${client} kernel null`,
      `ACK fds=${client},${listener} kernel null`,
      `PSH, ACK fds=${client},${server} call ${send.callId}`,
      `ACK fds=${server},${client} kernel null`,
      `FIN, ACK fds=${client},${server} call ${shutdown.callId}`,
      `ACK fds=${server},${client} kernel null`,
      `FIN, ACK fds=${server},${client} call ${close.callId}`,
      `ACK fds=${client},${server} kernel null`,
    ]);

    // The badge, from the same inference: every state in order, as announced.
    expect(badges.get(client)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(badges.get(listener)).toEqual(['LISTEN']);
    expect(badges.get(server)?.slice(0, 2)).toEqual(['ESTABLISHED', 'CLOSE_WAIT']);
    const table = ok(await call(lab, 'lab.sockets', {})).value;
    expect(table.find((x) => x.fd === client)?.tcpState).toBe('TIME_WAIT');
    expect(table.find((x) => x.fd === listener)?.tcpState).toBe('LISTEN');
    expect(table.some((x) => x.fd === server)).toBe(false);

    // Selecting a socket filters the list to its packets: for the accepted socket, its own
    // handshake too (tied to the listener, before accept() made the socket).
    const ofServer = ok(await call(lab, 'capture.rows', { offset: 0, limit: 100, socketId: serverId })).value;
    expect(ofServer.rows.map((r) => r.no)).toEqual(rows.map((r) => r.no));
    expect(ofServer.rows.slice(0, 3).every((r) => !r.socketIds.includes(serverId))).toBe(true);
    // A packet's detail carries the same tie.
    expect(ok(await call(lab, 'capture.packet', { no: rows[0].no })).value.row.callId).toBe(connect.callId);

    // The ladder of the conversation: nine arrows, in order, with the calls drawn.
    const ladder = ok(await call(lab, 'capture.ladder', { no: rows[4].no })).value;
    expect(ladder.svg.startsWith('<svg')).toBe(true);
    expect(ladder.conversation).toEqual({ a: `127.0.0.1:${clientPort}`, b: `127.0.0.1:${port}`, protocol: 'tcp' });
    expect(ladder.truncated).toBe(false);
    expect(ladder.arrows.map((a) => a.no)).toEqual(rows.map((r) => r.no));
    for (const [i, arrow] of ladder.arrows.entries()) {
      expect(arrow.top).toBeLessThan(arrow.bottom);
      expect(arrow.bottom).toBeLessThanOrEqual(ladder.height);
      if (i > 0) expect(arrow.top).toBeGreaterThanOrEqual(ladder.arrows[i - 1].bottom);
    }
    for (const text of ['[SYN] Seq=0', 'connect(', 'send(', 'shutdown(', 'close(', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK']) {
      expect(ladder.svg).toContain(text);
    }
    const dark = ok(await call(lab, 'capture.ladder', { no: rows[0].no, theme: 'dark' })).value;
    expect(dark.svg).toContain('#0d1117');
    expect(failed(await call(lab, 'capture.ladder', { no: 99_999 })).errno).toBe('EINVAL');

    ok(await call(lab, 'socket.close', { fd: client }));
    ok(await call(lab, 'socket.close', { fd: listener }));
  });

  it('ties the RST of a close() with SO_LINGER {on, 0} to that close', async () => {
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port}`);
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: loopback(port) }));
    const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    await rowsWhen(lab, 3);
    ok(await call(lab, 'socket.setsockopt', { fd: client, option: 'SO_LINGER', value: { onoff: true, linger: 0 } }));
    const close = ok(await call(lab, 'socket.close', { fd: client }));
    const rows = await rowsWhen(lab, 4);

    expect(rows.map(flagsOf)).toEqual(['SYN', 'SYN, ACK', 'ACK', 'RST, ACK']);
    expect(rows[3].mark).toBe('rst');
    expect(tieLine(rows[3])).toBe(`RST, ACK fds=${client},${server} call ${close.callId}`);
    await rowsWhen(lab, 1, 'tcp.flags.reset == 1');
    // The reset reached the accepted socket: its badge says so.
    const table = ok(await call(lab, 'lab.sockets', {})).value;
    expect(table.find((x) => x.fd === server)?.tcpState).toBe('CLOSED');
    expect(badges.get(server)?.at(-1)).toBe('CLOSED');
    const ladder = ok(await call(lab, 'capture.ladder', { no: rows[3].no })).value;
    expect(ladder.svg).toMatch(/class="packet rst" data-no="\d+"/);
    ok(await call(lab, 'socket.close', { fd: server }));
    ok(await call(lab, 'socket.close', { fd: listener }));
  });

  it('shows a zero window when the reader is paused and the writer fills its receive buffer', async () => {
    const s = steps(lab);
    const listener = await s.socket('AF_INET', 'SOCK_STREAM');
    // A small receive buffer (inherited by the accepted socket) fills after a few sends.
    ok(await call(lab, 'socket.setsockopt', { fd: listener, option: 'SO_RCVBUF', value: 4096 }));
    ok(await call(lab, 'socket.bind', { fd: listener, address: loopback(0) }));
    ok(await call(lab, 'socket.listen', { fd: listener, backlog: 4 }));
    const port = await s.port(listener);
    await captureOnLo(lab, `tcp port ${port}`);
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: loopback(port) }));
    const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    ok(await call(lab, 'socket.fcntl', { fd: client, cmd: 'F_SETFL', nonblock: true }));

    const chunk = bin(Buffer.alloc(16 * 1024, 0x61));
    let errno: string | null = null;
    for (let i = 0; i < 2000 && errno === null; i++) {
      const sent = await call(lab, 'socket.send', { fd: client, data: chunk });
      if (!sent.ok) errno = sent.errno;
    }
    expect(errno).toBe('EAGAIN');

    const zero = 'tcp.window_size_value == 0 && tcp.flags.reset == 0 && tcp.flags.syn == 0';
    const rows = await rowsWhen(lab, 1, zero);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    // The paused reader's kernel advertises it, about the writer's connection.
    expect(rows[0].cause).toBe('kernel');
    expect(rows[0].fds).toEqual([server, client]);
    const ladder = ok(await call(lab, 'capture.ladder', { no: rows[0].no })).value;
    expect(ladder.svg).toContain('zero window');
    // Some data segments are tied to the sends that wrote them.
    const data = ok(
      await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter: 'tcp.len > 0', socketId: await socketIdOf(lab, client) }),
    ).value.rows;
    expect(data.some((r) => r.cause === 'call' && r.callId !== null)).toBe(true);

    for (const fd of [client, server, listener]) ok(await call(lab, 'socket.close', { fd }));
  });
});
