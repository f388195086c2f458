/**
 * The renderer's fake lab obeys the contract's schemas both ways, so a renderer test can never
 * pass against answers or events the real lab could not produce, nor send what it would refuse.
 */
import { describe, expect, it } from 'vitest';
import type { RouteOutput } from '@shared/routes';
import { FakeLab, socketInfo } from './fakeLab';

describe('FakeLab', () => {
  it('refuses input the real lab would refuse (a NUL in an address, text for bytes)', async () => {
    const fake = new FakeLab();
    await expect(fake.invoke('socket.connect', { fd: 3, address: { family: 'AF_INET', address: '127.0.0.1\0', port: 1 } })).rejects.toThrow(
      /input the lab refuses.*NUL/,
    );
    // @ts-expect-error text is not bytes
    await expect(fake.invoke('socket.send', { fd: 3, data: 'aGk=' })).rejects.toThrow(/data must be bytes/);
    expect(await fake.invoke('socket.send', { fd: 3, data: new Uint8Array([1]) })).toMatchObject({ ok: true });
  });

  it("refuses an answer outside the route's output schema", async () => {
    const fake = new FakeLab();
    fake.respond('socket.recv', () => ({ ok: true, ret: 2, callId: 1, data: 'aGk=' }) as unknown as RouteOutput<'socket.recv'>);
    await expect(fake.invoke('socket.recv', { fd: 3, maxBytes: 10 })).rejects.toThrow(/could never give.*data/);
  });

  it("refuses an event payload outside the event's schema", () => {
    const fake = new FakeLab();
    expect(() => fake.emit('socket.changed', { ...socketInfo(), state: 'dancing' } as never)).toThrow(/could never push.*state/);
    expect(() => fake.emit('socket.changed', socketInfo())).not.toThrow();
  });
});
