/**
 * One lab network inside the engine process: its hosts (namespaces + veth pairs), the wire
 * that reads every frame a host sends from its link end and writes it to the destination host's
 * end after the link's rules (link.ts), the frames held for step mode, and the taps that feed
 * link captures ("link:A"). Frames are switched by destination MAC; broadcast and multicast
 * frames (ARP requests, neighbour solicitations) go to every other host.
 */
import type { HeldFrame, HostSpec, LinkRule, LinkSettings, NetInfo } from '@shared/net';
import { summarize } from '../dissect';
import { LINKTYPE } from '../dissect/types';
import { readinessPoller } from '../libc/poller';
import { sysPacketDrops, sysReadNow, sysWriteAll } from '../libc';
import { createHost, destroyHost, setHostMtu, type Host } from './hosts';
import { Link, type LinkFrame } from './link';
import { LinkTimers, nowUs } from './timers';

/** Most frames read from one host per wake-up, so one busy host cannot starve the others. */
const READ_BURST = 256;
/** Most frames held at once; more are dropped (counted as step drops) rather than grow memory. */
const MAX_HELD = 10_000;
/** Largest frame a link end hands over (MTU 9000 + Ethernet header, with room). */
const FRAME_BUFFER = 9216;

const ties = new WeakMap<LinkFrame, { fd: number | null; callId: number | null }>();

/** A frame seen at one host's end of the link: `host` sent it (out) or received it (in). */
export type LinkTap = (host: string, monoUs: number, data: Buffer) => void;

export interface NetworkHooks {
  /** Fd and call that caused a frame, where the ties know (called for every frame, in order). */
  tie(frame: LinkFrame): { fd: number | null; callId: number | null };
  held(frame: HeldFrame): void;
  released(id: number, action: 'deliver' | 'drop' | 'duplicate' | 'delay'): void;
}

export interface NetworkSetup {
  hosts: HostSpec[];
  link: Partial<LinkSettings>;
  rules: LinkRule[];
  step: boolean;
}

export class LabNetwork {
  readonly hosts = new Map<string, Host>();
  readonly link: Link;
  private readonly timers = new LinkTimers();
  private readonly byMac = new Map<string, string>();
  private readonly held = new Map<number, { frame: LinkFrame; info: HeldFrame }>();
  private readonly taps = new Set<LinkTap>();
  private readonly withdraws = new Map<string, () => void>();
  private readonly readBuffer = Buffer.allocUnsafe(FRAME_BUFFER);
  private nextId = 1;
  private closed = false;

  constructor(
    setup: NetworkSetup,
    private hooks: NetworkHooks,
  ) {
    this.link = new Link(
      {
        now: nowUs,
        at: (atUs, run) => this.timers.at(atUs, run),
        random: Math.random,
        deliver: (frame) => this.deliver(frame),
        hold: (frame) => this.hold(frame),
      },
      setup.link,
    );
    this.link.setRules(setup.rules);
    this.link.step = setup.step;
    try {
      setup.hosts.forEach((spec, index) => {
        const host = createHost(spec, index, this.link.settings.mtu);
        this.hosts.set(spec.name, host);
        this.byMac.set(host.macBytes.toString('hex'), spec.name);
      });
    } catch (error) {
      this.close();
      throw error;
    }
    for (const host of this.hosts.values()) this.listen(host);
  }

  /** The host's namespace descriptor, or null when there is no such host. */
  nsOf(name: string): number | null {
    return this.hosts.get(name)?.nsFd ?? null;
  }

  /** Changes the link; a new MTU goes to every host's interface too. */
  configure(settings: Partial<LinkSettings>, rules?: LinkRule[]): void {
    const mtuBefore = this.link.settings.mtu;
    if (rules) this.link.setRules(rules);
    this.link.configure(settings);
    if (this.link.settings.mtu !== mtuBefore) {
      for (const host of this.hosts.values()) {
        const set = setHostMtu(host, this.link.settings.mtu);
        if (!set.ok) throw new Error(`MTU on host ${host.info.name}: ${set.message}`);
      }
    }
  }

  /** Step mode; turning it off delivers every held frame, oldest first. */
  setStep(on: boolean): void {
    this.link.step = on;
    if (!on) this.act(null, 'deliver', 0);
  }

  heldFrames(): HeldFrame[] {
    return [...this.held.values()].map((h) => h.info);
  }

