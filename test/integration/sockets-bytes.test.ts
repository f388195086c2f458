/**
 * Payload bytes at the boundary: the contract carries raw bytes (Uint8Array) in and out; text
 * is not bytes, and a payload above the contract's 16 MiB is refused before any call is made.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '@shared/socket';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, text } from '../helpers/lab';

let lab: Lab;
afterEach(async () => lab.close());

async function udpPair(): Promise<{ a: number; b: number; port: number }> {
  const a = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' })).ret;
  const b = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' })).ret;
  ok(await call(lab, 'socket.bind', { fd: b, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } }));
  const named = ok(await call(lab, 'socket.getsockname', { fd: b }));
  const port = named.address && named.address.family === 'AF_INET' ? named.address.port : 0;
  return { a, b, port };
}

describe('payload bytes', () => {
  it('sends a plain Uint8Array and a Buffer alike, and answers raw bytes', async () => {
    lab = openLab();
    const { a, b, port } = await udpPair();
    const to = { family: 'AF_INET' as const, address: '127.0.0.1', port };
    expect(ok(await call(lab, 'socket.sendto', { fd: a, data: new TextEncoder().encode('raw'), address: to })).ret).toBe(3);
    expect(ok(await call(lab, 'socket.sendto', { fd: a, data: bin('text!'), address: to })).ret).toBe(5);
    const first = ok(await call(lab, 'socket.recvfrom', { fd: b, maxBytes: 100 })).data;
    expect(first).toBeInstanceOf(Uint8Array);
    expect(text(first)).toBe('raw');
    expect(text(ok(await call(lab, 'socket.recvfrom', { fd: b, maxBytes: 100 })).data)).toBe('text!');
  });

  it('refuses data that is not bytes, before any call is made', async () => {
    lab = openLab();
    const { a, port } = await udpPair();
    const answer = failed(
      // @ts-expect-error text is not bytes: what a broken or hostile client might send
      await call(lab, 'socket.sendto', { fd: a, data: 'aGVsbG8=', address: { family: 'AF_INET', address: '127.0.0.1', port } }),
    );
    expect(answer).toMatchObject({ ret: -1, errno: 'EINVAL', callId: 0 });
    expect(answer.message).toContain('data must be bytes');
  });

  it("refuses a send above the contract's 16 MiB (a 20 MiB send was accepted before)", async () => {
    lab = openLab();
    const fd = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    for (const size of [MAX_PAYLOAD_BYTES + 1, 20 * 1024 * 1024]) {
      const answer = failed(await call(lab, 'socket.send', { fd, data: new Uint8Array(size) }));
      expect(answer).toMatchObject({ ret: -1, errno: 'EINVAL', callId: 0 });
      expect(answer.message).toContain('at most 16 MiB');
    }
    // Exactly 16 MiB passes the contract and reaches the call (which fails for its own reason).
    expect(failed(await call(lab, 'socket.send', { fd, data: new Uint8Array(MAX_PAYLOAD_BYTES) })).callId).toBeGreaterThan(0);
  });
});
