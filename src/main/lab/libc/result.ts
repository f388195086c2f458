/**
 * What every libc wrapper returns: the kernel's value, or the errno it set — by name, with its
 * Linux number and a sentence naming the call. One errno mapping for the whole lab.
 */
import { ERRNO, errnoByCode, type ErrnoName } from '@shared/errno';
import { libcLoadError } from './load';

/** A libc failure: the errno name, its Linux number, and a sentence naming the call. */
export interface LibcFailure {
  readonly ok: false;
  readonly errno: ErrnoName;
  readonly code: number;
  readonly message: string;
}
export type LibcResult<T> = { readonly ok: true; readonly value: T } | LibcFailure;

/**
 * Names a Linux errno number for a call. The table holds every Linux errno, so the kernel's
 * answer keeps its own name and number. Only a number Linux does not define (another kernel
 * under koffi) travels as EINVAL, with that number kept in `code` and in the sentence.
 */
export function libcFailure(call: string, code: number, detail = ''): LibcFailure {
  const positive = Math.abs(code);
  const name = errnoByCode(positive);
  const extra = detail ? ` ${detail}` : '';
  if (name) return { ok: false, errno: name, code: positive, message: `${call}: ${ERRNO[name].text}${extra}` };
  return {
    ok: false,
    errno: 'EINVAL',
    code: positive,
    message: `${call}: the kernel answered Linux errno ${positive}, which SockLab does not name.${extra}`,
  };
}

/** A failure SockLab decides itself (before or instead of a kernel call). */
export function labFailure(call: string, errno: ErrnoName, detail: string): LibcFailure {
  return { ok: false, errno, code: ERRNO[errno].code, message: `${call}: ${ERRNO[errno].text} ${detail}` };
}

/** The answer of every wrapper where libc cannot be loaded. */
export function noLibc(call: string): LibcFailure {
  return labFailure(
    call,
    'ENOSYS',
    `This needs Linux's libc through koffi, which could not be loaded here (${libcLoadError() || 'not Linux'}).`,
  );
}

/** A successful result. */
export function ok<T>(value: T): LibcResult<T> {
  return { ok: true, value };
}
