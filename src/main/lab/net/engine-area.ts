/**
 * The `net.*` routes inside the engine process's lab: creates the lab network (hosts and
 * wire), changes the link, runs step mode, and pushes `net.changed` (counters a few times a
 * second), `net.frame.held` and `net.frame.released`. It also gives the socket and capture
 * areas the hosts' namespaces and the link's taps (LabContext.net).
 */
import { ERRNO, type ErrnoName } from '@shared/errno';
import type { EventName, EventPayload } from '@shared/events';
import { DEFAULT_HOSTS, LINK_IFACE_PREFIX, offNetInfo, type NetInfo } from '@shared/net';
import type { SocketView } from '../areas';
import type { Handlers, LabContext } from '../context';
import { summarize } from '../dissect';
import { LINKTYPE } from '../dissect/types';
import { createPacketTies } from '../flows/ties';
import { LabNetwork } from './network';

export type NetRouteName = 'net.create' | 'net.destroy' | 'net.info' | 'net.link.set' | 'net.step.mode' | 'net.step.list' | 'net.step.act';

/** How often changed link counters are pushed. */
const COUNTERS_MS = 250;

type Subscribe = <E extends EventName>(name: E, handler: (payload: EventPayload<E>) => void) => () => void;

function failure(errno: ErrnoName, message: string) {
  return { ok: false as const, errno, code: ERRNO[errno].code, message };
}

/** The engine's net area; `on` subscribes to the engine lab's own events (to tie frames to calls). */
export function createEngineNetArea(ctx: LabContext, sockets: SocketView, on: Subscribe) {
  let network: LabNetwork | null = null;
  let countersTimer: NodeJS.Timeout | null = null;
  let lastCounters = '';
  const ties = createPacketTies();
  let socketsDirty = true;
  on('socket.changed', () => (socketsDirty = true));
  on('socket.removed', () => (socketsDirty = true));
  on('call.logged', (record) => ties.noteCall(record));

  function info(): NetInfo {
    if (!network) return offNetInfo({ enginePid: process.pid });
    return offNetInfo({ enginePid: process.pid, state: 'up', ...network.info() });
  }

  function changed(): NetInfo {
    const now = info();
    lastCounters = JSON.stringify(now.counters);
    ctx.emit('net.changed', now);
    return now;
  }

  ctx.net = {
    nsOf: (host) => (host === null ? null : (network?.nsOf(host) ?? undefined)),
    linkInterfaces: () => (network ? [...network.hosts.keys()].map((name) => `${LINK_IFACE_PREFIX}${name}`) : []),
    hostDevice(iface) {
      const match = /^([A-Z][A-Za-z0-9]{0,7}):(eth0|lo)$/.exec(iface);
      const netns = match ? network?.nsOf(match[1]) : null;
      return match && netns !== null && netns !== undefined ? { netns, device: match[2] } : null;
    },
    hostInterfaces: () => (network ? [...network.hosts.keys()].flatMap((name) => [`${name}:eth0`, `${name}:lo`]) : []),
    tapLink(iface, onFrame) {
      const host = iface.startsWith(LINK_IFACE_PREFIX) ? iface.slice(LINK_IFACE_PREFIX.length) : null;
      if (!network || host === null || !network.hosts.has(host)) return null;
      return network.addTap((end, monoUs, data) => {
        if (end === host) onFrame(monoUs, data);
      });
    },
  };

  function close(): void {
    if (countersTimer) clearInterval(countersTimer);
    countersTimer = null;
    network?.close();
    network = null;
  }

  const handlers: Handlers<NetRouteName> = {
    'net.create': (input) => {
      if (network) return failure('EISCONN', 'net.create: this lab already has a lab network; destroy it first (net.destroy).');
      const hosts = input.hosts ?? DEFAULT_HOSTS;
      const names = new Set(hosts.map((h) => h.name));
      if (names.size !== hosts.length) return failure('EINVAL', 'net.create: two hosts have the same name.');
      try {
        network = new LabNetwork(
          { hosts, link: input.link, rules: input.rules, step: input.step },
          {
            tie: (frame) => {
              if (socketsDirty) {
                ties.updateSockets(sockets.sockets());
                socketsDirty = false;
              }
              const tie = ties.tie({ monoUs: frame.enteredUs, flow: summarize(frame.data, LINKTYPE.ETHERNET).flow });
              return { fd: tie.fds[0] ?? null, callId: tie.callId };
            },
            held: (frame) => ctx.emit('net.frame.held', frame),
            released: (id, action) => ctx.emit('net.frame.released', { id, action }),
          },
        );
      } catch (error) {
        network = null;
        return failure('EINVAL', `net.create: ${error instanceof Error ? error.message : String(error)}`);
      }
      countersTimer = setInterval(() => {
        network?.countOverruns();
        if (network && JSON.stringify(network.link.counters) !== lastCounters) changed();
      }, COUNTERS_MS);
      return { ok: true as const, value: changed() };
    },
    'net.destroy': () => {
      const destroyed = network !== null;
      close();
      if (destroyed) changed();
      return { ok: true as const, value: { destroyed } };
    },
    'net.info': () => ({ ok: true as const, value: info() }),
    'net.link.set': (input) => {
      if (!network) return failure('ENETDOWN', 'net.link.set: there is no lab network; create one first (net.create).');
      try {
        network.configure(input.link, input.rules);
      } catch (error) {
        return failure('EINVAL', `net.link.set: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { ok: true as const, value: changed() };
    },
    'net.step.mode': (input) => {
      if (!network) return failure('ENETDOWN', 'net.step.mode: there is no lab network; create one first (net.create).');
      network.setStep(input.on);
      return { ok: true as const, value: changed() };
    },
    'net.step.list': () => ({ ok: true as const, value: network?.heldFrames() ?? [] }),
    'net.step.act': (input) => {
      if (!network) return failure('ENETDOWN', 'net.step.act: there is no lab network; create one first (net.create).');
      const acted = network.act(input.id, input.action, input.delayMs);
      if (acted === 0 && input.id !== null) return failure('EINVAL', `net.step.act: no frame ${input.id} is waiting on the link.`);
      changed();
      return { ok: true as const, value: { acted } };
    },
  };

  return { handlers, close };
}
