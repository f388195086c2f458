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
   * The lab directory for AF_UNIX socket paths: relative names resolve here. Empty: the lab
   * makes a private one under the system's temporary directory. See docs/security.md.
   */
  unixSocketDir?: string;
  /**
   * Directories outside the lab directory where AF_UNIX paths are allowed too ('*': any path).
   * SOCKLAB_UNIX_ALLOW adds more. By default none: everything else is refused with EACCES.
   */
  unixAllowedDirs?: string[];
  /**
   * Checks every answer and every event payload against its schema in the shared contract; a
   * violation is logged and answered as an internal error (events: thrown). On by default
   * except when NODE_ENV is "production": tests and development catch drift, users pay nothing.
   */
  checkContract?: boolean;
}

export interface LabContext {
  readonly options: Required<LabOptions>;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  /**
   * TCP state per socket (by SocketInfo.socketId) as inferred from captured packets: written by
   * the capture area, read by the socket area into every socket snapshot (SocketInfo.tcpState).
   */
  readonly tcpStates: Map<number, string>;
  /**
   * TCP ports of the lab's own transport (web mode's server). Every capture leaves them out,
   * or capturing on `lo` would capture the UI's own WebSocket, whose events make more packets.
   */
  readonly ownPorts: Set<number>;
}

export const DEFAULT_OPTIONS: Required<LabOptions> = {
  maxSockets: 1024,
  transcriptTailBytes: 1024 * 1024,
  callLogLimit: 10_000,
  mode: 'headless',
  captureLauncher: 'fork',
  unixSocketDir: '',
  unixAllowedDirs: [],
  checkContract: process.env.NODE_ENV !== 'production',
};

/** Microseconds on CLOCK_MONOTONIC: the clock the capture process stamps packets with. */
export function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Microseconds since the Unix epoch. */
export function wallUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
