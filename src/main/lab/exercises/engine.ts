/**
 * The check engine: a pure function from an exercise and an evidence snapshot to one result per
 * check. Grading calls it once after a scenario; the app calls it again whenever calls or
 * packets arrive, so it never touches the lab itself.
 */
import type { BiText, CallMatch, Check, CheckEvidence, CheckResult, Exercise } from '@shared/exercise';
import type { CallRecord, SockAddr } from '@shared/socket';
import type { TcpInfoFields, TcpInfoMatch, TcpInfoSample } from '@shared/tcpinfo';
import { compileFilter } from '../filter';
import { matchNumber, matchesPartially, unmetTcpInfo } from '../scenario/expect';
import { StepError, formatAddress, resolveTemplate, resolveValue, type Lookup } from '../scenario/values';
import { callsOf, type Evidence, type EvidencePacket, type EvidenceSocket } from './evidence';
import { formatLabText, labText, type LabText } from '@shared/lab-text';

/** A check that cannot be evaluated (a role nobody plays, a bad filter): it fails with this sentence. */
class CheckProblem extends Error {}

interface Verdict {
  passed: boolean;
  detail: string;
  /** `detail` as a lab text where it is one sentence of the catalogue (see lab-text.ts). */
  detailText?: LabText;
  evidence: CheckEvidence;
  /**
   * The check could not be decided (a role no socket plays yet): it fails, and so does `not`
   * of it, or an exercise would pass "no SYN-ACK after accept() on server" before any server.
   */
  undecided?: boolean;
}

const NO_TEXT: BiText = { en: '', zh: '' };

/** Whether any check (nested ones too) asks for TCP_INFO, so evidence must include it. */
export function checksUseTcpInfo(checks: readonly Check[]): boolean {
  return checks.some((check) => {
    if ('tcpInfo' in check && check.tcpInfo) return true;
    if ('all' in check) return checksUseTcpInfo(check.all);
    if ('any' in check) return checksUseTcpInfo(check.any);
    if ('not' in check) return checksUseTcpInfo([check.not]);
    return false;
  });
}

/** Evaluates every top-level check of `exercise` on `evidence`. Never throws for bad evidence. */
export function evaluateChecks(exercise: Pick<Exercise, 'checks' | 'roles'>, evidence: Evidence): CheckResult[] {
  const scope = new Scope(exercise, evidence);
  return exercise.checks.map((check, index) => {
    const verdict = scope.evaluate(check);
    return { id: check.id ?? `check-${index + 1}`, title: check.title ?? NO_TEXT, explain: check.explain ?? NO_TEXT, ...verdict };
  });
}

/** "recv() on conn" / "shutdown(SHUT_WR) on client": how details name a call pattern. */
export function describeCallMatch(match: CallMatch): string {
  const args = match.args ? Object.values(match.args).map(describeArg).filter(Boolean).join(', ') : '';
  const outcome = match.errno
    ? ` failing with ${match.errno}`
    : match.ret !== undefined
      ? ` returning ${match.ret}`
      : match.ok === false
        ? ' failing'
        : '';
  return `${match.call}(${args})${match.role ? ` on ${match.role}` : ''}${outcome}`;
}

/** An argument as a student writes it: SHUT_WR, 4096, 127.0.0.1:${first.port}, { onoff: true, linger: 0 }. */
function describeArg(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return '';
  const object = value as Record<string, unknown>;
  if ('address' in object || 'port' in object) return `${String(object.address ?? '*')}:${String(object.port ?? '*')}`;
  if ('path' in object) return `unix:${String(object.path)}`;
  return `{ ${Object.entries(object)
    .map(([key, field]) => `${key}: ${describeArg(field)}`)
    .join(', ')} }`;
}

function callLine(call: CallRecord): string {
  const result = call.ret === null ? 'still blocked' : call.errno ? `-1 ${call.errno}` : String(call.ret);
  return `#${call.id} ${call.call}(fd ${call.fd ?? '-'}) → ${result}`;
}

const evidenceOfCalls = (calls: CallRecord[]): CheckEvidence => ({
  calls: calls.map(({ id, fd, socketId, newSocketId, call, ret, errno }) => ({
    id,
    fd,
    socketId: call === 'socket' ? newSocketId : socketId,
    call,
    ret,
    errno,
  })),
  packets: [],
});
const evidenceOfPackets = (packets: EvidencePacket[]): CheckEvidence => ({
  calls: [],
  packets: packets.map(({ row }) => ({ no: row.no, info: `${row.src} → ${row.dst} ${row.protocol} ${row.info}` })),
});

class Scope {
  constructor(
    private readonly exercise: Pick<Exercise, 'roles'>,
    private readonly evidence: Evidence,
  ) {}

