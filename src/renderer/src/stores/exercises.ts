/**
 * The exercise panel's state: the list of exercises, the open one, its live check results and
 * the student's saved progress. While an exercise is open, every call, socket change and captured
 * packet schedules a re-check (debounced, and never more than one `exercise.check` in flight).
 * Opening an exercise marks where it begins (`exercise.begin`): only what the student does from
 * then on counts, and when the lab already holds sockets or calls the panel offers a clean lab.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { z } from 'zod';
import type { Check, Exercise, ExerciseCheckOutput, ExerciseMark, exerciseRoutes } from '@shared/exercise';
import { useLabApi } from '@renderer/api/inject';
import { useCaptureStore } from './capture';
import { EMPTY_PROGRESS, mergeResult, readProgress, writeProgress, type ExerciseProgress, type ProgressMap } from './exerciseProgress';

/** Quiet time after the last lab event before re-checking: a burst of packets costs one check. */
export const RECHECK_DEBOUNCE_MS = 300;
/** Longest a re-check waits while events keep coming (a steady packet stream never goes quiet). */
export const RECHECK_MAX_WAIT_MS = 1000;

type ExerciseRoutes = typeof exerciseRoutes;
export type ExerciseSummary = Extract<z.output<ExerciseRoutes['exercise.list']['output']>, { ok: true }>['value'][number];
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** True when any check (nested ones included) looks at captured packets. */
export function needsPackets(checks: readonly Check[]): boolean {
  return checks.some((check) => {
    if ('packets' in check || 'sequence' in check) return true;
    if ('all' in check) return needsPackets(check.all);
    if ('any' in check) return needsPackets(check.any);
    if ('not' in check) return needsPackets([check.not]);
    return false;
  });
}

/** The id a top-level check is shown and saved under (the loader requires ids; the index is a fallback). */
export function checkKey(check: Check, index: number): string {
  return check.id ?? String(index);
}

