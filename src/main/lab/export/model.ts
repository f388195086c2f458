/**
 * A scenario (or a session's call log turned into one) as the operations a program performs,
 * with every `${...}` reference made symbolic: a port is "the local port of socket server", an
 * address is "what step `name` returned", a path is "the run's temporary folder + /lab.sock".
 * The C and Python writers print this model; neither reads the scenario itself.
 */
import { SOCKET_OPTIONS } from '@shared/socket';
import type { CallStep, Scenario, Step } from '../scenario/schema';
import { isRef, parseAddress, parseHex, unescapeText } from '../scenario/values';

/** A scenario feature a program cannot reproduce; the message says which step and why. */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** A number known when the program runs. */
export type NumExpr =
  | { kind: 'lit'; value: number }
  /** The local port of a socket (getsockname). */
  | { kind: 'sockPort'; sock: string }
  /** The port of an address a step stored (getsockname/getpeername/accept peer/recvfrom from). */
  | { kind: 'slotPort'; slot: string };

/** A text known when the program runs: literal pieces and the run's temporary folder. */
export type StrExpr = Array<{ lit: string } | { tmp: true }>;

export type AddrExpr =
  | { kind: 'inet'; family: 'AF_INET' | 'AF_INET6'; host: string; port: NumExpr }
  | { kind: 'unix'; path: StrExpr }
  /** The address a socket is bound to. */
  | { kind: 'sockLocal'; sock: string }
  /** An address a step stored. */
  | { kind: 'slot'; slot: string };

/** Where a call's descriptor comes from: a named socket, or a number written in the scenario. */
export type FdExpr = { kind: 'sock'; sock: string } | { kind: 'lit'; value: number };

export type SockOptValue =
  { kind: 'int'; value: number } | { kind: 'linger'; onoff: boolean; linger: number } | { kind: 'mreq'; multiaddr: string; iface: string };

export type CallOp =
  | { call: 'socket'; domain: string; type: string; protocol: string; as: string | null }
  | { call: 'bind' | 'connect'; fd: FdExpr; address: AddrExpr }
  | { call: 'listen'; fd: FdExpr; backlog: number }
  | { call: 'accept'; fd: FdExpr; as: string | null; peerSlot: string | null }
  | { call: 'send' | 'sendto'; fd: FdExpr; data: Uint8Array; flags: string[]; address: AddrExpr | null }
  | { call: 'recv' | 'recvfrom'; fd: FdExpr; maxBytes: number; flags: string[]; fromSlot: string | null }
  | { call: 'shutdown'; fd: FdExpr; how: string }
  | { call: 'close'; fd: FdExpr }
  | { call: 'getsockname' | 'getpeername'; fd: FdExpr; slot: string | null }
  | { call: 'setsockopt'; fd: FdExpr; level: string; option: string; value: SockOptValue }
  | { call: 'getsockopt'; fd: FdExpr; level: string; option: string; linger: boolean }
  | { call: 'fcntl'; fd: FdExpr; nonblock: boolean | null };

export interface OpCommon {
  /** 1-based step number in the scenario, as the lab's records number them. */
  step: number;
  note: string | null;
}

export type Op =
  | (OpCommon & { kind: 'call'; op: CallOp; background: boolean; id: string | null; timeoutMs: number | null; expect: string | null })
  | (OpCommon & { kind: 'sleep'; ms: number })
  | (OpCommon & { kind: 'wait'; fd: FdExpr; until: 'readable' | 'moment'; what: string; timeoutMs: number })
  | (OpCommon & { kind: 'await'; target: number })
  | (OpCommon & { kind: 'cancel'; target: number; sock: string });

export interface Program {
  name: string;
  description: string | null;
  source: string;
  ops: Op[];
  /** Named sockets, in order of first appearance. */
  sockets: string[];
  /** Stored addresses (`<id>_addr`, `<id>_peer`, `<id>_from`). */
  slots: string[];
  usesTmp: boolean;
}

const TEMPLATE = /^\$\{([^}]*)\}$/;

/** Builds the program model of a validated scenario. */
export function buildProgram(scenario: Scenario, source: string): Program {
  return new Builder(scenario, source).build();
}

