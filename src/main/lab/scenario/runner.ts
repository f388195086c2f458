/**
 * `runScenario()`: plays a validated scenario against a lab, step by step, through
 * `lab.invoke` only, and returns one record per step with pass/fail. The CLI, the tests and
 * grading all call this; none of them re-implements a step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabApi } from '@shared/api';
import type { SocketInfo } from '@shared/socket';
import { checkExpectations, matchNumber, unmetTcpInfo, type Outcome } from './expect';
import { invokeBounded, outcomeView, prepareCall, summariseFields, toOutcome, type PreparedCall, type Settled } from './calls';
import type { TcpInfoFields } from '@shared/tcpinfo';
import type { CallStep, CancelStep, Scenario, Step, StepKind, WaitField, WaitStep } from './schema';
import { StepError, formatAddress, resolveNumber, type Lookup } from './values';

/** What happened at one step: printed as one JSON line by the CLI. */
export interface StepRecord {
  /** 1-based position in the file. */
  step: number;
  id: string | null;
  kind: StepKind;
  call: string | null;
  sock: string | null;
  fd: number | null;
  note: string | null;
  /** The request as sent to the lab (payloads summarised). */
  args: Record<string, unknown>;
  ok: boolean | null;
  ret: number | null;
  errno: string | null;
  message: string | null;
  /** The lab's call-log id of this call (ties it to lab.calls and to captured packets). */
  callId: number | null;
  /** Extra result fields (peer, data summarised, from, address, value, ...). */
  result: Record<string, unknown>;
  background: boolean;
  timedOut: boolean;
  durationUs: number;
  pass: boolean;
  failures: string[];
}

export interface ScenarioReport {
  name: string;
  steps: StepRecord[];
  passed: number;
  failed: number;
  /** Every step passed (and the scenario was not skipped). */
  ok: boolean;
  /** Why the scenario did not run at all (missing privileges), else null. */
  skipped: string | null;
  durationUs: number;
}

export interface RunOptions {
  /** Called with each record as soon as it is known (background calls: when awaited). */
  onStep?: (record: StepRecord) => void;
  /** Runs once the scenario's network exists, before its first step (capture starts here). */
  beforeSteps?: () => Promise<void>;
  /** Runs after the last step, while the scenario's network still exists. */
  afterSteps?: () => Promise<void>;
}

/**
 * A socket a step named with `as:`. Known by its lab-wide identity: once it is closed its
 * descriptor number may go to a new socket, and `${name.…}` must still mean this one.
 */
interface NamedSocket {
  fd: number | null;
  socketId: number | null;
  info: SocketInfo | null;
  /** Still open at the last look (refreshSockets). */
  open: boolean;
}

interface Pending {
  index: number;
  step: CallStep;
  call: PreparedCall;
  settled: Promise<Settled>;
}

/** Plays `scenario` against `lab`. The lab is not reset or closed: that is the caller's choice. */
export async function runScenario(lab: LabApi, scenario: Scenario, options: RunOptions = {}): Promise<ScenarioReport> {
  const started = process.hrtime.bigint();
  const records: StepRecord[] = [];
  const finish = (skipped: string | null): ScenarioReport => {
    const failed = records.filter((r) => !r.pass).length;
    const durationUs = Number((process.hrtime.bigint() - started) / 1000n);
    return {
      name: scenario.name,
      steps: records,
      passed: records.length - failed,
      failed,
      ok: failed === 0 && !skipped,
      skipped,
      durationUs,
    };
  };
  const missing = await missingRequirement(lab, scenario);
  if (missing) return finish(missing);
  if (scenario.network) {
    const created = await lab.invoke('net.create', { ...scenario.network, link: scenario.network.link ?? {} });
    if (!created.ok) return finish(`needs a lab network, which this machine refused: ${created.message}`);
  }

  // Inside the lab's AF_UNIX directory, so that `unix:${tmp}/x.sock` is a path the lab allows.
  const info = await lab.invoke('lab.info', {});
  const tmp = await mkdtemp(join((info.ok && info.value.unixDir) || tmpdir(), 'socklab-scenario-'));
  const run = new Run(lab, scenario, tmp, (record) => {
    records.push(record);
    options.onStep?.(record);
  });
  try {
    await options.beforeSteps?.();
    for (const [index, step] of scenario.steps.entries()) await run.step(index, step);
    await run.drainBackground();
    await options.afterSteps?.();
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (scenario.network) await lab.invoke('net.destroy', {});
  }
  return finish(null);
}

