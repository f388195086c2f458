#!/usr/bin/env node
/**
 * `npm test` after set-up and typecheck: the vitest projects in three stages, one after the
 * other, because integration and end-to-end tests both use real sockets and real capture on
 * `lo` and this machine has two cores; running them side by side only makes them compete. As
 * root, a fourth stage runs the lab network's tests again as nobody.
 * Ends with one plain line, "N passed, N failed, N skipped", summed over the stages.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STAGES = [['unit', 'tshark', 'renderer'], ['integration'], ['e2e']];
/**
 * The lab network's tests once more as an unprivileged user (nobody, through setpriv), as the
 * issue asks: user namespaces must give an unprivileged student the whole lab network. Only
 * when this runs as root (CI does) and nobody can read the checkout.
 */
const UNPRIVILEGED_FILES = [
  'test/integration/net-link.test.ts',
  'test/integration/net-step.test.ts',
  'test/integration/scenario-resources.test.ts',
];
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp'];
const outDir = join('test-results', 'vitest');
mkdirSync(outDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedStages = 0;

/** Runs vitest (`prefix` before npx: setpriv for the unprivileged stage) and adds its report. */
function runStage(name, prefix, vitestArgs, report) {
  rmSync(report, { force: true });
  console.log(`\n== ${name} ==`);
  const command = [
    ...prefix,
    'npx',
    'vitest',
    'run',
    ...vitestArgs,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  const run = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
  if (run.status !== 0) failedStages++;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
  } catch {
    // No report means vitest itself failed before running tests: count the stage as failed.
    totals.failed += 1;
    failedStages++;
  }
}

for (const projects of STAGES) {
  const name = projects.join('+');
  runStage(
    name,
    [],
    projects.flatMap((p) => ['--project', p]),
    join(outDir, `${name}.json`),
  );
}

const root = process.getuid?.() === 0;
const nobodyReads = root && spawnSync(AS_NOBODY[0], [...AS_NOBODY.slice(1), 'test', '-r', 'package.json']).status === 0;
if (nobodyReads) {
  // nobody cannot write test-results/ (root's): its report goes to a fresh temporary folder.
  const scratch = mkdtempSync(join(tmpdir(), 'socklab-unprivileged-'));
  chmodSync(scratch, 0o777);
  // --configLoader runner: vitest would otherwise write its bundled config into node_modules.
  runStage(
    'integration as nobody (lab network)',
    AS_NOBODY,
    ['--configLoader', 'runner', '--project', 'integration', ...UNPRIVILEGED_FILES],
    join(scratch, 'report.json'),
  );
  rmSync(scratch, { recursive: true, force: true });
} else {
  console.log(
    `\n== integration as nobody (lab network): not run, ${root ? 'nobody cannot read this checkout' : 'needs root to switch to nobody'} ==`,
  );
  totals.skipped += 1;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedStages > 0 || totals.failed > 0 ? 1 : 0);
