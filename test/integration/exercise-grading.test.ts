/**
 * Every built-in exercise graded through the real grader (real sockets, real capture on lo):
 * its reference solution passes every check, and each typical wrong solution fails at least
 * one named check. The raw-socket exercise is skipped, saying why, where SOCK_RAW is missing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/main/lab/index';
import { loadScenarioFile } from '../../src/main/lab/scenario';
import { gradeScenario, type GradeReport } from '../../src/main/lab/exercises/grade';
import { DEFAULT_EXERCISE_DIR, loadExerciseDir } from '../../src/main/lab/exercises/load';
import type { Exercise } from '@shared/exercise';

const SOLUTIONS = join(DEFAULT_EXERCISE_DIR, 'solutions');
const exercises = await loadExerciseDir();
const solutionFiles = readdirSync(SOLUTIONS);

/** Whether this process can open a raw ICMP socket (root and the raw-socket feature). */
async function rawAvailable(): Promise<string | null> {
  const lab = createLab({ captureLauncher: 'none' });
  try {
    const answer = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' });
    if (answer.ok) await lab.invoke('socket.close', { fd: answer.ret });
    return answer.ok ? null : `SOCK_RAW unavailable here: ${answer.errno} ${answer.message}`;
  } finally {
    await lab.close();
  }
}
const rawMissing = await rawAvailable();

async function grade(exercise: Exercise, file: string): Promise<GradeReport> {
  const lab = createLab({ captureLauncher: 'fork' });
  try {
    return await gradeScenario(lab, exercise, await loadScenarioFile(join(SOLUTIONS, file)));
  } finally {
    await lab.close();
  }
}

/** The checks each typical mistake must fail (the lesson it misses). */
const MUST_FAIL: Record<string, string[]> = {
  'tcp-lifecycle.wrong-no-close.yaml': ['end-of-stream', 'fin'],
  'udp-datagrams.wrong-no-connect.yaml': ['connect-sends-nothing', 'filtered'],
  'bind-rules.wrong-port-zero-everywhere.yaml': ['eaddrinuse', 'any-includes-loopback'],
  'accept-queue.wrong-accept-first.yaml': ['connects-returned'],
  'zero-window.wrong-small-send.yaml': ['zero-window', 'eagain'],
  'half-close.wrong-close-instead.yaml': ['half-close-eof', 'still-receives', 'rst'],
  'raw-icmp.wrong-unconnected-udp.yaml': ['port-unreachable'],
  'ipv6-unix.wrong-ipv4.yaml': ['ipv6-handshake', 'unix-stream'],
};

const failures = (report: GradeReport) => report.results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.detail}`);

describe('built-in exercises', () => {
  it('has the eight exercises, each with a reference and at least one wrong solution', () => {
    expect(exercises.map((e) => e.id).sort()).toEqual(
      ['accept-queue', 'bind-rules', 'half-close', 'ipv6-unix', 'raw-icmp', 'tcp-lifecycle', 'udp-datagrams', 'zero-window'].sort(),
    );
    for (const exercise of exercises) {
      expect(solutionFiles).toContain(`${exercise.id}.yaml`);
      expect(solutionFiles.some((f) => f.startsWith(`${exercise.id}.wrong-`))).toBe(true);
    }
  });

  for (const exercise of exercises) {
    const needsRaw = exercise.requires.includes('raw');
    describe(exercise.id, () => {
      it.skipIf(needsRaw && rawMissing !== null)(
        `the reference solution passes every check${needsRaw && rawMissing ? ` (skipped: ${rawMissing})` : ''}`,
        async () => {
          const report = await grade(exercise, `${exercise.id}.yaml`);
          expect(report.skipped).toBeNull();
          expect(failures(report)).toEqual([]);
          expect(report.ok).toBe(true);
          expect(report.passed).toBe(exercise.checks.length);
          expect(Object.values(report.roles).every((bound) => bound !== null)).toBe(true);
        },
        120_000,
      );

      for (const wrong of solutionFiles.filter((f) => f.startsWith(`${exercise.id}.wrong-`))) {
        it.skipIf(needsRaw && rawMissing !== null)(
          `${wrong} fails the checks it misses (${(MUST_FAIL[wrong] ?? []).join(', ')})`,
          async () => {
            const report = await grade(exercise, wrong);
            expect(report.ok).toBe(false);
            const failed = report.results.filter((r) => !r.passed).map((r) => r.id);
            expect(failed).toEqual(expect.arrayContaining(MUST_FAIL[wrong] ?? ['(list this wrong solution in MUST_FAIL)']));
            for (const failed of report.results.filter((r) => !r.passed)) expect(failed.detail.length).toBeGreaterThan(10);
          },
          120_000,
        );
      }
    });
  }

  it('grades a scenario on a lab with leftovers: a closed connection (descriptors reused) and a listener left open', async () => {
    const exercise = exercises.find((e) => e.id === 'tcp-lifecycle')!;
    const lab = createLab({ captureLauncher: 'fork' });
    try {
      const before = await gradeScenario(lab, exercise, await loadScenarioFile(join(SOLUTIONS, 'tcp-lifecycle.yaml')));
      expect(before.ok).toBe(true);
      const listener = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
      if (!listener.ok) throw new Error(listener.message);
      await lab.invoke('socket.bind', { fd: listener.ret, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
      await lab.invoke('socket.listen', { fd: listener.ret, backlog: 4 });
      const report = await gradeScenario(lab, exercise, await loadScenarioFile(join(SOLUTIONS, 'tcp-lifecycle.yaml')));
      expect(failures(report)).toEqual([]);
      expect(report.passed).toBe(exercise.checks.length);
      // The roles are the second run's sockets, though they have the first run's descriptors or later ones.
      expect(Object.values(report.roles).map((bound) => bound?.socketId)).not.toContain(listener.socketId);
      for (const bound of Object.values(report.roles)) expect(bound!.socketId).toBeGreaterThan(listener.socketId);
      // A wrong run after a right one does not borrow the right one's evidence.
      const wrong = solutionFiles.find((f) => f.startsWith('tcp-lifecycle.wrong-'));
      if (wrong) expect((await gradeScenario(lab, exercise, await loadScenarioFile(join(SOLUTIONS, wrong)))).ok).toBe(false);
    } finally {
      await lab.close();
    }
  }, 120_000);
});