/** Why this lab cannot run the scenario (privileges it requires but lacks), or null. */
async function missingRequirement(lab: LabApi, scenario: Scenario): Promise<string | null> {
  if (scenario.requires.length === 0) return null;
  const info = await lab.invoke('lab.info', {});
  const ability = { capture: 'hostCapture', raw: 'hostRawSockets' } as const;
  const missing = scenario.requires
    .map((need) => info.ok && info.value.privileges.items.find((i) => i.ability === ability[need]))
    .filter((item) => !item || !item.ready);
  if (missing.length === 0) return null;
  const hints = missing.flatMap((item) => (item && item.command ? [item.command] : []));
  return `needs ${scenario.requires.join(' and ')} privileges, which this process lacks${hints.length ? `: ${hints.join('; ')}` : ''}`;
}

/** The state of one run: named sockets, step outcomes, background calls. */
class Run {
  private readonly sockets = new Map<string, NamedSocket>();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly pending = new Map<number, Pending>();
  /** Descriptors open at the last look (refreshSockets). */
  private openFds = new Set<number>();

  constructor(
    private readonly lab: LabApi,
    private readonly scenario: Scenario,
    private readonly tmp: string,
    private readonly emit: (record: StepRecord) => void,
  ) {}

  async step(index: number, step: Step): Promise<void> {
    await this.refreshSockets();
    const record = blankRecord(index, step);
    try {
      if ('call' in step) return await this.call(index, step, record);
      if ('sleep' in step) await new Promise((resolve) => setTimeout(resolve, step.sleep));
      else if ('wait' in step) await this.wait(step, record);
      else if ('cancel' in step) await this.cancel(step, record);
      else if ('link' in step) {
        const set = await this.lab.invoke('net.link.set', { link: step.link, ...(step.rules ? { rules: step.rules } : {}) });
        if (!set.ok) record.failures.push(set.message);
      } else if ('await' in step) return await this.awaitBackground(step.await);
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      record.failures.push(error.message);
    }
    this.emit(finalise(record));
  }

  /** Finishes background calls nobody awaited, so their results are reported too. */
  async drainBackground(): Promise<void> {
    for (const index of [...this.pending.keys()]) await this.settleBackground(index);
  }

  private async call(index: number, step: CallStep, record: StepRecord): Promise<void> {
    let call: PreparedCall;
    try {
      call = prepareCall(step, this.fdOf(step), this.lookup);
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      record.failures.push(error.message);
      return this.emit(finalise(record));
    }
    const settled = invokeBounded(this.lab, call, step.timeoutMs ?? this.scenario.timeoutMs);
    if (step.call !== 'socket' && step.background) {
      this.pending.set(index, { index, step, call, settled });
      return;
    }
    this.report(index, step, call, await settled);
  }

  private async awaitBackground(id: string): Promise<void> {
    const entry = [...this.pending.values()].find((p) => p.step.id === id);
    // Already reported (awaited twice): nothing more to say.
    if (entry) await this.settleBackground(entry.index);
  }

  private async settleBackground(index: number): Promise<void> {
    const entry = this.pending.get(index);
    if (!entry) return;
    this.pending.delete(index);
    this.report(index, entry.step, entry.call, await entry.settled);
  }

  /** Records a finished call: names the socket it created, stores its outcome, checks it. */
  private report(index: number, step: CallStep, call: PreparedCall, settled: Settled): void {
    const outcome = toOutcome(settled);
    const record = blankRecord(index, step);
    Object.assign(record, {
      fd: call.fd,
      args: summariseFields(call.input),
      ok: outcome.ok,
      ret: outcome.ret,
      errno: outcome.errno,
      message: outcome.message,
      callId: typeof settled.result?.callId === 'number' ? settled.result.callId : null,
      result: summariseFields(outcome.extras),
      timedOut: settled.timedOut,
      durationUs: settled.durationUs,
    });
    if ((step.call === 'socket' || step.call === 'accept') && step.as) {
      const socketId = outcome.ok && typeof settled.result?.socketId === 'number' ? settled.result.socketId : null;
      this.sockets.set(step.as, { fd: outcome.ok ? outcome.ret : null, socketId, info: null, open: socketId !== null });
    }
    if (step.id) this.outcomes.set(step.id, outcome);
    if (settled.stuck) record.failures.push('the call did not return even after it was cancelled');
    try {
      record.failures.push(...checkExpectations(outcome, step.expect, this.lookup));
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      record.failures.push(error.message);
    }
    this.emit(finalise(record));
  }