  evaluate(check: Check): Verdict {
    try {
      if ('call' in check) return this.callCheck(check, check.after, check.count, check.before);
      if ('socket' in check) return this.socketCheck(check);
      if ('packets' in check) return this.packetCheck(check.packets, check.count, check.after);
      if ('sequence' in check) return this.sequenceCheck(check.sequence);
      if ('all' in check)
        return this.combine(
          check.all.map((c) => this.evaluate(c)),
          'all',
        );
      if ('any' in check)
        return this.combine(
          check.any.map((c) => this.evaluate(c)),
          'any',
        );
      const inner = this.evaluate(check.not);
      if (inner.undecided) return inner;
      return {
        passed: !inner.passed,
        detail: `${inner.passed ? 'it should not hold, but ' : 'as required, not: '}${inner.detail}`,
        evidence: inner.evidence,
      };
    } catch (error) {
      if (error instanceof CheckProblem || error instanceof StepError)
        return { passed: false, detail: error.message, evidence: { calls: [], packets: [] }, undecided: true };
      throw error;
    }
  }

  private combine(verdicts: Verdict[], mode: 'all' | 'any'): Verdict {
    const passed = mode === 'all' ? verdicts.every((v) => v.passed) : verdicts.some((v) => v.passed);
    const relevant = verdicts.filter((v) => v.passed === passed);
    // all: false for sure once one part surely fails; any: only when every part surely fails.
    const undecided = !passed && (mode === 'all' ? relevant.every((v) => v.undecided) : relevant.some((v) => v.undecided));
    return {
      passed,
      undecided,
      detail: [...new Set(relevant.map((v) => v.detail))].join('; '),
      // One part's sentence keeps its key; joined sentences stay English for now.
      ...(relevant.length === 1 && relevant[0].detailText ? { detailText: relevant[0].detailText } : {}),
      evidence: {
        calls: uniqueBy(
          relevant.flatMap((v) => v.evidence.calls),
          (c) => c.id,
        ),
        packets: uniqueBy(
          relevant.flatMap((v) => v.evidence.packets),
          (p) => p.no,
        ),
      },
    };
  }

  /** The socket playing `role`, or a problem saying how to name it. */
  private socketOf(role: string): EvidenceSocket {
    if (!Object.hasOwn(this.exercise.roles, role))
      throw new CheckProblem(`the exercise has no role "${role}" (an error in the exercise file)`);
    const socketId = this.evidence.roles[role];
    const socket = socketId === null || socketId === undefined ? undefined : this.evidence.sockets.find((s) => s.socketId === socketId);
    if (!socket) throw new CheckProblem(`no socket plays the role "${role}": name it with "as: ${role}" on its socket or accept step`);
    return socket;
  }

  private matchingCalls(match: CallMatch): CallRecord[] {
    const calls = match.role ? callsOf(this.evidence.calls, this.socketOf(match.role)) : this.evidence.calls;
    const args = match.args ? resolveArgs(match.args, this.lookup) : undefined;
    return calls.filter((call) => {
      if (call.call !== match.call) return false;
      if (match.ok !== undefined && (call.ret !== null && call.ret >= 0) !== match.ok) return false;
      if (match.errno !== undefined && call.errno !== match.errno) return false;
      if (match.ret !== undefined && matchNumber(call.ret, match.ret, this.lookup, 'ret') !== null) return false;
      return args === undefined || matchesPartially(call.args, args);
    });
  }

  /** The first call matching `after`, which later evidence must follow. */
  private anchor(after: CallMatch): CallRecord {
    const found = this.matchingCalls(after)[0];
    if (!found) throw new CheckProblem(`no ${describeCallMatch(after)} was made, and this check is about what happens after it`);
    return found;
  }

