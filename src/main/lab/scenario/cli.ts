/**
 * `npm run scenario -- FILE [--json-only] [--capture OUT.pcapng]`: runs one scenario file
 * against a fresh lab. Prints one JSON line per step on stdout (and a summary line last);
 * unless --json-only, a readable line per step on stderr. With --capture, the scenario's own
 * packets are saved as a pcapng whose comments name the calls (scenario/capture.ts). Exit code:
 * 0 all expectations met, 1 some failed (or the scenario was skipped for lack of privileges it
 * requires, or the capture could not be made), 2 the file or the command line is wrong.
 */
import { createLab } from '../index';
import { captureScenario } from './capture';
import { ScenarioFileError, loadScenarioFile } from './load';
import { recordLabel, runScenario, type StepRecord } from './runner';

type Captured = { packets: number } | { problem: string };

export const USAGE = 'usage: npm run scenario -- FILE.yaml|FILE.json [--json-only] [--capture OUT.pcapng]';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the CLI with its arguments (without node and script); resolves to the exit code. */
export async function scenarioCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const jsonOnly = argv.includes('--json-only');
  const at = argv.indexOf('--capture');
  const captureFile = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && (!captureFile || captureFile.startsWith('--'))) {
    io.err(`--capture needs the file to write\n${USAGE}`);
    return 2;
  }
  const files = argv.filter((arg, i) => arg !== '--json-only' && (at < 0 || (i !== at && i !== at + 1)));
  const unknown = files.filter((arg) => arg.startsWith('--'));
  if (files.length !== 1 || unknown.length > 0) {
    io.err(unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n${USAGE}` : USAGE);
    return 2;
  }
  const human = jsonOnly ? () => undefined : io.err;
  let scenario;
  try {
    scenario = await loadScenarioFile(files[0]);
  } catch (error) {
    if (!(error instanceof ScenarioFileError)) throw error;
    io.out(JSON.stringify({ type: 'error', file: error.source, problems: error.problems }));
    io.err(`Cannot run ${error.message}`);
    return 2;
  }
  human(`${scenario.name} (${files[0]})`);
  const capturing = captureFile !== undefined || scenario.requires.includes('capture');
  const lab = createLab({ captureLauncher: capturing ? 'fork' : 'none' });
  try {
    const capture = captureFile === undefined ? null : captureScenario(lab, scenario);
    // Set by the hooks below, which TypeScript's flow analysis does not follow.
    let startProblem = null as string | null;
    let saved = null as Captured | null;
    const report = await runScenario(capture?.lab ?? lab, scenario, {
      onStep: (record) => {
        io.out(JSON.stringify({ type: 'step', ...record }));
        human(describeRecord(record));
      },
      beforeSteps: async () => {
        startProblem = (await capture?.start()) ?? null;
      },
      afterSteps: async () => {
        if (capture && captureFile !== undefined && startProblem === null) saved = await capture.save(captureFile);
      },
    });
    const { steps: _steps, ...summary } = report;
    io.out(JSON.stringify({ type: 'summary', ...summary }));
    if (report.skipped) human(`SKIPPED: ${report.skipped}`);
    else human(`${report.ok ? 'PASS' : 'FAIL'}: ${report.passed} of ${report.steps.length} steps passed`);
    const captured: Captured = startProblem !== null ? { problem: startProblem } : (saved ?? { problem: 'the scenario did not run' });
    if (capture) {
      io.out(JSON.stringify({ type: 'capture', file: captureFile, ...captured }));
      human('problem' in captured ? `CAPTURE FAILED: ${captured.problem}` : `captured ${captured.packets} packets into ${captureFile}`);
    }
    return report.ok && !(capture && 'problem' in captured) ? 0 : 1;
  } finally {
    await lab.close();
  }
}

/** "✓ step 3 (bind) server fd 3 → 0" with the errno and each failure on lines below. */
function describeRecord(record: StepRecord): string {
  const mark = record.pass ? '✓' : '✗';
  const who = [record.sock, record.fd !== null ? `fd ${record.fd}` : null].filter(Boolean).join(' ');
  let answer = '';
  if (record.kind === 'call') {
    answer =
      record.ok === null ? ' → no answer' : ` → ${record.ret ?? ''}${record.errno ? ` ${record.errno}: ${record.message ?? ''}` : ''}`;
  } else if (record.kind === 'cancel' || record.kind === 'wait') {
    const fields = Object.entries(record.result).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    answer = record.errno ? ` → ${record.errno}: ${record.message ?? ''}` : fields.length > 0 ? ` → ${fields.join(' ')}` : '';
  } else if (record.kind === 'sleep') answer = ` ${record.durationUs / 1000} ms`;
  const timing = record.timedOut ? ' (timed out, cancelled)' : '';
  const lines = [`${mark} ${recordLabel(record)}${who ? ` ${who}` : ''}${answer}${timing}`];
  for (const failure of record.failures) lines.push(`    · ${failure}`);
  return lines.join('\n');
}