  private async wait(step: WaitStep, record: StepRecord): Promise<void> {
    const fd = this.fdOfName(step.wait);
    const socketId = (this.sockets.get(step.wait) as NamedSocket).socketId;
    const until = step.until ?? {};
    record.fd = fd;
    record.args = step.tcpInfo ? { until, tcpInfo: step.tcpInfo } : { until };
    const deadline = Date.now() + (step.timeoutMs ?? this.scenario.timeoutMs);
    const started = process.hrtime.bigint();
    let unmet: string[] = [];
    for (;;) {
      const info = socketId === null ? undefined : (await this.socketInfos()).get(socketId);
      if (!info) throw new StepError(`socket "${step.wait}" (fd ${fd}) is not open`);
      unmet = Object.entries(until).flatMap(([field, wanted]) => unmetCondition(info, field as WaitField, wanted, this.lookup));
      record.result = Object.fromEntries(Object.keys(until).map((field) => [field, waitValue(info, field as WaitField)]));
      if (step.tcpInfo) {
        const kernel = await this.tcpInfoNow(info.socketId);
        unmet.push(...(typeof kernel === 'string' ? [kernel] : unmetTcpInfo(kernel, step.tcpInfo, this.lookup)));
        // The kernel's view goes into the step's record, so the report shows what was sampled.
        if (typeof kernel !== 'string')
          record.result.tcpInfo = Object.fromEntries(
            Object.keys(step.tcpInfo).map((field) => [field, kernel[field as keyof TcpInfoFields]]),
          );
      }
      if (unmet.length === 0 || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    record.durationUs = Number((process.hrtime.bigint() - started) / 1000n);
    if (unmet.length > 0)
      record.failures.push(`gave up waiting after ${step.timeoutMs ?? this.scenario.timeoutMs} ms: ${unmet.join('; ')}`);
  }

  /** The kernel's view of a socket now, or why there is none (not TCP, connection gone). */
  private async tcpInfoNow(socketId: number): Promise<TcpInfoFields | string> {
    const answer = await this.lab.invoke('socket.tcpInfo', { socketId });
    if (!answer.ok) return `${answer.errno}: ${answer.message}`;
    return answer.value.now ?? 'TCP_INFO: the kernel no longer has this connection';
  }

  private async cancel(step: CancelStep, record: StepRecord): Promise<void> {
    const fd = this.fdOfName(step.cancel);
    record.fd = fd;
    record.args = { fd };
    const answer = await this.lab.invoke('socket.cancel', { fd });
    const outcome: Outcome = answer.ok
      ? { ok: true, ret: 0, errno: null, message: null, extras: { cancelled: answer.value.cancelled }, timedOut: false }
      : { ok: false, ret: -1, errno: answer.errno, message: answer.message, extras: {}, timedOut: false };
    Object.assign(record, { ok: outcome.ok, errno: outcome.errno, message: outcome.message, result: outcome.extras });
    if (step.id) this.outcomes.set(step.id, outcome);
    record.failures.push(...checkExpectations(outcome, step.expect, this.lookup));
  }

  private fdOf(step: CallStep): number | null {
    if (step.call === 'socket') return null;
    if (step.sock) return this.fdOfName(step.sock);
    return step.fd === undefined ? null : this.resolveFd(step.fd);
  }

  private resolveFd(value: unknown): number {
    return resolveNumber(value, this.lookup, 'fd');
  }

  private fdOfName(name: string): number {
    const named = this.sockets.get(name);
    if (!named) throw new StepError(`socket "${name}" does not exist yet (its socket or accept step has not finished: await it first)`);
    if (named.fd === null) throw new StepError(`socket "${name}" does not exist: the step that should have created it failed`);
    // Closed, and its number went to a newer socket: C would act on that one, silently.
    if (!named.open && this.openFds.has(named.fd)) {
      throw new StepError(
        `socket "${name}" was closed and its descriptor ${named.fd} now belongs to another socket; name that one with "as:" to use it`,
      );
    }
    return named.fd;
  }

  /** Open sockets by identity. */
  private async socketInfos(): Promise<Map<number, SocketInfo>> {
    const answer = await this.lab.invoke('lab.sockets', {});
    return new Map(answer.ok ? answer.value.map((info) => [info.socketId, info]) : []);
  }

  /**
   * Keeps each named socket's last known state, so references still resolve after close() (to
   * that socket, never to a newer one on its descriptor number).
   */
  private async refreshSockets(): Promise<void> {
    if (this.sockets.size === 0) return;
    const infos = await this.socketInfos();
    this.openFds = new Set([...infos.values()].map((info) => info.fd));
    for (const named of this.sockets.values()) {
      const info = named.socketId === null ? undefined : infos.get(named.socketId);
      named.open = info !== undefined;
      if (info) named.info = info;
    }
  }

  /** Resolves `${root.path}`: a socket name, a step id, or a built-in name. */
  private readonly lookup: Lookup = (root, rest) => {
    let value: unknown;
    if (root === 'tmp') value = this.tmp;
    else if (this.sockets.has(root)) value = socketView(this.sockets.get(root) as NamedSocket);
    else if (this.outcomes.has(root)) value = outcomeView(this.outcomes.get(root) as Outcome);
    else throw new StepError(`\${${[root, ...rest].join('.')}}: nothing is called "${root}" yet`);
    for (const key of rest) {
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value;
  };
}

/** What `${server.…}` sees: the socket's info plus port/address shorthands for its local address. */
function socketView(named: NamedSocket): Record<string, unknown> {
  const info = named.info;
  const local = info?.local ?? null;
  return {
    ...(info ?? {}),
    fd: named.fd,
    port: local && local.family !== 'AF_UNIX' ? local.port : undefined,
    address: local ? (local.family === 'AF_UNIX' ? local.path : local.address) : undefined,
    path: local?.family === 'AF_UNIX' ? local.path : undefined,
    name: local ? formatAddress(local) : undefined,
    peerName: info?.peer ? formatAddress(info.peer) : undefined,
  };
}

function waitValue(info: SocketInfo, field: WaitField): unknown {
  return field === 'acceptQueue' ? info.acceptQueue.length : info[field];
}

function unmetCondition(info: SocketInfo, field: WaitField, wanted: unknown, lookup: Lookup): string[] {
  const actual = waitValue(info, field);
  if (typeof actual === 'number' && (typeof wanted === 'number' || typeof wanted === 'string')) {
    const failure = matchNumber(actual, wanted, lookup, field);
    return failure ? [failure] : [];
  }
  return actual === wanted ? [] : [`${field} should be ${JSON.stringify(wanted)}, but it is ${JSON.stringify(actual)}`];
}

function blankRecord(index: number, step: Step): StepRecord {
  const kind: StepKind =
    'call' in step
      ? 'call'
      : 'sleep' in step
        ? 'sleep'
        : 'wait' in step
          ? 'wait'
          : 'await' in step
            ? 'await'
            : 'link' in step
              ? 'link'
              : 'cancel';
  const sock =
    'call' in step
      ? step.call === 'socket'
        ? (step.as ?? null)
        : (step.sock ?? null)
      : 'wait' in step
        ? step.wait
        : 'cancel' in step
          ? step.cancel
          : null;
  return {
    step: index + 1,
    id: step.id ?? null,
    kind,
    call: 'call' in step ? step.call : null,
    sock,
    fd: null,
    note: step.note ?? null,
    args: 'sleep' in step ? { ms: step.sleep } : {},
    ok: null,
    ret: null,
    errno: null,
    message: null,
    callId: null,
    result: {},
    background: 'call' in step && step.call !== 'socket' ? step.background === true : false,
    timedOut: false,
    durationUs: 'sleep' in step ? step.sleep * 1000 : 0,
    pass: true,
    failures: [],
  };
}

function finalise(record: StepRecord): StepRecord {
  record.pass = record.failures.length === 0;
  return record;
}

/** "step 3 (recv)": for messages about a record. */
export function recordLabel(record: StepRecord): string {
  const id = record.id ? `, id "${record.id}"` : '';
  return `step ${record.step} (${record.call ?? record.kind}${id})`;
}
