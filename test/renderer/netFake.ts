/**
 * The lab network in the fake lab: net.* answers and events as the lab gives them, each input
 * and each answer parsed by the shared schemas, so the fake can never drift from the contract.
 * `hold()` puts a frame on the link as the engine would in step mode.
 */
import { DEFAULT_HOSTS, HeldFrame, STEP_ACTIONS, LinkSettings, offNetInfo, type HostSpec, type NetInfo } from '@shared/net';
import { routes, type RouteName, type RouteOutput } from '@shared/routes';
import { events } from '@shared/events';
import type { FakeLab } from './fakeLab';

/** Where user namespaces are refused: the lab's words for it (see src/main/lab/net/userns.ts). */
export interface Refusal {
  error: string;
  fix: string;
}

export class FakeNetwork {
  info: NetInfo = offNetInfo();
  held: HeldFrame[] = [];
  private nextFrameId = 1;

  constructor(
    readonly lab: FakeLab,
    private readonly refusal: Refusal | null = null,
  ) {
    this.answer('net.info', () => ({ ok: true, value: this.info }));
    this.answer('net.create', (input) => this.create(input.hosts, input.step, input.link));
    this.answer('net.destroy', () => {
      const destroyed = this.info.state === 'up';
      this.held = [];
      this.change(offNetInfo());
      return { ok: true, value: { destroyed } };
    });
    this.answer('net.link.set', (input) => {
      if (this.info.state !== 'up') return this.down('net.link.set');
      this.change({ ...this.info, link: { ...this.info.link, ...input.link }, rules: input.rules ?? this.info.rules });
      return { ok: true, value: this.info };
    });
    this.answer('net.step.mode', (input) => {
      if (this.info.state !== 'up') return this.down('net.step.mode');
      if (!input.on) for (const frame of [...this.held]) this.release(frame.id, 'deliver');
      this.change({ ...this.info, step: input.on });
      return { ok: true, value: this.info };
    });
    this.answer('net.step.list', () => ({ ok: true, value: this.held }));
    this.answer('net.step.act', (input) => {
      const targets = input.id === null ? [...this.held] : this.held.filter((f) => f.id === input.id);
      if (targets.length === 0 && input.id !== null) {
        return { ok: false, errno: 'EINVAL', code: 22, message: `net.step.act: frame ${input.id} is not waiting on the link.` };
      }
      for (const frame of targets) this.release(frame.id, input.action);
      return { ok: true, value: { acted: targets.length } };
    });
  }

  /** Puts a frame on the link, held, and tells the renderer (net.frame.held). */
  hold(patch: Partial<HeldFrame> = {}): HeldFrame {
    const frame = HeldFrame.parse({
      id: this.nextFrameId++,
      from: 'A',
      to: 'B',
      monoUs: 1_000_000,
      len: 74,
      protocol: 'TCP',
      src: '10.0.0.1',
      dst: '10.0.0.2',
      info: '40000 → 7000 [SYN] Seq=0 Win=64240 Len=0',
      fd: null,
      callId: null,
      ...patch,
    });
    this.held.push(frame);
    this.lab.emit('net.frame.held', events['net.frame.held'].parse(frame));
    this.change({ ...this.info, counters: { ...this.info.counters, frames: this.info.counters.frames + 1, held: this.held.length } });
    return frame;
  }

  private release(id: number, action: (typeof STEP_ACTIONS)[number]): void {
    // A duplicate sends a copy and the original stays held, as the engine does.
    if (action !== 'duplicate') this.held = this.held.filter((f) => f.id !== id);
    const c = this.info.counters;
    const counters = {
      ...c,
      held: this.held.length,
      passed: c.passed + (action === 'drop' ? 0 : 1),
      dropped: c.dropped + (action === 'drop' ? 1 : 0),
      droppedStep: c.droppedStep + (action === 'drop' ? 1 : 0),
      duplicated: c.duplicated + (action === 'duplicate' ? 1 : 0),
      delayed: c.delayed + (action === 'delay' ? 1 : 0),
    };
    if (action !== 'duplicate') this.lab.emit('net.frame.released', events['net.frame.released'].parse({ id, action }));
    this.change({ ...this.info, counters });
  }

  private create(
    hosts: readonly HostSpec[] | undefined,
    step: boolean | undefined,
    link: Partial<LinkSettings> | undefined,
  ): RouteOutput<'net.create'> {
    if (this.info.state === 'up')
      return {
        ok: false,
        errno: 'EISCONN',
        code: 106,
        message: 'net.create: a lab network exists already; destroy it first (net.destroy).',
      };
    if (this.refusal) {
      this.change(offNetInfo({ state: 'failed', error: this.refusal.error, fix: this.refusal.fix }));
      return { ok: false, errno: 'EPERM', code: 1, message: `net.create: ${this.refusal.error} To allow it: ${this.refusal.fix}` };
    }
    const made = (hosts ?? DEFAULT_HOSTS).map((h, i) => ({ ...h, ifname: 'eth0', mac: `02:00:00:00:00:0${i + 1}`, ifindex: 2 }));
    this.change(offNetInfo({ state: 'up', hosts: made, step: step ?? false, link: LinkSettings.parse(link ?? {}), enginePid: 4242 }));
    return { ok: true, value: this.info };
  }

  private down<N extends RouteName>(name: N): RouteOutput<N> {
    return {
      ok: false,
      errno: 'ENETDOWN',
      code: 100,
      message: `${name}: there is no lab network; create one with net.create.`,
    } as RouteOutput<N>;
  }

  /** The new state, checked, and its net.changed event. */
  private change(next: NetInfo): void {
    this.info = events['net.changed'].parse(next);
    this.lab.emit('net.changed', this.info);
  }

  /** Registers a handler whose input and answer both pass the route's schemas. */
  private answer<N extends RouteName>(name: N, handler: (input: ReturnType<(typeof routes)[N]['input']['parse']>) => RouteOutput<N>): void {
    this.lab.respond(name, (raw) => {
      const input = routes[name].input.parse(raw) as ReturnType<(typeof routes)[N]['input']['parse']>;
      return routes[name].output.parse(handler(input)) as RouteOutput<N>;
    });
  }
}
