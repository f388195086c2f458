/**
 * The lab-network engine process: the same lab core (`createLab`, role 'engine') inside its
 * own user + network namespace (started through util-linux `unshare -Urn`), where it is root of
 * its namespaces without any privilege on the machine. It creates the hosts and carries the
 * link (net/), makes sockets on hosts, captures on the link, and answers the machine's lab over
 * the process channel. When the machine's lab goes away, so does the engine, and with it every
 * namespace and device of the network. Never imports electron.
 */
import { EVENT_NAMES, type EventEnvelope } from '@shared/events';
import type { RouteInput, RouteName } from '@shared/routes';
import { createLab } from '../index';
import { ENGINE_EVENT_MS, FromEngine, ToEngine } from './protocol';

function post(message: FromEngine): void {
  process.send?.(message);
}

const lab = createLab({ role: 'engine', mode: 'headless' });
let pending: EventEnvelope[] = [];
let flushTimer: NodeJS.Timeout | null = null;

function flush(): void {
  flushTimer = null;
  if (pending.length === 0) return;
  const events = pending;
  pending = [];
  post({ type: 'events', events });
}

for (const name of EVENT_NAMES) {
  lab.on(name, (payload) => {
    pending.push({ name, payload } as EventEnvelope);
    flushTimer ??= setTimeout(flush, ENGINE_EVENT_MS);
  });
}

process.on('message', (raw) => {
  const parsed = ToEngine.safeParse(raw);
  if (!parsed.success) return; // only the machine's lab talks to us; junk is dropped, not fatal
  const { id, name, input } = parsed.data;
  // The lab checks the name and the input against the catalogue itself.
  void lab.invoke(name as RouteName, input as RouteInput<RouteName>).then((output) => {
    flush(); // events a call caused arrive before its answer, as in the machine's lab
    post({ type: 'result', id, output });
  });
});

// The machine's lab went away (closed, crashed): end, and the kernel removes the namespaces.
process.on('disconnect', () => {
  void lab.close().finally(() => process.exit(0));
});
post({ type: 'ready', pid: process.pid });