export const useExercisesStore = defineStore('exercises', () => {
  const api = useLabApi();

  const summaries = shallowRef<readonly ExerciseSummary[]>([]);
  const listStatus = ref<LoadStatus>('idle');
  const listError = ref<string | null>(null);
  const current = shallowRef<Exercise | null>(null);
  const openError = ref<string | null>(null);
  const result = shallowRef<ExerciseCheckOutput | null>(null);
  const checkError = ref<string | null>(null);
  const checking = ref(false);
  const progress = ref<ProgressMap>(readProgress());
  /** Roles the student bound to a socket (by id) by hand; the others are inferred by the lab. */
  const roleChoices = ref<Record<string, number>>({});
  /** Where the open exercise began: calls, sockets and packets before it are not evidence. */
  const mark = shallowRef<ExerciseMark | null>(null);
  /** What the lab held when the exercise began (open sockets, calls logged), null when it was clean. */
  const leftovers = shallowRef<{ openSockets: number; calls: number } | null>(null);
  const captureError = ref<string | null>(null);

  let unsubscribers: Array<() => void> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending re-check must run at the latest (null: none pending). */
  let deadline: number | null = null;
  let inFlight = false;
  let again = false;

  const currentProgress = computed<ExerciseProgress>(() =>
    current.value ? (progress.value[current.value.id] ?? EMPTY_PROGRESS) : EMPTY_PROGRESS,
  );
  const capturesPackets = computed(() => (current.value ? needsPackets(current.value.checks) : false));

  function progressOf(id: string): ExerciseProgress {
    return progress.value[id] ?? EMPTY_PROGRESS;
  }

  function saveProgress(id: string, next: ExerciseProgress): void {
    progress.value = { ...progress.value, [id]: next };
    writeProgress(progress.value);
  }

  async function loadList(): Promise<void> {
    listStatus.value = 'loading';
    listError.value = null;
    try {
      const answer = await api.invoke('exercise.list', {});
      if (!answer.ok) {
        listStatus.value = 'error';
        listError.value = `${answer.errno}: ${answer.message}`;
        return;
      }
      summaries.value = answer.value;
      listStatus.value = 'ready';
    } catch (error) {
      listStatus.value = 'error';
      listError.value = error instanceof Error ? error.message : String(error);
    }
  }

  /** Opens an exercise, checks it at once and then live. */
  async function open(id: string): Promise<boolean> {
    close();
    openError.value = null;
    try {
      const answer = await api.invoke('exercise.get', { id });
      if (!answer.ok) {
        openError.value = `${answer.errno}: ${answer.message}`;
        return false;
      }
      current.value = answer.value;
      if (!(await begin())) return false;
    } catch (error) {
      openError.value = error instanceof Error ? error.message : String(error);
      return false;
    }
    unsubscribers = [
      api.on('call.logged', scheduleCheck),
      api.on('socket.changed', scheduleCheck),
      api.on('socket.removed', scheduleCheck),
      api.on('capture.packets', scheduleCheck),
    ];
    await check();
    return true;
  }

  /** Marks the exercise's beginning now and notes what the lab already holds. */
  async function begin(): Promise<boolean> {
    const answer = await api.invoke('exercise.begin', {});
    if (!answer.ok) {
      openError.value = `${answer.errno}: ${answer.message}`;
      return false;
    }
    mark.value = answer.value.mark;
    const { openSockets, calls } = answer.value;
    leftovers.value = openSockets > 0 || calls > 0 ? { openSockets, calls } : null;
    return true;
  }

  /**
   * Starts the open exercise again on a clean lab: every socket closed, the call log and
   * transcripts cleared (lab.reset). Captured packets stay (the new mark leaves them out of the
   * checks). The caller confirms first.
   */
  async function startClean(): Promise<boolean> {
    if (!current.value) return false;
    const reset = await api.invoke('lab.reset', {});
    if (!reset.ok) {
      checkError.value = `${reset.errno}: ${reset.message}`;
      return false;
    }
    roleChoices.value = {};
    if (!(await begin())) return false;
    await check();
    return true;
  }

  /** Back to the list: stops listening and forgets the results (progress stays saved). */
  function close(): void {
    for (const off of unsubscribers) off();
    unsubscribers = [];
    clearTimeout(timer);
    timer = undefined;
    deadline = null;
    again = false;
    current.value = null;
    result.value = null;
    checkError.value = null;
    captureError.value = null;
    roleChoices.value = {};
    mark.value = null;
    leftovers.value = null;
  }

  /** Re-checks after RECHECK_DEBOUNCE_MS without events, or RECHECK_MAX_WAIT_MS after the first one. */
  function scheduleCheck(): void {
    if (!current.value) return;
    const now = Date.now();
    deadline ??= now + RECHECK_MAX_WAIT_MS;
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        deadline = null;
        void check();
      },
      Math.max(0, Math.min(RECHECK_DEBOUNCE_MS, deadline - now)),
    );
  }

  /**
   * Evaluates the open exercise now. If a check is already in flight, one more runs after it
   * (debounced), so the answer always reflects the latest events without piling up requests.
   */
  async function check(): Promise<void> {
    const exercise = current.value;
    if (!exercise) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    checking.value = true;
    try {
      const answer = await api.invoke('exercise.check', { id: exercise.id, roles: { ...roleChoices.value }, since: mark.value });
      if (current.value !== exercise) return; // closed or switched while waiting
      if (!answer.ok) {
        checkError.value = `${answer.errno}: ${answer.message}`;
        return;
      }
      checkError.value = null;
      result.value = answer.value;
      const passedIds = answer.value.results.filter((r) => r.passed).map((r) => r.id);
      const all = answer.value.total > 0 && answer.value.passed === answer.value.total;
      saveProgress(exercise.id, mergeResult(progressOf(exercise.id), passedIds, all));
    } catch (error) {
      if (current.value === exercise) checkError.value = error instanceof Error ? error.message : String(error);
    } finally {
      inFlight = false;
      checking.value = false;
      if (again) {
        again = false;
        scheduleCheck();
      }
    }
  }

  /** Shows the next hint of the open exercise (saved, so it stays shown next time). */
  function revealHint(): void {
    const exercise = current.value;
    if (!exercise) return;
    const before = progressOf(exercise.id);
    if (before.hints >= exercise.hints.length) return;
    saveProgress(exercise.id, { ...before, hints: before.hints + 1 });
  }

  /** Forgets the progress of one exercise, or of all when `id` is omitted. */
  function resetProgress(id?: string): void {
    if (id === undefined) {
      progress.value = {};
    } else {
      const { [id]: _dropped, ...rest } = progress.value;
      progress.value = rest;
    }
    writeProgress(progress.value);
  }

  /** Binds a role to a socket by id (null: let the lab infer it) and re-checks. */
  function setRole(role: string, socketId: number | null): void {
    const next = { ...roleChoices.value };
    if (socketId === null) delete next[role];
    else next[role] = socketId;
    roleChoices.value = next;
    void check();
  }

  /** Starts capture on loopback with the exercise's filter, for checks that read packets. */
  async function startCapture(): Promise<boolean> {
    const exercise = current.value;
    if (!exercise) return false;
    const capture = useCaptureStore();
    await capture.connect();
    capture.iface = 'lo';
    // The lab leaves its own transport port out of every capture (LabContext.ownPorts).
    capture.captureFilter = exercise.capture;
    const started = await capture.start();
    captureError.value = started ? null : capture.captureError;
    if (started) scheduleCheck();
    return started;
  }

  return {
    summaries,
    listStatus,
    listError,
    current,
    openError,
    result,
    checkError,
    checking,
    progress,
    roleChoices,
    mark,
    leftovers,
    captureError,
    currentProgress,
    capturesPackets,
    progressOf,
    loadList,
    open,
    close,
    scheduleCheck,
    check,
    revealHint,
    resetProgress,
    setRole,
    startClean,
    startCapture,
  };
});
