#!/usr/bin/env node
/**
 * `npm test` after set-up and typecheck: the vitest projects in three stages, one after the
 * other, because integration and end-to-end tests both use real sockets and real capture on
 * `lo` and this machine has two cores; running them side by side only makes them compete.
 * Ends with one plain line, "N passed, N failed, N skipped", summed over the stages.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const STAGES = [['unit', 'tshark', 'renderer'], ['integration'], ['e2e']];
const outDir = join('test-results', 'vitest');
mkdirSync(outDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedStages = 0;
for (const projects of STAGES) {
  const name = projects.join('+');
  const report = join(outDir, `${name}.json`);
  rmSync(report, { force: true });
  const args = [
    'vitest',
    'run',
    ...projects.flatMap((p) => ['--project', p]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  console.log(`\n== ${name} ==`);
  const run = spawnSync('npx', args, { stdio: 'inherit' });
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
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedStages > 0 || totals.failed > 0 ? 1 : 0);