class Builder {
  private readonly sockets: string[] = [];
  private readonly slots: string[] = [];
  /** Step ids → what they stored: 'addr' (getsockname/getpeername), 'peer' (accept), 'from' (recvfrom). */
  private readonly stored = new Map<string, string>();
  /** Step ids → step number, for await. */
  private readonly ids = new Map<string, number>();
  /** Background calls still running, by socket. */
  private readonly running = new Map<string, number>();
  private usesTmp = false;
  private step = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly source: string,
  ) {}

  build(): Program {
    // A lab network's hosts are namespaces SockLab makes and a wire it carries: a program on its
    // own has neither, so its calls could not mean what they meant in the lab.
    if (this.scenario.network) {
      throw new ExportError(
        'this scenario runs on a lab network (its hosts, its link); a program cannot make those, so export a scenario on this machine',
      );
    }
    const ops = this.scenario.steps.map((step, index) => {
      this.step = index + 1;
      return this.op(step);
    });
    const { name, description } = this.scenario;
    return {
      name,
      description: description ?? null,
      source: this.source,
      ops,
      sockets: this.sockets,
      slots: this.slots,
      usesTmp: this.usesTmp,
    };
  }

  private fail(message: string): never {
    throw new ExportError(`step ${this.step}: ${message}`);
  }

  private op(step: Step): Op {
    const common = { step: this.step, note: 'note' in step && step.note ? step.note : null };
    if ('sleep' in step) return { ...common, kind: 'sleep', ms: step.sleep };
    if ('wait' in step) {
      const until = [...Object.keys(step.until ?? {}), ...Object.keys(step.tcpInfo ?? {}).map((k) => `TCP_INFO ${k}`)];
      const readable = until.some((k) => ['acceptQueue', 'bytesWaiting', 'datagramsWaiting', 'peerClosed', 'pendingError'].includes(k));
      return {
        ...common,
        kind: 'wait',
        fd: this.sock(step.wait),
        until: readable ? 'readable' : 'moment',
        what: until.join(', '),
        timeoutMs: step.timeoutMs ?? 5000,
      };
    }
    if ('await' in step) {
      const target = this.ids.get(step.await);
      if (target === undefined) this.fail(`await: ${step.await} names no earlier step`);
      for (const [sock, n] of this.running) if (n === target) this.running.delete(sock);
      return { ...common, kind: 'await', target };
    }
    if ('cancel' in step) {
      const target = this.running.get(step.cancel);
      if (target === undefined) this.fail(`cancel: ${step.cancel} has no call running in the background to interrupt`);
      return { ...common, kind: 'cancel', target, sock: step.cancel };
    }
    const call = step as CallStep;
    if (call.id) this.ids.set(call.id, this.step);
    const op = this.call(call);
    const background = 'background' in call && call.background === true;
    if (background && 'sock' in call && call.sock) this.running.set(call.sock, this.step);
    const expect = call.expect ? JSON.stringify(call.expect) : null;
    return { ...common, kind: 'call', op, background, id: call.id ?? null, timeoutMs: call.timeoutMs ?? null, expect };
  }

  private call(step: CallStep): CallOp {
    if (step.call === 'socket') {
      if (step.as) this.declare(step.as);
      return { call: 'socket', domain: step.domain, type: step.type, protocol: step.protocol ?? 'IPPROTO_IP', as: step.as ?? null };
    }
    const fd = this.fdOf(step);
    switch (step.call) {
      case 'bind':
      case 'connect':
        return { call: step.call, fd, address: this.address(step.address) };
      case 'listen':
        return { call: 'listen', fd, backlog: step.backlog === undefined ? 128 : this.literal(step.backlog, 'backlog') };
      case 'accept': {
        if (step.as) this.declare(step.as);
        return { call: 'accept', fd, as: step.as ?? null, peerSlot: step.id ? this.store(step.id, 'peer') : null };
      }
      case 'send':
      case 'sendto': {
        const once = step.dataHex !== undefined ? parseHex(step.dataHex) : unescapeText(step.data ?? '');
        const data = Buffer.concat(Array.from({ length: step.repeat ?? 1 }, () => once));
        const address = step.call === 'sendto' && step.address !== undefined ? this.address(step.address) : null;
        return { call: step.call, fd, data, flags: step.flags ?? [], address };
      }
      case 'recv':
      case 'recvfrom': {
        const maxBytes = step.maxBytes === undefined ? 65536 : this.literal(step.maxBytes, 'maxBytes');
        const fromSlot = step.call === 'recvfrom' && step.id ? this.store(step.id, 'from') : null;
        return { call: step.call, fd, maxBytes, flags: step.flags ?? [], fromSlot };
      }
      case 'shutdown':
        return { call: 'shutdown', fd, how: step.how };
      case 'close':
        return { call: 'close', fd };
      case 'getsockname':
      case 'getpeername':
        return { call: step.call, fd, slot: step.id ? this.store(step.id, 'addr') : null };
      case 'setsockopt':
        return {
          call: 'setsockopt',
          fd,
          level: step.level ?? SOCKET_OPTIONS[step.option],
          option: step.option,
          value: this.optionValue(step.value),
        };
      case 'getsockopt':
        return {
          call: 'getsockopt',
          fd,
          level: step.level ?? SOCKET_OPTIONS[step.option],
          option: step.option,
          linger: step.option === 'SO_LINGER',
        };
      case 'fcntl':
        return { call: 'fcntl', fd, nonblock: step.nonblock ?? null };
    }
  }

  private declare(name: string): void {
    if (!this.sockets.includes(name)) this.sockets.push(name);
  }

  private store(id: string, what: string): string {
    const slot = `${id}_${what}`;
    this.stored.set(id, what);
    if (!this.slots.includes(slot)) this.slots.push(slot);
    return slot;
  }

  private sock(name: string): FdExpr {
    if (!this.sockets.includes(name)) this.fail(`"${name}" names no socket made by an earlier step`);
    return { kind: 'sock', sock: name };
  }

  private fdOf(step: CallStep): FdExpr {
    if ('sock' in step && step.sock) return this.sock(step.sock);
    if ('fd' in step && typeof step.fd === 'number') return { kind: 'lit', value: step.fd };
    return this.fail('a call needs sock: NAME or fd: NUMBER');
  }

  private literal(value: unknown, field: string): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
    return this.fail(`${field} must be a plain number to export`);
  }

  /** `${x.port}`, `${id.address.port}`, `${id.from.port}`, `${id.peer.port}`, or digits. */
  private port(text: string): NumExpr {
    if (/^\d+$/.test(text)) return { kind: 'lit', value: Number(text) };
    const template = TEMPLATE.exec(text.trim());
    if (!template) this.fail(`the port "${text}" is neither a number nor one \${...} reference`);
    const [root, ...rest] = template[1].trim().split('.');
    if (this.sockets.includes(root) && rest.join('.') === 'port') return { kind: 'sockPort', sock: root };
    const what = this.stored.get(root);
    if (what && rest.at(-1) === 'port') return { kind: 'slotPort', slot: `${root}_${what}` };
    return this.fail(`\${${template[1]}} cannot be exported (a socket's .port, or the .port of an address a step returned, can)`);
  }

  private path(text: string): StrExpr {
    const parts: StrExpr = [];
    let rest = text;
    for (let at = rest.indexOf('${'); at >= 0; at = rest.indexOf('${')) {
      const end = rest.indexOf('}', at);
      if (end < 0 || rest.slice(at + 2, end).trim() !== 'tmp') this.fail(`only \${tmp} can stand in a path ("${text}")`);
      if (at > 0) parts.push({ lit: rest.slice(0, at) });
      parts.push({ tmp: true });
      this.usesTmp = true;
      rest = rest.slice(end + 1);
    }
    if (rest) parts.push({ lit: rest });
    return parts;
  }

  private address(value: unknown): AddrExpr {
    if (isRef(value)) {
      const [root, field] = value.ref.split('.');
      if (this.sockets.includes(root) && field === 'local') return { kind: 'sockLocal', sock: root };
      const what = this.stored.get(root);
      if (what && (field === undefined || field === 'address' || field === what)) return { kind: 'slot', slot: `${root}_${what}` };
      return this.fail(`{ ref: ${value.ref} } cannot be exported`);
    }
    if (typeof value === 'string') {
      if (value.startsWith('unix:')) return { kind: 'unix', path: this.path(value.slice('unix:'.length)) };
      const v6 = /^\[([^\]]*)\]:(.*)$/.exec(value);
      const colon = value.lastIndexOf(':');
      const [host, portText] = v6 ? [v6[1], v6[2]] : [value.slice(0, colon), value.slice(colon + 1)];
      if (host.includes('${')) this.fail(`a host written as a reference ("${value}") cannot be exported`);
      const family = v6 ? 'AF_INET6' : 'AF_INET';
      if (/^\d+$/.test(portText)) parseAddress(value);
      return { kind: 'inet', family, host, port: this.port(portText) };
    }
    if (typeof value === 'object' && value !== null && 'family' in value) {
      const o = value as { family: string; address?: string; port?: unknown; path?: string };
      if (o.family === 'AF_UNIX') return { kind: 'unix', path: this.path(o.path ?? '') };
      const portText = isRef(o.port) ? `\${${o.port.ref}}` : String(o.port);
      const port = o.port === undefined ? { kind: 'lit' as const, value: 0 } : this.port(portText);
      return { kind: 'inet', family: o.family === 'AF_INET6' ? 'AF_INET6' : 'AF_INET', host: o.address ?? '', port };
    }
    return this.fail(`the address ${JSON.stringify(value)} cannot be exported`);
  }

  private optionValue(value: unknown): SockOptValue {
    if (typeof value === 'boolean') return { kind: 'int', value: value ? 1 : 0 };
    if (typeof value === 'number') return { kind: 'int', value };
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return { kind: 'int', value: Number(value) };
    if (typeof value === 'object' && value !== null && 'onoff' in value) {
      const v = value as { onoff: boolean; linger?: number };
      return { kind: 'linger', onoff: v.onoff, linger: v.linger ?? 0 };
    }
    if (typeof value === 'object' && value !== null && 'multiaddr' in value) {
      const v = value as { multiaddr: string; interface?: string };
      return { kind: 'mreq', multiaddr: v.multiaddr, iface: v.interface ?? '0.0.0.0' };
    }
    return this.fail(`the option value ${JSON.stringify(value)} cannot be exported`);
  }
}
