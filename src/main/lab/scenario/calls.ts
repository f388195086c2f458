/**
 * One call step against the lab: its input built from the step (references resolved), the
 * invoke bounded by the step's timeout (a call still blocked is cancelled: EINTR), and the
 * result split into what the expectations and the record need.
 */
import type { LabApi } from '@shared/api';
import type { RouteName } from '@shared/routes';
import { MAX_PAYLOAD_BYTES } from '@shared/socket';
import { DEFAULT_MAX_BYTES, type CallStep } from './schema';
import type { Outcome } from './expect';
import {
  StepError,
  isRef,
  parseHex,
  resolveAddress,
  resolveNumber,
  resolveValue,
  bytesOf,
  summariseBytes,
  unescapeText,
  type Lookup,
} from './values';

/** After the timeout, how long a cancelled call gets to answer EINTR before we give up on it. */
const CANCEL_GRACE_MS = 2_000;

/** The route and input a call step sends, with the descriptor it acts on. */
export interface PreparedCall {
  route: RouteName;
  input: Record<string, unknown>;
  fd: number | null;
}

/** A finished (or abandoned) invoke. */
export interface Settled {
  result: Record<string, unknown> | null;
  timedOut: boolean;
  durationUs: number;
  /** Set when the call did not answer even after it was cancelled. */
  stuck: boolean;
}

/** Builds the lab request for a call step; `fd` is the descriptor already resolved from sock/fd. */
export function prepareCall(step: CallStep, fd: number | null, lookup: Lookup): PreparedCall {
  const route = `socket.${step.call}` as RouteName;
  const base = { fd };
  switch (step.call) {
    case 'socket':
      return {
        route,
        fd: null,
        input: { domain: step.domain, type: step.type, protocol: step.protocol ?? 'IPPROTO_IP', host: step.host ?? null },
      };
    case 'bind':
    case 'connect':
      return { route, fd, input: { ...base, address: resolveAddress(step.address, lookup) } };
    case 'listen':
      return { route, fd, input: step.backlog === undefined ? base : { ...base, backlog: resolveNumber(step.backlog, lookup, 'backlog') } };
    case 'send':
    case 'sendto': {
      const data = payloadBytes(step, lookup);
      const address = step.call === 'sendto' && step.address !== undefined ? resolveAddress(step.address, lookup) : null;
      const input = { ...base, data, flags: step.flags ?? [] };
      return { route, fd, input: step.call === 'sendto' ? { ...input, address } : input };
    }
    case 'recv':
    case 'recvfrom':
      return {
        route,
        fd,
        input: {
          ...base,
          maxBytes: step.maxBytes === undefined ? DEFAULT_MAX_BYTES : resolveNumber(step.maxBytes, lookup, 'maxBytes'),
          flags: step.flags ?? [],
        },
      };
    case 'shutdown':
      return { route, fd, input: { ...base, how: step.how } };
    case 'setsockopt':
      return {
        route,
        fd,
        input: { ...base, option: step.option, ...(step.level ? { level: step.level } : {}), value: optionValue(step.value, lookup) },
      };
    case 'getsockopt':
      return { route, fd, input: { ...base, option: step.option, ...(step.level ? { level: step.level } : {}) } };
    case 'fcntl':
      return {
        route,
        fd,
        input: step.nonblock === undefined ? { ...base, cmd: 'F_GETFL' } : { ...base, cmd: 'F_SETFL', nonblock: step.nonblock },
      };
    case 'accept':
    case 'close':
    case 'getsockname':
    case 'getpeername':
      return { route, fd, input: base };
  }
}

/** The bytes a send/sendto step carries: text with escapes or hex, repeated `repeat` times. */
function payloadBytes(step: Extract<CallStep, { call: 'send' | 'sendto' }>, lookup: Lookup): Buffer {
  const once = step.dataHex !== undefined ? parseHex(step.dataHex) : unescapeText(String(resolveValue(step.data ?? '', lookup)));
  const repeat = step.repeat ?? 1;
  if (once.length * repeat > MAX_PAYLOAD_BYTES) {
    throw new StepError(`the payload would be ${once.length * repeat} bytes; one step sends at most ${MAX_PAYLOAD_BYTES} (16 MiB)`);
  }
  return repeat === 1 ? once : Buffer.alloc(once.length * repeat, once);
}

/** Option values: numbers as is, true/false as 1/0, structs with their fields resolved. */
function optionValue(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || isRef(value)) return resolveNumber(value, lookup, 'value');
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, typeof field === 'string' ? resolveValue(field, lookup) : field]),
    );
  }
  return value;
}

const TIMED_OUT = Symbol('timed out');

/** Invokes a route, cancelling the call on `fd` if it is still blocked after `timeoutMs`. */
export async function invokeBounded(lab: LabApi, call: PreparedCall, timeoutMs: number): Promise<Settled> {
  const invoke = lab.invoke as (name: RouteName, input: unknown) => Promise<unknown>;
  const started = process.hrtime.bigint();
  const elapsedUs = () => Number((process.hrtime.bigint() - started) / 1000n);
  const pending = invoke(call.route, call.input) as Promise<Record<string, unknown>>;
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    pending,
    new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, timeoutMs, TIMED_OUT))),
  ]);
  clearTimeout(timer);
  if (first !== TIMED_OUT) return { result: first, timedOut: false, durationUs: elapsedUs(), stuck: false };
  // Only blocking calls on a socket can be interrupted; the lab answers them with EINTR.
  if (call.fd !== null) await invoke('socket.cancel', { fd: call.fd });
  const late = await Promise.race([
    pending,
    new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, CANCEL_GRACE_MS, TIMED_OUT))),
  ]);
  clearTimeout(timer);
  return late === TIMED_OUT
    ? { result: null, timedOut: true, durationUs: elapsedUs(), stuck: true }
    : { result: late, timedOut: true, durationUs: elapsedUs(), stuck: false };
}

const RESULT_KEYS = new Set(['ok', 'ret', 'errno', 'code', 'message', 'callId']);

/** Splits a C-shaped result into the outcome the expectations check. */
export function toOutcome(settled: Settled): Outcome {
  const result = settled.result;
  if (!result) return { ok: null, ret: null, errno: null, message: null, extras: {}, timedOut: settled.timedOut };
  const extras = Object.fromEntries(Object.entries(result).filter(([key]) => !RESULT_KEYS.has(key)));
  return {
    ok: result.ok === true,
    ret: typeof result.ret === 'number' ? result.ret : null,
    errno: typeof result.errno === 'string' ? result.errno : null,
    message: typeof result.message === 'string' ? result.message : null,
    extras,
    timedOut: settled.timedOut,
  };
}

/** Replaces payload bytes by a readable summary (length, text, hex) for records. */
export function summariseFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      key === 'data' && value instanceof Uint8Array ? summariseBytes(bytesOf(value)!) : value,
    ]),
  );
}

/** What `${stepId.field}` sees of an outcome: data as text and hex, the rest as returned. */
export function outcomeView(outcome: Outcome): Record<string, unknown> {
  const data = bytesOf(outcome.extras.data);
  return {
    ...outcome.extras,
    ok: outcome.ok,
    ret: outcome.ret,
    errno: outcome.errno,
    message: outcome.message,
    ...(data ? { data: data.toString('utf8'), dataHex: data.toString('hex'), length: data.length } : {}),
  };
}
