/**
 * The link's rules on a fake clock: MTU, scripted nth-frame rules, loss, duplication, the
 * rate limiter and its tail-drop queue, delay and reordering, step-mode holds.
 */
import { describe, expect, it } from 'vitest';
import { Link, type LinkEnvironment, type LinkFrame } from '../../src/main/lab/net/link';

/** A link on a clock that only moves when told, with a seeded random source. */
function fakeLink(settings: ConstructorParameters<typeof Link>[1] = {}, seed = 1) {
  let now = 1_000_000;
  let state = seed;
  const timers: { at: number; run: () => void }[] = [];
  const delivered: { id: number; at: number }[] = [];
  const held: LinkFrame[] = [];
  const env: LinkEnvironment = {
    now: () => now,
    at: (at, run) => timers.push({ at, run }),
    random: () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    },
    deliver: (frame) => delivered.push({ id: frame.id, at: now }),
    hold: (frame) => held.push(frame),
  };
  const link = new Link(env, settings);
  let nextId = 1;
  return {
    link,
    delivered,
    held,
    send(bytes = 100, from = 'A', data?: Buffer) {
      const frame: LinkFrame = { id: nextId++, from, to: from === 'A' ? 'B' : 'A', data: data ?? Buffer.alloc(bytes), enteredUs: now };
      link.enter(frame);
      return frame;
    },
    /** Moves the clock to `to` µs, running due timers in time order. */
    advance(byUs: number) {
      const end = now + byUs;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.run();
      }
      now = end;
    },
  };
}

/** An Ethernet + IPv4 + TCP frame with the given flags (enough for display filters). */
function tcpFrame(flags: number): Buffer {
  const frame = Buffer.alloc(14 + 20 + 20);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(40, 16);
  frame[22] = 64;
  frame[23] = 6;
  Buffer.from([10, 0, 0, 2, 10, 0, 0, 1]).copy(frame, 26);
  frame.writeUInt16BE(5000, 34);
  frame.writeUInt16BE(40000, 36);
  frame[46] = 0x50;
  frame[47] = flags;
  return frame;
}

describe('link', () => {
  it('passes frames at once with no delay, and delays them by delayMs', () => {
    const t = fakeLink();
    t.send();
    expect(t.delivered).toHaveLength(1);
    t.link.configure({ delayMs: 5 });
    const frame = t.send();
    t.advance(4_999);
    expect(t.delivered).toHaveLength(1);
    t.advance(1);
    expect(t.delivered.at(-1)).toEqual({ id: frame.id, at: frame.enteredUs + 5_000 });
    expect(t.link.counters).toMatchObject({ frames: 2, passed: 2, delayed: 1, queued: 0 });
  });

  it('drops frames larger than MTU + 14 bytes', () => {
    const t = fakeLink({ mtu: 1000 });
    t.send(1014);
    t.send(1015);
    expect(t.link.counters).toMatchObject({ passed: 1, dropped: 1, droppedTooBig: 1 });
  });

  it('loses about lossPercent of 10,000 frames', () => {
    const t = fakeLink({ lossPercent: 10 });
    for (let i = 0; i < 10_000; i++) t.send();
    expect(t.link.counters.droppedLoss / 10_000).toBeGreaterThan(0.09);
    expect(t.link.counters.droppedLoss / 10_000).toBeLessThan(0.11);
  });

  it('drops exactly the nth matching frame of a rule, and only that one', () => {
    const t = fakeLink();
    t.link.setRules([
      { match: 'tcp.flags.syn == 1 && tcp.flags.ack == 1', from: null, to: null, nth: 2, count: 1, action: 'drop', delayMs: 0 },
    ]);
    const synAck = 0x12;
    t.send(0, 'B', tcpFrame(synAck));
    t.send(0, 'B', tcpFrame(0x10));
    const second = t.send(0, 'B', tcpFrame(synAck));
    t.send(0, 'B', tcpFrame(synAck));
    expect(t.link.counters).toMatchObject({ droppedRule: 1, passed: 3 });
    expect(t.delivered.map((d) => d.id)).not.toContain(second.id);
  });

  it('refuses a rule whose filter is not a display filter, naming the rule', () => {
    const t = fakeLink();
    expect(() =>
      t.link.setRules([{ match: 'tcp.flags.syn ==', from: null, to: null, nth: 1, count: 1, action: 'drop', delayMs: 0 }]),
    ).toThrow(/rule 1/);
  });

  it('paces frames at rateKbps and tail-drops past queueFrames', () => {
    // 1000 bytes at 800 kbit/s: 10 ms each on the wire.
    const t = fakeLink({ rateKbps: 800, queueFrames: 3 });
    for (let i = 0; i < 5; i++) t.send(1000);
    expect(t.link.counters).toMatchObject({ droppedQueue: 2, queued: 3 });
    t.advance(30_000);
    expect(t.delivered.map((d) => d.at - 1_000_000)).toEqual([10_000, 20_000, 30_000]);
  });

  it('duplicates and reorders as asked', () => {
    const t = fakeLink({ duplicatePercent: 100 });
    t.send();
    expect(t.delivered).toHaveLength(2);
    expect(t.link.counters.duplicated).toBe(1);
    const r = fakeLink({ reorderPercent: 100, reorderExtraMs: 10 });
    r.send();
    r.link.configure({ reorderPercent: 0 });
    const second = r.send();
    r.advance(20_000);
    expect(r.delivered[0].id).toBe(second.id);
    expect(r.link.counters.reordered).toBe(1);
  });

  it('holds every frame in step mode until released', () => {
    const t = fakeLink();
    t.link.step = true;
    const frame = t.send();
    expect(t.held).toEqual([frame]);
    expect(t.delivered).toEqual([]);
    t.link.release(frame, 'deliver');
    expect(t.delivered).toHaveLength(1);
    expect(t.link.counters.held).toBe(0);
  });
});
