/**
 * The link's rules applied to each frame, in user space: MTU, scripted rules (drop / hold /
 * duplicate / delay the nth matching frame), step mode, random loss, the rate limiter with its
 * tail-drop queue (one per sending host), delay with jitter, reordering, duplication. Pure
 * logic over a clock and a scheduler, so a unit test can drive it with a fake clock.
 */
import type { LinkRule, LinkSettings } from '@shared/net';
import { emptyCounters, LinkSettings as LinkSettingsSchema } from '@shared/net';
import { fieldLookup } from '../dissect';
import { LINKTYPE } from '../dissect/types';
import { compileFilter } from '../filter';

/** One Ethernet frame on the link. `to` null: broadcast/multicast, for every other host. */
export interface LinkFrame {
  id: number;
  from: string;
  to: string | null;
  data: Buffer;
  /** When it entered the link, CLOCK_MONOTONIC µs. */
  enteredUs: number;
}

export interface LinkEnvironment {
  now(): number;
  /** Runs `run` at CLOCK_MONOTONIC µs `atUs`. */
  at(atUs: number, run: () => void): void;
  /** Uniform in [0, 1). */
  random(): number;
  /** The frame leaves the link now, to its destination(s). */
  deliver(frame: LinkFrame): void;
  /** The frame waits for the person (step mode or a 'hold' rule). */
  hold(frame: LinkFrame): void;
}

interface ActiveRule {
  rule: LinkRule;
  test: (frame: LinkFrame) => boolean;
  seen: number;
}

/** Ethernet header bytes on top of the MTU. */
const ETHERNET_HEADER = 14;

/** Compiles a rule's display filter; throws a sentence naming the rule when it is not valid. */
function activate(rule: LinkRule, index: number): ActiveRule {
  const compiled = compileFilter(rule.match);
  if (!compiled.ok)
    throw new Error(
      `rule ${index + 1}: "${rule.match}" is not a display filter (at character ${compiled.position + 1}: ${compiled.error})`,
    );
  const test = compiled.test;
  return {
    rule,
    seen: 0,
    test: (frame) =>
      (rule.from === null || rule.from === frame.from) &&
      (rule.to === null || rule.to === frame.to) &&
      (rule.match.trim() === '' || test(fieldLookup(frame.data, LINKTYPE.ETHERNET))),
  };
}

export class Link {
  settings: LinkSettings;
  step = false;
  readonly counters = emptyCounters();
  private rules: ActiveRule[] = [];
  /** Per sending host: when its rate limiter is busy until, and departures still ahead. */
  private queues = new Map<string, { busyUntil: number; departures: number[] }>();

  constructor(
    private env: LinkEnvironment,
    settings: Partial<LinkSettings> = {},
  ) {
    this.settings = LinkSettingsSchema.parse(settings);
  }

  /** Changes settings (frames already on the link keep their schedule). */
  configure(settings: Partial<LinkSettings>): void {
    this.settings = LinkSettingsSchema.parse({ ...this.settings, ...settings });
  }

  /** Replaces the scripted rules; their counts start again. Throws on an invalid filter. */
  setRules(rules: readonly LinkRule[]): void {
    this.rules = rules.map(activate);
  }

  get ruleList(): LinkRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** A frame entered the link from host `frame.from`. */
  enter(frame: LinkFrame): void {
    const c = this.counters;
    c.frames++;
    c.bytes += frame.data.length;
    if (frame.data.length > this.settings.mtu + ETHERNET_HEADER) {
      this.drop('droppedTooBig');
      return;
    }
    let extraUs = 0;
    let copies = 1;
    for (const active of this.rules) {
      if (!active.test(frame)) continue;
      active.seen++;
      const { nth, count, action, delayMs } = active.rule;
      if (active.seen < nth || active.seen >= nth + count) continue;
      if (action === 'drop') {
        this.drop('droppedRule');
        return;
      }
      if (action === 'hold') {
        this.holdFrame(frame);
        return;
      }
      if (action === 'duplicate') copies++;
      if (action === 'delay') extraUs += delayMs * 1000;
    }
    if (this.step) {
      this.holdFrame(frame);
      return;
    }
    if (this.env.random() * 100 < this.settings.lossPercent) {
      this.drop('droppedLoss');
      return;
    }
    if (this.env.random() * 100 < this.settings.duplicatePercent) copies++;
    this.send(frame, extraUs, copies);
  }

  /** Puts a frame the person released back on the link, with its fate chosen. */
  release(frame: LinkFrame, action: 'deliver' | 'drop' | 'duplicate' | 'delay', delayMs = 0): void {
    this.counters.held = Math.max(0, this.counters.held - 1);
    if (action === 'drop') {
      this.drop('droppedStep');
      return;
    }
    this.send(frame, action === 'delay' ? delayMs * 1000 : 0, action === 'duplicate' ? 2 : 1);
  }

  private holdFrame(frame: LinkFrame): void {
    this.counters.held++;
    this.env.hold(frame);
  }

  /** Frames lost before they entered the link (see LinkCounters.droppedOverrun). */
  overrun(frames: number): void {
    this.counters.frames += frames;
    this.counters.dropped += frames;
    this.counters.droppedOverrun += frames;
  }

  private drop(cause: 'droppedLoss' | 'droppedRule' | 'droppedQueue' | 'droppedTooBig' | 'droppedStep'): void {
    this.counters.dropped++;
    this.counters[cause]++;
  }

  /** Through the rate limiter and the delay line, `copies` times (duplicates follow the original). */
  private send(frame: LinkFrame, extraUs: number, copies: number): void {
    const now = this.env.now();
    const s = this.settings;
    let departUs = now;
    if (s.rateKbps > 0) {
      const queue = this.queues.get(frame.from) ?? { busyUntil: 0, departures: [] };
      this.queues.set(frame.from, queue);
      while (queue.departures.length > 0 && queue.departures[0] <= now) queue.departures.shift();
      if (queue.departures.length >= s.queueFrames) {
        this.drop('droppedQueue');
        return;
      }
      // bits / (kbit/s) = ms; × 1000 = µs on the wire.
      const wireUs = (frame.data.length * 8 * 1000) / s.rateKbps;
      queue.busyUntil = Math.max(now, queue.busyUntil) + wireUs;
      departUs = queue.busyUntil;
      queue.departures.push(departUs);
    }
    for (let copy = 0; copy < copies; copy++) {
      if (copy > 0) this.counters.duplicated++;
      let delayUs = s.delayMs * 1000 + extraUs;
      if (s.jitterMs > 0) delayUs += (this.env.random() * 2 - 1) * s.jitterMs * 1000;
      if (s.reorderPercent > 0 && this.env.random() * 100 < s.reorderPercent) {
        delayUs += s.reorderExtraMs * 1000;
        this.counters.reordered++;
      }
      const atUs = departUs + Math.max(0, delayUs);
      if (atUs <= now) {
        this.counters.passed++;
        this.env.deliver(frame);
        continue;
      }
      this.counters.delayed++;
      this.counters.queued++;
      this.env.at(atUs, () => {
        this.counters.queued--;
        this.counters.passed++;
        this.env.deliver(frame);
      });
    }
  }
}
