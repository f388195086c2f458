/**
 * Web mode's frame codec: the contract's bytes (Uint8Array) become base64 in JSON and come back
 * as bytes; nothing else changes. The browser's base64 codec agrees with Node's Buffer.
 */
import { describe, expect, it } from 'vitest';
import { portableBase64ToBytes, portableBytesToBase64 } from '@shared/base64';
import { decodeFrame, encodeFrame, WireRequest } from '@shared/wire';

describe('encodeFrame / decodeFrame', () => {
  it('carries bytes anywhere in a value as base64 and restores them as Uint8Array', () => {
    const value = { id: 1, name: 'socket.send', input: { fd: 3, data: Uint8Array.from([0, 1, 255]), nested: [{ b: Buffer.from('hi') }] } };
    const text = encodeFrame(value);
    expect(text).toContain('{"$base64":"AAH/"}');
    expect(text).toContain('{"$base64":"aGk="}');
    const back = decodeFrame(text) as typeof value;
    expect(back.input.data).toBeInstanceOf(Uint8Array);
    expect([...back.input.data]).toEqual([0, 1, 255]);
    expect(Buffer.from(back.input.nested[0].b).toString()).toBe('hi');
    expect(back.input.fd).toBe(3);
  });

  it("sends a Buffer view as just its bytes, never as Buffer.toJSON's array nor its whole pool", () => {
    const pool = Buffer.from('xxhelloxx');
    const text = encodeFrame({ data: pool.subarray(2, 7) });
    expect(text).toBe('{"data":{"$base64":"aGVsbG8="}}');
  });

  it('leaves values without bytes untouched (no copy) and keeps other one-key objects', () => {
    const plain = { a: [1, { b: 'c' }], $other: 'x' };
    expect(decodeFrame(encodeFrame(plain))).toEqual(plain);
    expect(decodeFrame('{"x":{"$base64":"aGk=","extra":1}}')).toEqual({ x: { $base64: 'aGk=', extra: 1 } });
  });

  it('never lets a "__proto__" key reach an object\'s prototype', () => {
    const decoded = decodeFrame('{"__proto__":{"polluted":{"$base64":"aGk="}}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('WireRequest', () => {
  it('takes a request without input (LabApi callers may leave it out for routes that take nothing)', () => {
    expect(WireRequest.safeParse({ id: 1, name: 'lab.info' }).success).toBe(true);
  });
});

describe('portable base64 (the browser path)', () => {
  it('agrees with Node for every length up to 64 and for a megabyte', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const reference = Buffer.from(bytes).toString('base64');
      expect(portableBytesToBase64(bytes)).toBe(reference);
      expect([...portableBase64ToBytes(reference)]).toEqual([...bytes]);
    }
    const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 0xff);
    const text = portableBytesToBase64(big);
    expect(text).toBe(Buffer.from(big).toString('base64'));
    expect(Buffer.from(portableBase64ToBytes(text)).equals(Buffer.from(big))).toBe(true);
  });
});
