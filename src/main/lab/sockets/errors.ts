/**
 * Errors as values: a failed call is a `CallFailure` (errno name + a sentence about this call),
 * and Node's errors are mapped onto the Linux errno they came from.
 */
import { ERRNO, errnoByCode, isErrnoName, type ErrnoName } from '@shared/errno';
import { formatLabText, type LabText } from '@shared/lab-text';

export interface CallFailure {
  readonly failed: true;
  readonly errno: ErrnoName;
  readonly message: string;
  /** The sentence about this call (after "call:") as a key, for the UI's language. */
  readonly text?: LabText;
}

/** A successful call: C's return value, extra result fields, and an optional fidelity note. */
interface CallSuccess<E extends object = object> {
  readonly failed: false;
  readonly ret: number;
  readonly extra: E;
  readonly note?: string;
}

export type Outcome<E extends object = object> = CallSuccess<E> | CallFailure;

/** A failed call with its errno and a sentence about this call in particular. */
export function fail(errno: ErrnoName, message: string): CallFailure {
  return { failed: true, errno, message };
}

/** A failed call whose sentence is a lab text: `message` reads "call: <the English sentence>". */
export function failWith(errno: ErrnoName, call: string, text: LabText): CallFailure {
  return { failed: true, errno, message: `${call}: ${formatLabText(text)}`, text };
}

/** A successful call returning `ret`. */
export function succeed<E extends object = Record<string, never>>(ret: number, extra?: E, note?: string): CallSuccess<E> {
  return { failed: false, ret, extra: extra ?? ({} as E), ...(note ? { note } : {}) };
}

/** Node error codes that are not errno names, with the errno C gives in the same situation. */
const NODE_CODES: Record<string, ErrnoName> = {
  ERR_SOCKET_DGRAM_NOT_CONNECTED: 'ENOTCONN',
  ERR_SOCKET_DGRAM_IS_CONNECTED: 'EISCONN',
  ERR_SOCKET_ALREADY_BOUND: 'EINVAL',
  ERR_SOCKET_DGRAM_NOT_RUNNING: 'EBADF',
  ERR_SOCKET_CLOSED: 'EBADF',
  ERR_STREAM_DESTROYED: 'EPIPE',
  ERR_STREAM_WRITE_AFTER_END: 'EPIPE',
  ERR_SOCKET_BAD_PORT: 'EINVAL',
  ERR_INVALID_ARG_VALUE: 'EINVAL',
  ERR_INVALID_ARG_TYPE: 'EINVAL',
  ERR_OUT_OF_RANGE: 'EINVAL',
};

/** The errno name a Node error stands for (its `code`, or its negated libuv `errno`). */
export function errnoOf(error: unknown): ErrnoName | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof code === 'string') {
    if (code === 'ENOTSUP') return 'EOPNOTSUPP';
    if (code === 'EWOULDBLOCK') return 'EAGAIN';
    if (isErrnoName(code)) return code;
    if (code in NODE_CODES) return NODE_CODES[code];
  }
  if (typeof errno === 'number') return errnoByCode(errno) ?? null;
  return null;
}

/** Turns whatever Node threw or emitted into a failure that names the call. */
export function fromNodeError(error: unknown, call: string): CallFailure {
  const errno = errnoOf(error) ?? 'EINVAL';
  const detail = error instanceof Error ? error.message : String(error);
  return fail(errno, `${call}: ${ERRNO[errno].text} (the OS said: ${detail})`);
}

/**
 * A sentence for an errno the kernel gave through libc, naming the call; a `detail` given as a
 * lab text is also kept as the key the UI translates.
 */
export function kernelFailure(errno: ErrnoName, call: string, detail: string | LabText = ''): CallFailure {
  const english = typeof detail === 'string' ? detail : formatLabText(detail);
  const failure = fail(errno, `${call}: ${ERRNO[errno].text}${english ? ` ${english}` : ''}`);
  return typeof detail === 'string' ? failure : { ...failure, text: detail };
}
