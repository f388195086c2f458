/**
 * What every area of the lab shares: the event sink, the clock, and the handler shape that
 * the facade dispatches to. Plain Node; never imports electron.
 */
import type { EventName, EventPayload } from '@shared/events';
import type { ParsedInput, RouteName, RouteOutput } from '@shared/routes';
import type { CaptureLauncher } from './capture/launcher';

/** Handlers for a set of routes: each takes the already-validated input. */
export type Handlers<K extends RouteName> = {
  [N in K]: (input: ParsedInput<N>) => Promise<RouteOutput<N>> | RouteOutput<N>;
};

export interface LabOptions {
  /** Most sockets open at once before socket() answers EMFILE (C's default ulimit). */
  maxSockets?: number;
  /** Bytes of transcript kept per socket; older entries are dropped, counters stay exact. */
  transcriptTailBytes?: number;
  /** Call-log records kept; older ones are dropped. */
  callLogLimit?: number;
  /** How the lab is being run, as reported by lab.info. */
  mode?: 'electron' | 'web' | 'headless';
  /**
   * How to start the capture process: a forked Node process (default), none (no capture), or a
   * launcher the host passes in (Electron's main uses `utilityProcess.fork`).
   */
  captureLauncher?: 'fork' | 'none' | CaptureLauncher;
  /**
   * 'machine' (default): the lab of this machine, which relays lab-network routes to the
   * engine process. 'engine': the lab inside that process, owning the network's hosts.
   */
  role?: 'machine' | 'engine';
  /**
   * How to start the lab-network engine process (machine role): `unshare -Urn` + Node by
   * default; tests may pass 'none' to switch lab networks off.
   */
  engineLauncher?: 'unshare' | 'none';
}

/** What the socket and capture areas may ask of a lab network (the engine's lab only). */
export interface NetHooks {
  /** A host's namespace descriptor; null for this machine; undefined when there is no such host. */
  nsOf(host: string | null): number | null | undefined;
  /** Capture interfaces of the link ("link:A", ...), empty without a network. */
  linkInterfaces(): string[];
  /** Feeds frames seen at that end of the link to `onFrame`; null when no such interface. */
  tapLink(iface: string, onFrame: (monoUs: number, data: Buffer) => void): (() => void) | null;
  /** A host's own device ("A:eth0", "A:lo"): its namespace and device name; null otherwise. */
  hostDevice(iface: string): { netns: number; device: string } | null;
  /** Capture interfaces of the hosts' own devices, empty without a network. */
  hostInterfaces(): string[];
}

/** The hooks of a lab without a lab network: only this machine. */
export const NO_NET: NetHooks = {
  nsOf: (host) => (host === null ? null : undefined),
  linkInterfaces: () => [],
  tapLink: () => null,
  hostDevice: () => null,
  hostInterfaces: () => [],
};

export interface LabContext {
  readonly options: Required<LabOptions>;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  /**
   * TCP state per descriptor as inferred from captured packets: written by the capture area,
   * read by the socket area into every socket snapshot (SocketInfo.tcpState).
   */
  readonly tcpStates: Map<number, string>;
  /**
   * TCP ports of the lab's own transport (web mode's server). Every capture leaves them out,
   * or capturing on `lo` would capture the UI's own WebSocket, whose events make more packets.
   */
  readonly ownPorts: Set<number>;
  /** The lab network's hosts and link, where this lab owns one (the engine); else NO_NET. */
  net: NetHooks;
}

export const DEFAULT_OPTIONS: Required<LabOptions> = {
  maxSockets: 1024,
  transcriptTailBytes: 1024 * 1024,
  callLogLimit: 10_000,
  mode: 'headless',
  captureLauncher: 'fork',
  role: 'machine',
  engineLauncher: 'unshare',
};

/** Microseconds on CLOCK_MONOTONIC: the clock the capture process stamps packets with. */
export function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Microseconds since the Unix epoch. */
export function wallUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
