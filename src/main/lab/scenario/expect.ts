/**
 * Comparing a call's result with the step's `expect`. Each mismatch becomes one sentence that
 * says what was expected and what the OS actually answered.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SockAddr } from '@shared/socket';
import type { TcpInfoFields, TcpInfoMatch } from '@shared/tcpinfo';
import type { AddressMatch, Expect, NumberMatch } from './schema';
import {
  bytesOf,
  StepError,
  describeBytes,
  formatAddress,
  isRef,
  parseAddress,
  parseHex,
  resolveNumber,
  resolvePath,
  resolveTemplate,
  resolveValue,
  unescapeText,
  type AddressPattern,
  type Lookup,
} from './values';

/** What a step produced, as the expectations see it. */
export interface Outcome {
  ok: boolean | null;
  ret: number | null;
  errno: string | null;
  message: string | null;
  /** Extra fields of the result (peer, data as bytes, from, address, value, nonblock, cancelled). */
  extras: Record<string, unknown>;
  timedOut: boolean;
}

const COMPARISON_RE = /^\s*(==|!=|>=|<=|>|<)?\s*(.+?)\s*$/;

/** Checks a number against 7, ">0", "!= -1" or ">= ${x.ret}"; returns a failure or null. */
export function matchNumber(actual: number | null, expected: NumberMatch, lookup: Lookup, field: string): string | null {
  let op = '==';
  let target: number;
  if (typeof expected === 'number') target = expected;
  else {
    const match = COMPARISON_RE.exec(expected);
    if (!match) throw new StepError(`expect.${field}: "${expected}" is not a number or comparison such as ">0"`);
    op = match[1] ?? '==';
    target = resolveNumber(match[2], lookup, `expect.${field}`);
  }
  const holds =
    actual !== null &&
    {
      '==': actual === target,
      '!=': actual !== target,
      '>=': actual >= target,
      '<=': actual <= target,
      '>': actual > target,
      '<': actual < target,
    }[op];
  return holds ? null : `${field} should be ${op === '==' ? '' : `${op} `}${target}, but it is ${actual ?? 'missing'}`;
}

/**
 * Each TCP_INFO condition that a sample does not meet, as sentences: numbers compare as `ret`
 * does (">0"), `state` and `congestion` match exactly. Scenarios' waits and exercise checks
 * both use it, so "tcpInfo.total_retrans should be > 0" reads the same in both.
 */
export function unmetTcpInfo(sample: TcpInfoFields, wanted: TcpInfoMatch, lookup: Lookup): string[] {
  return Object.entries(wanted).flatMap(([field, want]) => {
    const actual = sample[field as keyof TcpInfoFields];
    if (typeof actual === 'number' && (typeof want === 'number' || typeof want === 'string')) {
      const failure = matchNumber(actual, want, lookup, `tcpInfo.${field}`);
      return failure ? [failure] : [];
    }
    return actual === want ? [] : [`tcpInfo.${field} should be ${JSON.stringify(want)}, but it is ${JSON.stringify(actual)}`];
  });
}

