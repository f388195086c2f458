/**
 * The call log and the calls the student makes from the panel. Records arrive twice (when a
 * call starts, ret null, and when it finishes), so they are kept by id; the log is bounded
 * and held in a `shallowRef` because it only grows or is replaced.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { CallRecord } from '@shared/socket';
import type { ErrnoName } from '@shared/errno';
import type { LabText } from '@shared/lab-text';
import { useLabApi } from '@renderer/api/inject';
import type { CallRequest } from '@renderer/lib/callInput';
import type { PanelCall } from '@renderer/lib/calls';

/** Records kept in the UI; the lab keeps its own bounded log too. */
export const CALL_LOG_LIMIT = 20_000;

/** What the panel shows after a call returns: C's return value, or -1 with errno. */
export interface CallOutcome {
  /** The socket the call was made on, and its descriptor then. */
  socketId: number;
  fd: number;
  call: PanelCall;
  ok: boolean;
  ret: number;
  errno: ErrnoName | null;
  /** The lab's sentence about this call in particular (English). */
  message: string | null;
  /** The same sentence as a key, for the UI's language, where the lab gave one. */
  text: LabText | null;
  /** Where Node and C differ for this call (see docs/fidelity.md). */
  note: string | null;
  /** Extra values (peer, address, option value, ...) as display text. */
  extras: Record<string, unknown>;
}

export const useCallsStore = defineStore('calls', () => {
  const api = useLabApi();
  const records = shallowRef<readonly CallRecord[]>([]);
  /** The latest outcome per socket (by identity), for the panel's result line. */
  const outcomes = shallowRef<ReadonlyMap<number, CallOutcome>>(new Map());

  function setAll(list: readonly CallRecord[]): void {
    records.value = list.slice(-CALL_LOG_LIMIT);
  }

  /** Adds a record or updates the one with the same id (a blocked call that finished). */
  function upsert(record: CallRecord): void {
    const list = records.value;
    // Updates hit recent records, so search from the end.
    for (let i = list.length - 1; i >= 0 && i >= list.length - 2000; i--) {
      if (list[i]!.id === record.id) {
        const next = list.slice();
        next[i] = record;
        records.value = next;
        return;
      }
    }
    const next = list.length >= CALL_LOG_LIMIT ? list.slice(list.length - CALL_LOG_LIMIT + 1) : list.slice();
    next.push(record);
    records.value = next;
  }

  function setOutcome(outcome: CallOutcome): void {
    const next = new Map(outcomes.value);
    next.set(outcome.socketId, outcome);
    outcomes.value = next;
  }

  /**
   * Makes a call on socket `socketId` and records its outcome. A transport failure (the bridge
   * went away) becomes an outcome too, with the lab's own wording, so nothing fails silently.
   */
  async function perform(call: PanelCall, request: CallRequest, socketId: number): Promise<CallOutcome> {
    const fd = request.input.fd;
    let outcome: CallOutcome;
    try {
      const result: Record<string, unknown> & { ok: boolean } = await api.invoke(request.route, request.input);
      const { ok, ret, errno, message, text, note, callId: _callId, code: _code, ...extras } = result;
      outcome = {
        socketId,
        fd,
        call,
        ok,
        ret: typeof ret === 'number' ? ret : ok ? 0 : -1,
        errno: (errno as ErrnoName | undefined) ?? null,
        message: typeof message === 'string' ? message : null,
        // The answer was checked against its schema (CallError.text) before it got here.
        text: (text as LabText | undefined) ?? null,
        note: typeof note === 'string' ? note : null,
        extras,
      };
    } catch (error) {
      outcome = {
        socketId,
        fd,
        call,
        ok: false,
        ret: -1,
        errno: null,
        message: error instanceof Error ? error.message : String(error),
        text: null,
        note: null,
        extras: {},
      };
    }
    setOutcome(outcome);
    return outcome;
  }

  /** socket.cancel: the blocked call then returns -1 EINTR through its own promise. */
  async function cancel(fd: number): Promise<boolean> {
    const result = await api.invoke('socket.cancel', { fd });
    return result.ok && result.value.cancelled;
  }

  function clearSocket(socketId: number): void {
    if (!outcomes.value.has(socketId)) return;
    const next = new Map(outcomes.value);
    next.delete(socketId);
    outcomes.value = next;
  }

  return { records, outcomes, setAll, upsert, perform, cancel, clearSocket };
});
