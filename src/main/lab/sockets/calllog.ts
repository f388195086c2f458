/**
 * The call log: every call with its monotonic and wall-clock start, its arguments (payloads
 * summarised), its result and its duration. Bounded: the oldest records are dropped past
 * `callLogLimit`, so a long session cannot grow without end.
 */
import type { CallName, CallRecord } from '@shared/socket';
import { NET_CALL_ID_BASE } from '@shared/net';
import type { LabContext } from '../context';
import { monoUs, wallUs } from '../context';
import type { Outcome } from './errors';

/** Bytes of a payload shown in a call record's preview. */
const PREVIEW_BYTES = 32;

/** A payload as a call record shows it: its length and a short hex and text preview. */
export function summarisePayload(data: Buffer): { length: number; previewHex: string; previewText: string } {
  const head = data.subarray(0, PREVIEW_BYTES);
  return {
    length: data.length,
    previewHex: head.toString('hex'),
    previewText: head.toString('latin1').replace(/[^\x20-\x7e]/g, '.'),
  };
}

export interface CallLog {
  /** Logs a call on descriptor `fd` (the socket `socketId` while it is open) as started, and emits it. */
  start(fd: number | null, socketId: number | null, call: CallName, args: Record<string, unknown>, host?: string | null): CallRecord;
  /** Fills in the result, duration and the socket a socket()/accept() made, and emits the record again. */
  finish(record: CallRecord, outcome: Outcome, newSocketId?: number | null): void;
  /** Records with id > sinceId, oldest first, at most `limit`. */
  since(sinceId: number, limit?: number): CallRecord[];
  clear(): void;
}

/** Creates the lab's call log, bounded by `ctx.options.callLogLimit`. */
export function createCallLog(ctx: LabContext): CallLog {
  let records: CallRecord[] = [];
  // The engine's calls are numbered apart from the machine's, so one log can show both.
  const firstId = ctx.options.role === 'engine' ? NET_CALL_ID_BASE + 1 : 1;
  let nextId = firstId;

  return {
    start(fd, socketId, call, args, host = null) {
      const record: CallRecord = {
        id: nextId++,
        fd,
        socketId,
        newSocketId: null,
        call,
        args,
        startMonoUs: monoUs(),
        startWallUs: wallUs(),
        endMonoUs: null,
        durationUs: null,
        ret: null,
        errno: null,
        message: null,
        ...(host ? { host } : {}),
      };
      records.push(record);
      // Drop in batches so trimming stays cheap on a full log.
      const limit = ctx.options.callLogLimit;
      if (records.length > limit) records = records.slice(records.length - limit);
      ctx.emit('call.logged', { ...record });
      return record;
    },
    finish(record, outcome, newSocketId = null) {
      record.endMonoUs = monoUs();
      record.newSocketId = newSocketId;
      record.durationUs = record.endMonoUs - record.startMonoUs;
      if (outcome.failed) {
        record.ret = -1;
        record.errno = outcome.errno;
        record.message = outcome.message;
      } else {
        record.ret = outcome.ret;
        record.message = outcome.note ?? null;
      }
      ctx.emit('call.logged', { ...record });
    },
    since(sinceId, limit = Number.MAX_SAFE_INTEGER) {
      const start = records.findIndex((r) => r.id > sinceId);
      return start < 0 ? [] : records.slice(start, start + limit).map((r) => ({ ...r }));
    },
    clear() {
      records = [];
    },
  };
}
