/**
 * `npm run grade` as a student runs it: exit 0 with a PASS line for a reference solution, 1 with
 * the failed check named for a wrong one, 2 for a missing exercise or an unreadable scenario;
 * --json prints one object with each check's evidence. Timeouts are generous because starting
 * the capture process takes seconds on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'socklab-grade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function grade(...args: string[]) {
  const run = spawnSync('npx', ['tsx', 'scripts/grade.ts', ...args], { encoding: 'utf8', timeout: 150_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}
const solution = (name: string) => `resources/exercises/solutions/${name}.yaml`;

describe('npm run grade', () => {
  it('exits 0 and prints PASS for the reference solution', () => {
    const run = grade('tcp-lifecycle', solution('tcp-lifecycle'));
    expect(run.code).toBe(0);
    expect(run.out).toContain('✓ handshake');
    expect(run.out).toMatch(/PASS: 5 of 5 checks passed/);
  }, 200_000);

  it('exits 1 and names the failed check for a wrong solution, with evidence in JSON', () => {
    const run = grade('tcp-lifecycle', solution('tcp-lifecycle.wrong-no-close'), '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.out) as {
      ok: boolean;
      results: { id: string; passed: boolean; evidence: { calls: unknown[]; packets: unknown[] } }[];
    };
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => r.id === 'end-of-stream')?.passed).toBe(false);
    expect(report.results.find((r) => r.id === 'handshake')?.evidence.packets.length).toBe(3);
  }, 200_000);

  it('exits 2 for an unknown exercise, a broken scenario and a bad command line', () => {
    const unknown = grade('no-such-exercise', solution('tcp-lifecycle'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no exercise "no-such-exercise"');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: x\nsteps:\n  - { call: recieve, sock: a }\n');
    const bad = grade('tcp-lifecycle', broken);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown call "recieve"');
    expect(grade('tcp-lifecycle').code).toBe(2);
  }, 200_000);
});