/** Checks one outcome against an expectation block; returns every mismatch. */
export function checkExpectations(outcome: Outcome, expect: Expect | undefined, lookup: Lookup): string[] {
  const failures: string[] = [];
  const failed = (message: string | null) => message && failures.push(message);
  if (outcome.timedOut && !expect?.timeout) {
    return ['the call was still blocked when the step timed out (it was cancelled); add background: true or raise timeoutMs'];
  }
  if (!expect) return failures;
  if (expect.timeout !== undefined && expect.timeout !== outcome.timedOut) {
    failed(expect.timeout ? 'the call should have stayed blocked until the timeout, but it returned' : 'the call timed out');
  }
  if (expect.errno !== undefined && outcome.errno !== expect.errno) {
    failed(
      outcome.errno
        ? `errno should be ${expect.errno}, but it is ${outcome.errno} (${outcome.message ?? ''})`
        : `the call should fail with ${expect.errno}, but it returned ${outcome.ret}`,
    );
  }
  if (expect.ok !== undefined && outcome.ok !== expect.ok) {
    failed(
      expect.ok
        ? `the call should succeed, but it failed with ${outcome.errno}: ${outcome.message ?? ''}`
        : `the call should fail, but it returned ${outcome.ret}`,
    );
  }
  if (expect.ret !== undefined) failed(matchNumber(outcome.ret, expect.ret, lookup, 'ret'));
  if (expect.data !== undefined || expect.dataHex !== undefined) {
    const wanted =
      expect.dataHex !== undefined ? parseHex(expect.dataHex) : unescapeText(String(resolveTemplate(expect.data ?? '', lookup)));
    const got = bytesOf(outcome.extras.data);
    if (!got) failed(`data should be ${describeBytes(wanted)}, but no data came back`);
    else if (!got.equals(wanted)) failed(`data should be ${describeBytes(wanted)}, but it is ${describeBytes(got)}`);
  }
  if (expect.dataHexAt !== undefined) {
    const { offset, hex } = expect.dataHexAt;
    const wanted = parseHex(hex);
    const got = bytesOf(outcome.extras.data);
    const seen = got?.subarray(offset, offset + wanted.length);
    if (!got) failed(`data at offset ${offset} should be ${describeBytes(wanted)}, but no data came back`);
    else if (!seen || !seen.equals(wanted)) {
      failed(
        `data at offset ${offset} should be ${describeBytes(wanted)}, but it is ${seen && seen.length > 0 ? describeBytes(seen) : `missing (only ${got.length} bytes came back)`}`,
      );
    }
  }
  for (const field of ['peer', 'from', 'address'] as const) {
    if (expect[field] !== undefined) failed(matchAddress(outcome.extras[field], expect[field], lookup, field));
  }
  if (expect.value !== undefined && !matchesPartially(outcome.extras.value, expect.value)) {
    failed(`value should be ${JSON.stringify(expect.value)}, but it is ${JSON.stringify(outcome.extras.value)}`);
  }
  for (const flag of ['nonblock', 'cancelled'] as const) {
    if (expect[flag] !== undefined && outcome.extras[flag] !== expect[flag]) {
      failed(`${flag} should be ${expect[flag]}, but it is ${String(outcome.extras[flag])}`);
    }
  }
  return failures;
}

/** Compares an address with "127.0.0.1:*", "[::1]:${c.port}", a ref, null, or a partial object. */
export function matchAddress(actual: unknown, expected: AddressMatch, lookup: Lookup, field: string): string | null {
  const pattern = toPattern(expected, lookup);
  const shown = isSockAddr(actual) ? formatAddress(actual) : JSON.stringify(actual ?? null);
  if (pattern === null) return actual === null || actual === undefined ? null : `${field} should be none, but it is ${shown}`;
  const wanted = describePattern(pattern);
  if (!isSockAddr(actual)) return `${field} should be ${wanted}, but it is ${shown}`;
  return matchesPartially(actual, stripAnyPort(pattern)) ? null : `${field} should be ${wanted}, but it is ${shown}`;
}

function toPattern(expected: AddressMatch, lookup: Lookup): AddressPattern | Record<string, unknown> | null {
  if (expected === null) return null;
  const value = isRef(expected)
    ? resolvePath(expected.ref, lookup)
    : typeof expected === 'string'
      ? resolveTemplate(expected, lookup)
      : expected;
  if (typeof value === 'string') return parseAddress(value, true);
  if (typeof value !== 'object' || value === null) throw new StepError(`expected address ${JSON.stringify(value)} is not an address`);
  // Fields of the object form may be templates too ({ port: "${client.port}" }).
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      const resolved = resolveValue(field, lookup);
      return [
        key,
        (key === 'port' || key === 'scopeId') && typeof resolved === 'string' && /^\d+$/.test(resolved) ? Number(resolved) : resolved,
      ];
    }),
  );
}

function stripAnyPort(pattern: Record<string, unknown>): Record<string, unknown> {
  const { port, ...rest } = pattern;
  return port === '*' || port === undefined ? rest : { ...rest, port };
}

function describePattern(pattern: Record<string, unknown>): string {
  if (isSockAddr({ ...pattern, port: pattern.port === '*' ? 0 : pattern.port })) {
    return formatAddress(pattern as SockAddr).replace(/:0$/, pattern.port === '*' ? ':*' : ':0');
  }
  return JSON.stringify(pattern);
}

function isSockAddr(value: unknown): value is SockAddr {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  return object.family === 'AF_UNIX'
    ? typeof object.path === 'string'
    : typeof object.address === 'string' && typeof object.port === 'number';
}

/** Whether every field given in `expected` equals the same field of `actual` (recursively). */
export function matchesPartially(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return isDeepStrictEqual(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([key, value]) => matchesPartially((actual as Record<string, unknown>)[key], value));
}
