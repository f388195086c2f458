/**
 * Strings that reach C (libc, libpcap, the kernel): addresses, AF_UNIX paths, interface names,
 * capture filters. C ends a string at its first NUL, so "tcp\0 and not port 80" would apply
 * "tcp" while the UI shows the whole text; other control characters have no business in any of
 * these either. Every such field of the contract is declared with `cString`, so the rule is
 * written once.
 */
import { z } from 'zod';

/** NUL, the other C0 control characters and DEL. */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Where the first control character of `text` is, described for a person, or null. */
export function controlCharacterAt(text: string): string | null {
  const match = CONTROL.exec(text);
  if (match === null) return null;
  const code = match[0].charCodeAt(0);
  const name = code === 0 ? 'a NUL byte' : `the control character 0x${code.toString(16).padStart(2, '0')}`;
  return `${name} at character ${match.index + 1}`;
}

/** A string of at most `max` characters that C will read whole: no NUL, no control characters. */
export function cString(max: number, what: string) {
  return z
    .string()
    .max(max, `${what} is at most ${max} characters`)
    .superRefine((text, ctx) => {
      const at = controlCharacterAt(text);
      if (at !== null) ctx.addIssue({ code: 'custom', message: `${what} cannot contain ${at} (C would cut the text there)` });
    });
}
