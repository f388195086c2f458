/**
 * A request refused before it reached the lab (unknown route, invalid input, foreign sender,
 * lost connection), shaped like the route's own failure so the UI handles it like any other.
 */
import { ERRNO, type ErrnoName } from './errno';

export type Refusal =
  | { ok: false; ret: -1; callId: 0; errno: ErrnoName; code: number; message: string; internal?: true }
  | { ok: false; errno: ErrnoName; code: number; message: string; internal?: true };

/**
 * The refusal for `route`: BSD calls (`socket.*` except `socket.cancel`) answer C's `ret: -1`
 * with `callId: 0` (no call-log record: the call never happened), other routes a failed result.
 */
export function refusal(route: string, errno: ErrnoName, message: string): Refusal {
  const error = { errno, code: ERRNO[errno].code, message };
  return route.startsWith('socket.') && route !== 'socket.cancel' ? { ok: false, ret: -1, callId: 0, ...error } : { ok: false, ...error };
}

/**
 * The answer to a request the lab failed on because of a bug of its own (a handler threw, or
 * answered outside its schema). `internal: true` tells the UI this is no errno of the student's
 * making; the errno is EINVAL only because the shape needs one.
 */
export function internalRefusal(route: string, detail: string): Refusal {
  const message = `SockLab bug in ${route}: ${detail}. This is not caused by your program; please report it.`;
  return { ...refusal(route, 'EINVAL', message), internal: true };
}
