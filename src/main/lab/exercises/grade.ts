/**
 * Grading: plays a student's scenario against an exercise on a lab, with a capture on `lo`
 * running meanwhile, and evaluates the exercise's checks on what happened. Roles are bound by
 * the scenario's `as:` names. The lab is not reset or closed: the caller owns it.
 */
import type { LabApi } from '@shared/api';
import type { Check, CheckResult, Exercise, RoleBinding } from '@shared/exercise';
import { runScenario, type Scenario, type ScenarioReport } from '../scenario';
import { collectEvidence, createEvidenceCache, markNow, observeSockets, type EvidenceCache } from './collect';
import { checksUseTcpInfo, evaluateChecks } from './engine';
import { roleBindings } from './evidence';

/** How long to keep capturing after the last step, for the ACKs and FINs still in flight. */
export const SETTLE_MS = 300;

export interface GradeReport {
  exercise: string;
  scenario: string;
  /** Every check passed (and the scenario ran). */
  ok: boolean;
  passed: number;
  total: number;
  /** Role → the socket it was bound to, null when the scenario names no such socket. */
  roles: Record<string, RoleBinding | null>;
  results: CheckResult[];
  /** Why the scenario did not run (missing privileges), else null. */
  skipped: string | null;
  captureProblem: string | null;
  /** The scenario's own step results (its expectations are reported, not graded). */
  steps: ScenarioReport['steps'];
}

/** Whether any check looks at packets (then grading captures). */
export function needsCapture(checks: readonly Check[]): boolean {
  return checks.some(
    (c) =>
      'packets' in c ||
      'sequence' in c ||
      ('all' in c && needsCapture(c.all)) ||
      ('any' in c && needsCapture(c.any)) ||
      ('not' in c && needsCapture([c.not])),
  );
}

/**
 * A lab that remembers each socket's state as the runner works: before every close() and after
 * every BSD call, and whenever the runner itself asks for the sockets.
 */
function observing(lab: LabApi, cache: EvidenceCache): LabApi {
  return {
    on: (name, handler) => lab.on(name, handler),
    async invoke(name, input) {
      if (name === 'socket.close') await observeSockets(lab, cache);
      const answer = await lab.invoke(name, input);
      if (name.startsWith('socket.') || name === 'lab.sockets') await observeSockets(lab, cache);
      return answer;
    },
  };
}

/** Role → socket id, from the scenario steps that name sockets with `as:`. */
function rolesFromScenario(exercise: Exercise, scenario: Scenario, report: ScenarioReport): Record<string, number | null> {
  const roles: Record<string, number | null> = Object.fromEntries(Object.keys(exercise.roles).map((role) => [role, null]));
  for (const record of report.steps) {
    const step = scenario.steps[record.step - 1];
    if (!step || !('call' in step) || (step.call !== 'socket' && step.call !== 'accept') || !step.as) continue;
    const socketId = record.result.socketId;
    if (step.as in roles && record.ok && typeof socketId === 'number') roles[step.as] = socketId;
  }
  return roles;
}

/** Runs `scenario` on `lab` and grades it against `exercise`. */
export async function gradeScenario(lab: LabApi, exercise: Exercise, scenario: Scenario): Promise<GradeReport> {
  const cache = createEvidenceCache();
  // What the lab did before this scenario (the caller's lab may be in use) is not graded.
  const mark = await markNow(lab);
  const capturing = needsCapture(exercise.checks);
  let captureProblem: string | null = null;
  if (capturing) {
    const started = await lab.invoke('capture.start', { iface: 'lo', filter: exercise.capture });
    if (!started.ok) captureProblem = started.message;
    else if (started.value.error) captureProblem = started.value.error;
  }
  const report = await runScenario(observing(lab, cache), scenario);
  if (capturing && captureProblem === null) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await lab.invoke('capture.stop', {});
  }
  const evidence = await collectEvidence(lab, cache, mark, checksUseTcpInfo(exercise.checks));
  evidence.roles = rolesFromScenario(exercise, scenario, report);
  if (!capturing) evidence.packets = [];
  else if (evidence.packets.length === 0 && !evidence.captureProblem && !captureProblem) {
    // Say so: an empty capture makes every packet check fail for a reason the student cannot fix.
    captureProblem = `the capture on lo (filter "${exercise.capture}") saw no packets at all`;
  }
  evidence.captureProblem = captureProblem ?? evidence.captureProblem;
  const results = report.skipped ? [] : evaluateChecks(exercise, evidence);
  const passed = results.filter((r) => r.passed).length;
  return {
    exercise: exercise.id,
    scenario: scenario.name,
    ok: !report.skipped && passed === results.length,
    passed,
    total: exercise.checks.length,
    roles: roleBindings(evidence),
    results,
    skipped: report.skipped,
    captureProblem: evidence.captureProblem,
    steps: report.steps,
  };
}
