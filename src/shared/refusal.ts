/**
 * A request refused before it reached the lab (unknown route, invalid input, foreign sender,
 * lost connection), shaped like the route's own failure so the UI handles it like any other.
 */
import { ERRNO, type ErrnoName } from './errno';

export type Refusal =
  | { ok: false; ret: -1; callId: 0; errno: ErrnoName; code: number; message: string }
  | { ok: false; errno: ErrnoName; code: number; message: string };

/**
 * The refusal for `route`: BSD calls (`socket.*` except `socket.cancel`) answer C's `ret: -1`
 * with `callId: 0` (no call-log record: the call never happened), other routes a failed result.
 */
export function refusal(route: string, errno: ErrnoName, message: string): Refusal {
  const error = { errno, code: ERRNO[errno].code, message };
  return route.startsWith('socket.') && route !== 'socket.cancel'
    ? { ok: false, ret: -1, callId: 0, ...error }
    : { ok: false, ...error };
}
