/**
 * What a student achieved in each exercise, kept in localStorage between runs: the checks that
 * passed at least once, whether every check passed at the same time (completed), and how many
 * hints were revealed. Stored data is validated on read, so a damaged entry is dropped, not fatal.
 */
import { z } from 'zod';

export const PROGRESS_KEY = 'socklab.exercises.progress';

const ExerciseProgress = z.object({
  /** Ids of the checks that passed at least once. */
  passed: z.array(z.string()).default([]),
  /** Every check passed in one evaluation. */
  completed: z.boolean().default(false),
  /** How many hints are revealed. */
  hints: z.number().int().min(0).default(0),
});
export type ExerciseProgress = z.infer<typeof ExerciseProgress>;
export type ProgressMap = Record<string, ExerciseProgress>;

const ProgressFile = z.record(z.string(), ExerciseProgress);

export const EMPTY_PROGRESS: Readonly<ExerciseProgress> = Object.freeze({ passed: [], completed: false, hints: 0 });

/** The saved progress (empty when none, storage is disabled, or the data is damaged). */
export function readProgress(): ProgressMap {
  let raw: string | null = null;
  try {
    raw = globalThis.localStorage?.getItem(PROGRESS_KEY) ?? null;
  } catch {
    // Storage disabled by privacy settings: progress lives for this session only.
    return {};
  }
  if (!raw) return {};
  try {
    const parsed = ProgressFile.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    // Not JSON (edited by hand, truncated): start over rather than refuse to show exercises.
    return {};
  }
}

/** Saves the whole progress map; an empty map removes the entry. */
export function writeProgress(progress: ProgressMap): void {
  try {
    if (Object.keys(progress).length === 0) globalThis.localStorage?.removeItem(PROGRESS_KEY);
    else globalThis.localStorage?.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // Not persisted (quota, disabled storage); still shown for this session.
  }
}

/** Progress after an evaluation: passed ids are added (never removed), completed is sticky. */
export function mergeResult(before: ExerciseProgress, passedIds: readonly string[], allPassed: boolean): ExerciseProgress {
  const passed = [...new Set([...before.passed, ...passedIds])];
  return { passed, completed: before.completed || allPassed, hints: before.hints };
}