  /** Decides the fate of held frame `id` (null: all of them); returns how many. */
  act(id: number | null, action: 'deliver' | 'drop' | 'duplicate' | 'delay', delayMs: number): number {
    const chosen = id === null ? [...this.held.keys()] : this.held.has(id) ? [id] : [];
    for (const key of chosen) {
      const entry = this.held.get(key);
      if (!entry) continue;
      this.held.delete(key);
      this.link.release(entry.frame, action, delayMs);
      this.hooks.released(key, action);
    }
    return chosen.length;
  }

  /** Listens to every frame at every end (for link captures); returns the unsubscribe. */
  addTap(tap: LinkTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  info(): Pick<NetInfo, 'hosts' | 'link' | 'rules' | 'step' | 'counters'> {
    this.countOverruns();
    return {
      hosts: [...this.hosts.values()].map((h) => h.info),
      link: { ...this.link.settings },
      rules: this.link.ruleList,
      step: this.link.step,
      counters: { ...this.link.counters },
    };
  }

  /** Stops the wire and releases every host (the kernel removes their devices and namespaces). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const withdraw of this.withdraws.values()) withdraw();
    this.withdraws.clear();
    this.timers.close();
    this.held.clear();
    this.taps.clear();
    for (const host of this.hosts.values()) destroyHost(host);
    this.hosts.clear();
  }

  /** Adds the frames each host's packet socket lost since last asked (see droppedOverrun). */
  countOverruns(): void {
    for (const host of this.hosts.values()) {
      const drops = sysPacketDrops(host.frameFd);
      if (drops.ok && drops.value > 0) this.link.overrun(drops.value);
    }
  }

  private listen(host: Host): void {
    if (this.closed) return;
    const waiting = readinessPoller.waitReadable(host.frameFd, () => {
      this.withdraws.delete(host.info.name);
      this.readFrames(host);
      this.listen(host);
    });
    if (!waiting.ok) throw new Error(`host ${host.info.name}: ${waiting.message}`);
    this.withdraws.set(host.info.name, waiting.value);
  }

  private readFrames(host: Host): void {
    for (let n = 0; n < READ_BURST && !this.closed; n++) {
      const got = sysReadNow(host.frameFd, this.readBuffer);
      if (!got.ok || got.value === null || got.value === 0) return;
      const enteredUs = nowUs();
      const data = Buffer.from(this.readBuffer.subarray(0, got.value));
      const frame: LinkFrame = { id: this.nextId++, from: host.info.name, to: this.destinationOf(data), data, enteredUs };
      // Tied in arrival order (the ties follow TCP streams); kept for the frame's life on the link.
      ties.set(frame, this.hooks.tie(frame));
      this.emitTap(frame.from, enteredUs, data);
      this.link.enter(frame);
    }
  }

  /** The host a frame is addressed to, by destination MAC; null for broadcast/multicast. */
  private destinationOf(data: Buffer): string | null {
    if (data.length < 6 || (data[0] & 1) === 1) return null;
    return this.byMac.get(data.subarray(0, 6).toString('hex')) ?? null;
  }

  private deliver(frame: LinkFrame): void {
    if (this.closed) return;
    const targets = frame.to !== null ? [frame.to] : [...this.hosts.keys()].filter((name) => name !== frame.from);
    for (const name of targets) {
      const host = this.hosts.get(name);
      if (!host) continue;
      // The write hands the frame to the host's stack at once; it fails only when the
      // interface is down or the frame is malformed, which no retry would fix: skip it.
      sysWriteAll(host.frameFd, frame.data);
      this.emitTap(name, nowUs(), frame.data);
    }
  }

  private hold(frame: LinkFrame): void {
    if (this.held.size >= MAX_HELD) {
      this.link.release(frame, 'drop');
      return;
    }
    const summary = summarize(frame.data, LINKTYPE.ETHERNET);
    const tie = ties.get(frame) ?? { fd: null, callId: null };
    const info: HeldFrame = {
      id: frame.id,
      from: frame.from,
      to: frame.to,
      monoUs: Math.round(frame.enteredUs),
      len: frame.data.length,
      protocol: summary.protocol,
      src: summary.src,
      dst: summary.dst,
      info: summary.info,
      fd: tie.fd,
      callId: tie.callId,
    };
    this.held.set(frame.id, { frame, info });
    this.hooks.held(info);
  }

  private emitTap(host: string, monoUs: number, data: Buffer): void {
    for (const tap of this.taps) tap(host, monoUs, data);
  }
}
