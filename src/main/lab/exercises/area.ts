/**
 * The `exercise.*` routes: list the built-in exercises, read one, and evaluate one's checks on
 * the lab as it is now (the panel calls this again as calls and packets arrive). Reads the lab
 * only through `invoke`, like any client, so it cannot disturb the student's sockets.
 */
import type { z } from 'zod';
import type { LabApi } from '@shared/api';
import { ERRNO } from '@shared/errno';
import type { Exercise, exerciseRoutes } from '@shared/exercise';
import { collectEvidence, createEvidenceCache, markAfter, readCalls } from './collect';
import { checksUseTcpInfo, evaluateChecks } from './engine';
import { inferRoles, roleBindings } from './evidence';
import { DEFAULT_EXERCISE_DIR, ExerciseFileError, findExercise, loadExerciseDir } from './load';

type ExerciseRoutes = typeof exerciseRoutes;
export type ExerciseRouteName = keyof ExerciseRoutes;
/** Handlers for the exercise routes (the same shape as the facade's Handlers once registered). */
export type ExerciseHandlers = {
  [N in ExerciseRouteName]: (input: z.output<ExerciseRoutes[N]['input']>) => Promise<z.output<ExerciseRoutes[N]['output']>>;
};
type Failure = { ok: false; errno: 'ENOENT' | 'EINVAL'; code: number; message: string };

function failure(error: ExerciseFileError): Failure {
  const errno = error.problems[0]?.startsWith('no exercise') ? 'ENOENT' : 'EINVAL';
  return { ok: false, errno, code: ERRNO[errno].code, message: error.message };
}

export interface ExerciseAreaOptions {
  /** Where the exercise files are (default: resources/exercises in the source tree). */
  dir?: string;
}

/** Creates the exercise area over a lab's `invoke` (the facade passes its own). */
export function createExerciseArea(lab: Pick<LabApi, 'invoke'>, options: ExerciseAreaOptions = {}): { handlers: ExerciseHandlers } {
  const dir = options.dir ?? DEFAULT_EXERCISE_DIR;
  const cache = createEvidenceCache();
  const api: LabApi = { invoke: lab.invoke, on: () => () => undefined };

  async function load(id: string): Promise<{ ok: true; exercise: Exercise } | Failure> {
    try {
      return { ok: true, exercise: await findExercise(id, dir) };
    } catch (error) {
      if (!(error instanceof ExerciseFileError)) throw error;
      return failure(error);
    }
  }

  return {
    handlers: {
      'exercise.list': async () => {
        try {
          const exercises = await loadExerciseDir(dir);
          return {
            ok: true as const,
            value: exercises.map(({ id, title, goal, tags, requires }) => ({ id, title, goal, tags, requires })),
          };
        } catch (error) {
          if (!(error instanceof ExerciseFileError)) throw error;
          return failure(error);
        }
      },
      'exercise.get': async ({ id }) => {
        const found = await load(id);
        return found.ok ? { ok: true as const, value: found.exercise } : found;
      },
      'exercise.begin': async () => {
        const sockets = await lab.invoke('lab.sockets', {});
        const calls = await readCalls(api);
        return {
          ok: true as const,
          value: { mark: markAfter(calls), openSockets: sockets.ok ? sockets.value.length : 0, calls: calls.length },
        };
      },
      'exercise.check': async ({ id, roles, since }) => {
        const found = await load(id);
        if (!found.ok) return found;
        const evidence = await collectEvidence(api, cache, since, checksUseTcpInfo(found.exercise.checks));
        evidence.roles = inferRoles(found.exercise, evidence.calls, evidence.sockets, roles);
        const results = evaluateChecks(found.exercise, evidence);
        const sockets = evidence.sockets.map((s) => ({
          socketId: s.socketId,
          fd: s.fd,
          domain: s.domain,
          type: s.type,
          open: s.closedBy === null,
        }));
        return {
          ok: true as const,
          value: {
            id,
            passed: results.filter((r) => r.passed).length,
            total: results.length,
            roles: roleBindings(evidence),
            sockets,
            results,
          },
        };
      },
    },
  };
}