  private callCheck(match: CallMatch, after: CallMatch | undefined, count: string | number | undefined, before?: CallMatch): Verdict {
    const anchor = after ? this.anchor(after) : null;
    const anchorEnd = anchor ? (anchor.endMonoUs ?? anchor.startMonoUs) : 0;
    // "before X" when X never happened: every call is before it.
    const limit = before ? this.matchingCalls(before)[0] : undefined;
    const found = this.matchingCalls(match).filter(
      (call) =>
        (!anchor || (call.id !== anchor.id && (call.endMonoUs ?? Infinity) >= anchorEnd)) &&
        (!limit || (call.id !== limit.id && call.endMonoUs !== null && call.endMonoUs <= limit.startMonoUs)),
    );
    const wanted = count ?? '>=1';
    const countProblem = matchNumber(found.length, wanted, this.lookup, 'count');
    const what = `${describeCallMatch(match)}${after ? ` after ${describeCallMatch(after)} (#${anchor?.id})` : ''}${before ? ` before ${describeCallMatch(before)}${limit ? ` (#${limit.id})` : ''}` : ''}`;
    if (countProblem === null) {
      return {
        passed: true,
        detail: `${what}: ${found.map(callLine).join(', ') || 'none, as required'}`,
        evidence: evidenceOfCalls(found),
      };
    }
    const sameName = (match.role ? callsOf(this.evidence.calls, this.socketOf(match.role)) : this.evidence.calls).filter(
      (c) => c.call === match.call,
    );
    const seen =
      sameName.length > 0
        ? `; the ${match.call}() calls made: ${sameName.slice(0, 6).map(callLine).join(', ')}`
        : `; no ${match.call}() call was made${match.role ? ` on ${match.role}` : ''}`;
    return {
      passed: false,
      detail: `expected ${wanted === '>=1' ? 'a' : `${countProblem.replace(/^count /, '')} of`} ${what}${seen}`,
      evidence: evidenceOfCalls(found.length ? found : sameName),
    };
  }

  private socketCheck(check: Extract<Check, { socket: string }>): Verdict {
    const socket = this.socketOf(check.socket);
    const problems: string[] = [];
    const facts: string[] = [];
    const info = socket.info;
    if (check.reached) {
      if (socket.statesSeen.includes(check.reached)) facts.push(`${check.socket} was ${check.reached}`);
      else problems.push(`${check.socket} never reached ${check.reached} (its states: ${socket.statesSeen.join(' → ')})`);
    }
    if (check.peerIs) {
      const other = this.socketOf(check.peerIs);
      const peer = info?.peer ?? null;
      const local = other.info?.local ?? null;
      if (peer && local && sameAddress(peer, local)) facts.push(`${check.socket}'s peer ${formatAddress(peer)} is ${check.peerIs}`);
      else
        problems.push(
          `${check.socket}'s peer is ${peer ? formatAddress(peer) : 'unknown'}, but ${check.peerIs} is at ${local ? formatAddress(local) : 'an unknown address'}`,
        );
    }
    if (check.acceptedFrom) {
      const listener = this.socketOf(check.acceptedFrom);
      if (socket.acceptedFrom === listener.socketId) facts.push(`${check.socket} came from accept() on ${check.acceptedFrom}`);
      else problems.push(`${check.socket} was not returned by accept() on ${check.acceptedFrom}`);
    }
    const flags = [
      ['pendingError', check.pendingError],
      ['shutWr', check.shutWr],
      ['peerClosed', check.peerClosed],
    ] as const;
    for (const [field, wanted] of flags) {
      if (wanted === undefined) continue;
      const actual = info ? info[field] : undefined;
      if (actual === wanted) facts.push(`${field} is ${String(wanted)}`);
      else
        problems.push(
          `${check.socket}'s ${field} should be ${String(wanted)}, but it is ${actual === undefined ? 'unknown (the lab never showed this socket)' : String(actual)}`,
        );
    }
    if (check.tcpInfo) {
      const verdict = this.tcpInfoVerdict(check.socket, socket, check.tcpInfo);
      (verdict.ok ? facts : problems).push(verdict.text);
    }
    const calls = this.evidence.calls.filter((c) => c.id === socket.createdBy);
    return { passed: problems.length === 0, detail: (problems.length ? problems : facts).join('; '), evidence: evidenceOfCalls(calls) };
  }

  /** Whether one TCP_INFO sample met every condition at once; says which, or what the last one showed. */
  private tcpInfoVerdict(role: string, socket: EvidenceSocket, wanted: TcpInfoMatch): { ok: boolean; text: string } {
    const fields = Object.keys(wanted) as Array<keyof TcpInfoFields>;
    const unmet = (sample: TcpInfoSample) => unmetTcpInfo(sample, wanted, this.lookup);
    const shown = (sample: TcpInfoSample) => fields.map((field) => `${field}=${String(sample[field])}`).join(', ');
    const hit = socket.tcpInfo.find((sample) => unmet(sample).length === 0);
    if (hit) return { ok: true, text: `the kernel's view of ${role} (TCP_INFO) had ${shown(hit)}` };
    const last = socket.tcpInfo.at(-1);
    if (!last)
      return {
        ok: false,
        text: `the kernel's view of ${role} (TCP_INFO) was never sampled: is it a TCP socket, still open since the exercise began?`,
      };
    return {
      ok: false,
      text: `no TCP_INFO sample of ${role} (${socket.tcpInfo.length} taken) had all of that; the last: ${unmet(last).join(', ')}`,
    };
  }

  private filter(text: string): (packet: EvidencePacket) => boolean {
    const expression = String(resolveTemplate(text, this.lookup));
    const compiled = compileFilter(expression);
    if (!compiled.ok) throw new CheckProblem(`the display filter "${expression}" is not valid at ${compiled.position}: ${compiled.error}`);
    return (packet) => compiled.test((name) => packet.fields[name]);
  }

  private noPackets(): string {
    const why = this.noCapture();
    return why ? formatLabText(why) : '';
  }

  /** Why no packets could be captured, as a lab text; '' when capture worked. */
  private noCapture(): LabText | '' {
    return this.evidence.captureProblem ? labText('check.noCapture', { problem: this.evidence.captureProblem }) : '';
  }

  private packetCheck(filterText: string, count: string | number | undefined, after: CallMatch | undefined): Verdict {
    const test = this.filter(filterText);
    const since = after ? this.anchor(after).startMonoUs : -Infinity;
    const found = this.evidence.packets.filter((packet) => packet.row.monoUs >= since && test(packet));
    const wanted = count ?? '>=1';
    const problem = matchNumber(found.length, wanted, this.lookup, 'count');
    const expression = String(resolveTemplate(filterText, this.lookup));
    const where = `packets matching "${expression}"${after ? ` after ${describeCallMatch(after)}` : ''}`;
    if (problem === null) {
      const text = labText('check.packetsFound', {
        count: found.length,
        filter: expression,
        after: after ? labText('check.afterCall', { call: describeCallMatch(after) }) : '',
        frames: found.map((p) => p.row.no).join(', ') || labText('check.none', {}),
      });
      return { passed: true, detail: formatLabText(text), detailText: text, evidence: evidenceOfPackets(found.slice(0, 20)) };
    }
    return {
      passed: false,
      detail: `${where}: ${problem.replace(/^count/, 'the number')}${this.noPackets()}`,
      evidence: evidenceOfPackets(found.slice(0, 20)),
    };
  }

  private sequenceCheck(filters: string[]): Verdict {
    const tests = filters.map((text) => this.filter(text));
    const matched: EvidencePacket[] = [];
    let from = 0;
    for (const [index, test] of tests.entries()) {
      const at = this.evidence.packets.findIndex((packet, i) => i >= from && test(packet));
      if (at < 0) {
        const expression = String(resolveTemplate(filters[index], this.lookup));
        const last = matched.at(-1);
        const text = labText('check.noPacketMatching', {
          filter: expression,
          before: last ? labText('check.afterFrame', { frame: last.row.no }) : '',
          capture: this.noCapture(),
        });
        return { passed: false, detail: formatLabText(text), detailText: text, evidence: evidenceOfPackets(matched) };
      }
      matched.push(this.evidence.packets[at]);
      from = at + 1;
    }
    const text = labText('check.inOrder', { frames: matched.map((p) => p.row.no).join(', ') });
    return { passed: true, detail: formatLabText(text), detailText: text, evidence: evidenceOfPackets(matched) };
  }

  /** `${server.port}`, `${client.address}`, `${conn.fd}`, `${client.peerPort}` in filters and matches. */
  private readonly lookup: Lookup = (root, rest) => {
    const socket = this.socketOf(root);
    const local = socket.info?.local ?? null;
    const peer = socket.info?.peer ?? null;
    const view: Record<string, unknown> = {
      fd: socket.fd,
      port: local && local.family !== 'AF_UNIX' ? local.port : undefined,
      address: local ? (local.family === 'AF_UNIX' ? local.path : local.address) : undefined,
      peerPort: peer && peer.family !== 'AF_UNIX' ? peer.port : undefined,
      peerAddress: peer ? (peer.family === 'AF_UNIX' ? peer.path : peer.address) : undefined,
    };
    const value = rest.length === 1 ? view[rest[0]] : undefined;
    if (value === undefined)
      throw new CheckProblem(
        `\${${[root, ...rest].join('.')}} is not known: the lab never showed ${root}'s ${rest.join('.') || 'value'} (fields: fd, port, address, peerPort, peerAddress)`,
      );
    return value;
  };
}

/** Template fields in args that resolved to digit strings become numbers, as the call log records them. */
function resolveArgs(args: Record<string, unknown>, lookup: Lookup): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => {
      const resolved =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? resolveArgs(value as Record<string, unknown>, lookup)
          : resolveValue(value, lookup);
      return [key, typeof resolved === 'string' && /^\d+$/.test(resolved) && key === 'port' ? Number(resolved) : resolved];
    }),
  );
}

function sameAddress(a: SockAddr, b: SockAddr): boolean {
  return formatAddress(a) === formatAddress(b);
}

function uniqueBy<T>(items: T[], key: (item: T) => number): T[] {
  const seen = new Set<number>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined);
}
