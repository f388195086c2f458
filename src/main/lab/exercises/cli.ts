/**
 * `npm run grade -- EXERCISE SCENARIO [--json]`: grades a student's scenario file against an
 * exercise (an id from resources/exercises, or a path) on a fresh lab with real sockets and a
 * capture on lo. Prints a readable report (or one JSON object with --json). Exit code: 0 every
 * check passed, 1 a check failed (or grading was skipped for lack of privileges), 2 the
 * command line, the exercise or the scenario cannot be read.
 */
import { createLab } from '../index';
import { ScenarioFileError, loadScenarioFile, type Scenario } from '../scenario';
import type { CliIo } from '../scenario/cli';
import { gradeScenario, needsCapture, type GradeReport } from './grade';
import { ExerciseFileError, findExercise } from './load';
import type { Exercise } from '@shared/exercise';

export const GRADE_USAGE = 'usage: npm run grade -- EXERCISE SCENARIO.yaml [--json]   (EXERCISE: an id such as tcp-lifecycle, or a file)';

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the grade CLI with its arguments (without node and script); resolves to the exit code. */
export async function gradeCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  const unknown = args.filter((arg) => arg.startsWith('--'));
  if (args.length !== 2 || unknown.length > 0) {
    io.err(unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n${GRADE_USAGE}` : GRADE_USAGE);
    return 2;
  }
  let exercise: Exercise;
  let scenario: Scenario;
  try {
    exercise = await findExercise(args[0]);
    scenario = await loadScenarioFile(args[1]);
  } catch (error) {
    if (!(error instanceof ExerciseFileError || error instanceof ScenarioFileError)) throw error;
    if (json) io.out(JSON.stringify({ type: 'error', file: error.source, problems: error.problems }));
    io.err(`Cannot grade: ${error.message}`);
    return 2;
  }
  const lab = createLab({ captureLauncher: needsCapture(exercise.checks) ? 'fork' : 'none' });
  try {
    const report = await gradeScenario(lab, exercise, scenario);
    if (json) io.out(JSON.stringify(report));
    else io.out(formatReport(exercise, report));
    return report.ok ? 0 : 1;
  } finally {
    await lab.close();
  }
}

/** The readable report: roles, each check with its evidence, and a verdict line. */
export function formatReport(exercise: Exercise, report: GradeReport): string {
  const lines = [`Exercise ${exercise.id}: ${exercise.title.en} / ${exercise.title.zh}`];
  const failedSteps = report.steps.filter((s) => !s.pass).length;
  lines.push(
    `Scenario "${report.scenario}": ${report.steps.length} steps${failedSteps ? `, ${failedSteps} with unmet expectations (not graded)` : ''}`,
  );
  lines.push(
    `Roles: ${
      Object.entries(report.roles)
        .map(([role, bound]) => `${role} → ${bound === null ? 'missing' : `fd ${bound.fd}`}`)
        .join(', ') || 'none'
    }`,
  );
  if (report.captureProblem) lines.push(`Capture: ${report.captureProblem}`);
  if (report.skipped) {
    lines.push(`SKIPPED: ${report.skipped}`);
    return lines.join('\n');
  }
  for (const result of report.results) {
    lines.push(`${result.passed ? '✓' : '✗'} ${result.id}: ${result.title.en}`);
    lines.push(`    ${result.detail}`);
    for (const call of result.evidence.calls.slice(0, 8)) {
      lines.push(`    call #${call.id} ${call.call}(fd ${call.fd ?? '-'}) → ${call.errno ? `-1 ${call.errno}` : (call.ret ?? 'blocked')}`);
    }
    for (const packet of result.evidence.packets.slice(0, 8)) lines.push(`    frame ${packet.no}: ${packet.info}`);
    if (!result.passed) lines.push(`    why it matters: ${result.explain.en}`);
  }
  lines.push(`${report.ok ? 'PASS' : 'FAIL'}: ${report.passed} of ${report.total} checks passed`);
  return lines.join('\n');
}
