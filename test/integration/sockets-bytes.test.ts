/** Payload bytes at the boundary: raw bytes and base64 text both reach the wire; junk is EINVAL. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { b64, call, failed, ok, openLab, text } from '../helpers/lab';

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
  it('sends raw bytes and base64 text alike', async () => {
    lab = openLab();
    const { a, b, port } = await udpPair();
    const to = { family: 'AF_INET' as const, address: '127.0.0.1', port };
    expect(ok(await call(lab, 'socket.sendto', { fd: a, data: new TextEncoder().encode('raw'), address: to })).ret).toBe(3);
    expect(ok(await call(lab, 'socket.sendto', { fd: a, data: b64('text!'), address: to })).ret).toBe(5);
    expect(text(ok(await call(lab, 'socket.recvfrom', { fd: b, maxBytes: 100 })).data)).toBe('raw');
    expect(text(ok(await call(lab, 'socket.recvfrom', { fd: b, maxBytes: 100 })).data)).toBe('text!');
  });

  it('refuses data that is neither bytes nor base64, before any call is made', async () => {
    lab = openLab();
    const { a, port } = await udpPair();
    const answer = failed(
      await call(lab, 'socket.sendto', { fd: a, data: 'not base64!', address: { family: 'AF_INET', address: '127.0.0.1', port } }),
    );
    expect(answer).toMatchObject({ ret: -1, errno: 'EINVAL', callId: 0 });
    expect(answer.message).toContain('base64');
  });
});
