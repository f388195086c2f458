/**
 * A socket is not its descriptor number: on a real lab with capture on lo, descriptors handed
 * out again (as C does) never carry the history of the socket that had them before. Connect on
 * fd N, close it, make a UDP socket (fd N again): "Only socket" on the new one shows none of the
 * TCP packets, and those stay tied to the old socket. accept() → N, close, accept() → N again:
 * the second connection's ladder draws only its own calls. Transcripts and the call log keep
 * the two apart too. An accepted socket's own packets include its handshake and the data that
 * came before accept() (tied to the listener then).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { captureOnLo, flagsOf, rowsWhen } from '../helpers/capture';
import { bin, call, ok, openLab, steps } from '../helpers/lab';

let lab: Lab;
beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
});
afterAll(async () => {
  await lab.close();
});

const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

describe('socket identity on a live capture', () => {
  it('keeps a closed TCP socket’s packets off the UDP socket that got its descriptor', async () => {
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port} or udp port ${port}`);
    const tcp = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
    ok(await call(lab, 'socket.connect', { fd: tcp.ret, address: loopback(port) }));
    await rowsWhen(lab, 3);
    ok(await call(lab, 'socket.close', { fd: tcp.ret }));
    const tcpRows = await rowsWhen(lab, 5);
    const udp = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' }));
    expect(udp.ret).toBe(tcp.ret);
    expect(udp.socketId).not.toBe(tcp.socketId);
    ok(await call(lab, 'socket.sendto', { fd: udp.ret, data: bin('hi'), address: loopback(port) }));
    await rowsWhen(lab, 1, 'udp');

    const onlyUdp = ok(await call(lab, 'capture.rows', { offset: 0, limit: 100, socketId: udp.socketId })).value.rows;
    expect(onlyUdp.map((r) => r.protocol)).toEqual(['UDP']);
    const onlyTcp = ok(await call(lab, 'capture.rows', { offset: 0, limit: 100, socketId: tcp.socketId })).value.rows;
    expect(onlyTcp.map(flagsOf)).toEqual(tcpRows.map(flagsOf));
    // The mark "sent or received this packet" names the old socket, with the descriptor it had.
    for (const row of onlyTcp) {
      expect(row.socketIds).toContain(tcp.socketId);
      expect(row.socketIds).not.toContain(udp.socketId);
      expect(row.fds[row.socketIds.indexOf(tcp.socketId)]).toBe(tcp.ret);
    }
    // The call log tells the two sockets on one descriptor apart.
    const calls = ok(await call(lab, 'lab.calls', {})).value;
    expect(calls.filter((c) => c.fd === tcp.ret && c.call !== 'socket').map((c) => [c.call, c.socketId])).toEqual([
      ['connect', tcp.socketId],
      ['close', tcp.socketId],
      ['sendto', udp.socketId],
    ]);
    expect(
      calls
        .filter((c) => c.call === 'socket')
        .map((c) => c.newSocketId)
        .slice(-2),
    ).toEqual([tcp.socketId, udp.socketId]);
    ok(await call(lab, 'socket.close', { fd: udp.ret }));
    ok(await call(lab, 'socket.close', { fd: listener }));
  });

  it('draws the second accepted connection on a reused descriptor with its own calls only', async () => {
    ok(await call(lab, 'lab.reset', {}));
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port}`);
    const first = await s.socket('AF_INET', 'SOCK_STREAM');
    const second = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: first, address: loopback(port) }));
    const a1 = ok(await call(lab, 'socket.accept', { fd: listener }));
    ok(await call(lab, 'socket.send', { fd: first, data: bin('one') }));
    ok(await call(lab, 'socket.recv', { fd: a1.ret, maxBytes: 10 }));
    ok(await call(lab, 'socket.send', { fd: a1.ret, data: bin('uno') }));
    ok(await call(lab, 'socket.close', { fd: a1.ret }));
    ok(await call(lab, 'socket.connect', { fd: second, address: loopback(port) }));
    const a2 = ok(await call(lab, 'socket.accept', { fd: listener }));
    expect(a2.ret).toBe(a1.ret);
    expect(a2.socketId).not.toBe(a1.socketId);

    const syn = await rowsWhen(lab, 1, `tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.srcport == ${await s.port(second)}`);
    const ladder = ok(await call(lab, 'capture.ladder', { no: syn[0].no })).value;
    const calls = [...ladder.svg.matchAll(/<g class="call[^"]*" data-call="\d+">.*?<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(calls.filter((text) => text.startsWith(`accept(${listener})`))).toEqual([`accept(${listener}) = ${a2.ret}`]);
    for (const text of calls) expect(text).not.toMatch(/^(recv|send|close)\(/);
    // Each accepted socket keeps its own transcript, though both had the same descriptor.
    const t1 = ok(await call(lab, 'lab.transcript', { socketId: a1.socketId })).value;
    const t2 = ok(await call(lab, 'lab.transcript', { socketId: a2.socketId })).value;
    expect(t1.map((e) => e.direction)).toEqual(['in', 'out']);
    expect(t2).toEqual([]);
    // The accepted socket knows its listener by identity.
    const info = ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.socketId === a2.socketId);
    expect(info).toMatchObject({ fd: a2.ret, acceptedFrom: listener, acceptedFromId: await listenerId(listener) });
  });

  it('"Only socket" on an accepted socket shows its handshake and the data that came before accept()', async () => {
    ok(await call(lab, 'lab.reset', {}));
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port}`);
    const first = await s.socket('AF_INET', 'SOCK_STREAM');
    const other = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: first, address: loopback(port) }));
    ok(await call(lab, 'socket.send', { fd: first, data: bin('early') }));
    const before = await rowsWhen(lab, 5);
    ok(await call(lab, 'socket.connect', { fd: other, address: loopback(port) }));
    await rowsWhen(lab, 8);
    const accepted = ok(await call(lab, 'socket.accept', { fd: listener }));
    expect(accepted.peer).toMatchObject({ port: await s.port(first) });
    ok(await call(lab, 'socket.send', { fd: first, data: bin('later') }));
    await rowsWhen(lab, 10);

    const own = ok(await call(lab, 'capture.rows', { offset: 0, limit: 100, socketId: accepted.socketId })).value.rows;
    expect(own.slice(0, 5).map((r) => r.no)).toEqual(before.map((r) => r.no));
    expect(own.map(flagsOf)).toEqual(['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK', 'PSH, ACK', 'ACK']);
    // The other connection, still waiting in the accept queue, is not this socket's.
    const otherPort = await s.port(other);
    expect(own.some((r) => r.info.startsWith(`${otherPort} `) || r.info.includes(`→ ${otherPort} `))).toBe(false);
    // The listener keeps what it was tied to.
    const ofListener = ok(await call(lab, 'capture.rows', { offset: 0, limit: 100, socketId: await listenerId(listener) })).value.rows;
    expect(ofListener.length).toBe(8);
  });

  it('keeps the transcripts of the last 64 closed sockets, each apart though they shared a descriptor', async () => {
    const quiet = openLab();
    try {
      const ids: number[] = [];
      for (let i = 0; i < 70; i++) {
        const udp = ok(await call(quiet, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' }));
        expect(udp.ret).toBe(3);
        ok(await call(quiet, 'socket.sendto', { fd: udp.ret, data: bin(`n${i}`), address: loopback(9) }));
        ok(await call(quiet, 'socket.close', { fd: udp.ret }));
        ids.push(udp.socketId);
      }
      const transcript = async (socketId: number) => ok(await call(quiet, 'lab.transcript', { socketId })).value;
      expect(await transcript(ids[0])).toEqual([]);
      expect(await transcript(ids[5])).toEqual([]);
      expect((await transcript(ids[6])).map((e) => Buffer.from(e.data).toString())).toEqual(['n6']);
      expect((await transcript(ids[69])).map((e) => [e.fd, e.socketId])).toEqual([[3, ids[69]]]);
    } finally {
      await quiet.close();
    }
  });
});

async function listenerId(fd: number): Promise<number> {
  return ok(await call(lab, 'lab.sockets', {})).value.find((x) => x.fd === fd)!.socketId;
}
