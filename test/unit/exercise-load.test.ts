/**
 * Exercise files: every built-in one loads, has both languages everywhere the student reads,
 * and names only declared roles; broken files are refused with sentences naming the field.
 */
import { describe, expect, it } from 'vitest';
import { ExerciseFileError, loadExerciseDir, parseExerciseText } from '../../src/main/lab/exercises/load';

const minimal = (checks: string, roles = 'roles: { server: { title: { en: s, zh: 服务器 } } }') => `
id: demo
title: { en: Demo, zh: 演示 }
goal: { en: Goal, zh: 目标 }
explanation: { en: Why, zh: 原因 }
${roles}
steps: [{ en: Do it, zh: 去做 }]
checks:
${checks}`;

function problems(text: string): string[] {
  try {
    parseExerciseText(text, 'demo.yaml');
  } catch (error) {
    if (error instanceof ExerciseFileError) return error.problems;
    throw error;
  }
  return [];
}

describe('exercise files', () => {
  it('loads every built-in exercise with Chinese text for each step, hint and check', async () => {
    const exercises = await loadExerciseDir();
    expect(exercises.length).toBeGreaterThanOrEqual(8);
    for (const exercise of exercises) {
      for (const text of [exercise.title, exercise.goal, exercise.explanation, ...exercise.steps, ...exercise.hints]) {
        expect(text.zh).toMatch(/[\u4e00-\u9fff]/);
      }
      for (const check of exercise.checks) expect(check.title?.zh && check.explain?.zh).toBeTruthy();
    }
  });

  it('accepts a minimal exercise', () => {
    expect(problems(minimal(`  - { id: a, title: { en: t, zh: 题 }, explain: { en: e, zh: 解 }, call: listen, role: server }`))).toEqual(
      [],
    );
  });

  it('refuses checks without id, title or explanation, and unknown roles', () => {
    expect(problems(minimal(`  - { call: listen, role: server }`))).toEqual([
      'checks.0: a top-level check needs an id',
      'checks.0: a top-level check needs a title { en, zh }',
      'checks.0: a top-level check needs an explain { en, zh }',
    ]);
    const unknown = problems(
      minimal(`  - { id: a, title: { en: t, zh: 题 }, explain: { en: e, zh: 解 }, packets: "tcp.port == \${client.port}" }`),
    );
    expect(unknown).toEqual(['checks.0: role "client" is not declared under roles']);
  });

  it('refuses unknown fields and missing translations', () => {
    expect(problems(minimal(`  - { id: a, title: { en: t }, explain: { en: e, zh: 解 }, call: listen }`)).join(' ')).toMatch(
      /a check has exactly one of|zh/,
    );
    expect(problems('id: Demo\n').join(' ')).toContain('id');
  });
});
