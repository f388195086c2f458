/**
 * The state inferred from captured packets (the TCP badge) against the kernel's own
 * (TCP_INFO), on a real connection through its whole life on lo: a test of the inference, and
 * the comparison the TCP_INFO panel shows. Both are read once the packets have been captured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { captureOnLo, rowsWhen } from '../helpers/capture';
import { bin, call, ok, socketIdOf, steps } from '../helpers/lab';

let lab: Lab;
beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
});
afterAll(async () => {
  await lab.close();
});

/** [wire, kernel] of one socket now. */
async function bothStates(socketId: number): Promise<[string | null, string | null]> {
  const wire = ok(await call(lab, 'lab.sockets', {})).value.find((s) => s.socketId === socketId)?.tcpState ?? null;
  const kernel = ok(await call(lab, 'socket.tcpInfo', { socketId })).value.now?.state ?? null;
  return [wire, kernel];
}

describe('wire-inferred TCP state against the kernel’s', () => {
  it('agree at every stage of a connection’s life on lo, once the wire has seen the socket', async () => {
    const s = steps(lab);
    const { fd: listener, port } = await s.listener();
    await captureOnLo(lab, `tcp port ${port}`);
    const client = await s.socket('AF_INET', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } }));
    await rowsWhen(lab, 3);
    const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
    const [clientId, serverId, listenerId] = [
      await socketIdOf(lab, client),
      await socketIdOf(lab, server),
      await socketIdOf(lab, listener),
    ];
    expect(await bothStates(listenerId)).toEqual(['LISTEN', 'LISTEN']);
    expect(await bothStates(clientId)).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    // The accepted socket's handshake is tied to the listener, so the wire gives it no state until
    // a packet of its own: the kernel already has it ESTABLISHED (the panel shows the kernel's alone).
    expect(await bothStates(serverId)).toEqual([null, 'ESTABLISHED']);

    ok(await call(lab, 'socket.send', { fd: client, data: bin('hello') }));
    ok(await call(lab, 'socket.shutdown', { fd: client, how: 'SHUT_WR' }));
    await rowsWhen(lab, 7);
    expect(await bothStates(clientId)).toEqual(['FIN_WAIT_2', 'FIN_WAIT_2']);
    expect(await bothStates(serverId)).toEqual(['CLOSE_WAIT', 'CLOSE_WAIT']);
  });
});
