/**
 * Reading and checking a scenario file. Every problem is reported with the step it is in and
 * the field at fault, in words an instructor or a student can act on, before any socket opens.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CALL_NAMES } from '@shared/socket';
import {
  AwaitStep,
  CALL_STEP_SCHEMAS,
  CancelStep,
  LinkStep,
  DEFAULT_TIMEOUT_MS,
  ScenarioHeader,
  SleepStep,
  WaitStep,
  type CallStepName,
  type Scenario,
  type Step,
} from './schema';
import { StepError, isRef, parseAddress, referencedRoots } from './values';

/** A scenario that cannot run: unreadable, not JSON/YAML, or not in the format. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`}`);
  }
}

/** Names every scenario can use without defining them. */
export const BUILTIN_NAMES = ['tmp'] as const;

const STEP_KINDS = ['call', 'sleep', 'wait', 'await', 'cancel', 'link'] as const;

/** Reads and validates a scenario file (.json, .yaml or .yml). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioFileError(path, [`cannot read the scenario file: ${reason}`]);
  }
  return parseScenarioText(text, path);
}

/** Parses scenario text: JSON when the name ends in .json (or the text starts with "{"), else YAML. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  const asJson = extname(source).toLowerCase() === '.json' || text.trimStart().startsWith('{');
  let raw: unknown;
  try {
    raw = asJson ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ScenarioFileError(source, [`not valid ${asJson ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  return validateScenario(raw, source);
}

/** Validates an already-parsed scenario object (from a file, a test or an exercise). */
export function validateScenario(raw: unknown, source = 'scenario'): Scenario {
  const header = ScenarioHeader.safeParse(raw);
  if (!header.success)
    throw new ScenarioFileError(
      source,
      header.error.issues.map((i) => describeIssue(i, 'scenario', raw)),
    );
  const problems: string[] = [];
  const steps: Step[] = [];
  header.data.steps.forEach((rawStep, index) => {
    const step = parseStep(rawStep, index, problems);
    if (step) steps.push(step);
  });
  if (problems.length === 0) checkNames(steps, problems);
  if (problems.length > 0) throw new ScenarioFileError(source, problems.slice(0, 20));
  return {
    name: header.data.name,
    description: header.data.description,
    tags: header.data.tags ?? [],
    requires: header.data.requires ?? [],
    timeoutMs: header.data.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(header.data.network ? { network: header.data.network } : {}),
    steps,
  };
}

/** "step 3 (recv)" or "step 3 (recv, id "r1")": how messages point at a step. */
export function stepLabel(index: number, raw: unknown): string {
  const object = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const kind = STEP_KINDS.find((k) => k in object);
  const what = kind === 'call' ? String(object.call) : kind;
  const id = typeof object.id === 'string' ? `, id "${object.id}"` : '';
  return `step ${index + 1}${what ? ` (${what}${id})` : ''}`;
}

function parseStep(raw: unknown, index: number, problems: string[]): Step | null {
  const label = stepLabel(index, raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${label}: a step is a mapping such as { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }`);
    return null;
  }
  const kinds = STEP_KINDS.filter((k) => k in raw);
  if (kinds.length !== 1) {
    problems.push(
      kinds.length === 0
        ? `${label}: say what the step does with one of: call, sleep, wait, await, cancel, link`
        : `${label}: a step does one thing, but it has ${kinds.join(' and ')}`,
    );
    return null;
  }
  const schema = schemaFor(kinds[0], (raw as Record<string, unknown>).call, label, problems);
  if (!schema) return null;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => describeIssue(issue, label, raw)));
    return null;
  }
  return parsed.data as Step;
}

function schemaFor(kind: (typeof STEP_KINDS)[number], call: unknown, label: string, problems: string[]): z.ZodType | null {
  switch (kind) {
    case 'sleep':
      return SleepStep;
    case 'wait':
      return WaitStep;
    case 'await':
      return AwaitStep;
    case 'cancel':
      return CancelStep;
    case 'link':
      return LinkStep;
    case 'call':
      if (typeof call === 'string' && Object.hasOwn(CALL_STEP_SCHEMAS, call)) return CALL_STEP_SCHEMAS[call as CallStepName];
      problems.push(
        `${label}: unknown call ${JSON.stringify(call)}${suggest(String(call), CALL_NAMES)}; the calls are ${CALL_NAMES.join(', ')}`,
      );
      return null;
  }
}

/** One zod issue as a sentence naming the field. */
function describeIssue(issue: z.core.$ZodIssue, label: string, raw: unknown): string {
  const field = issue.path.length > 0 ? ` field "${issue.path.join('.')}"` : '';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(label);
    return issue.keys.map((key) => `${label}:${field ? `${field}:` : ''} unknown field "${key}"${suggest(key, known)}`).join('; ');
  }
  const missing = issue.path.length > 0 && valueAt(raw, issue.path) === undefined;
  return `${label}:${field}${missing ? ' is missing' : `${field ? ':' : ''} ${issue.message}`}`;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    raw,
  );
}

/** Field names a step may use, for "did you mean" suggestions. */
function knownKeys(label: string): string[] {
  const shapes = [...Object.values(CALL_STEP_SCHEMAS), SleepStep, WaitStep, AwaitStep, CancelStep].map((s) => Object.keys(s.shape));
  const extra = [
    'name',
    'description',
    'tags',
    'requires',
    'timeoutMs',
    'steps',
    'ok',
    'ret',
    'errno',
    'peer',
    'from',
    'nonblock',
    'timeout',
    'cancelled',
  ];
  return label === 'scenario' ? Object.keys(ScenarioHeader.shape) : [...new Set([...shapes.flat(), ...extra])];
}

/** ' (did you mean "x"?)' when a known word is one or two edits away. */
export function suggest(word: string, known: readonly string[]): string {
  let best: string | null = null;
  // Longer words may be further off and still be recognisable ("recieve" for "recv").
  let bestDistance = word.length >= 6 ? 4 : 3;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

/** Checks, in step order, that every socket name, step id and reference is defined before use. */
function checkNames(steps: Step[], problems: string[]): void {
  const sockets = new Set<string>();
  const ids = new Map<string, Step>();
  // A background call's expectations are checked when it is awaited, so they may name later sockets.
  const deferred = new Map<string, { label: string; roots: string[] }>();
  const checkRoots = (label: string, roots: string[]) => {
    const known = [...sockets, ...ids.keys(), ...BUILTIN_NAMES];
    for (const root of roots.filter((r) => !known.includes(r))) {
      problems.push(`${label}: "\${${root}...}" refers to "${root}", which no earlier step defines${suggest(root, known)}`);
    }
  };
  steps.forEach((step, index) => {
    const label = stepLabel(index, step);
    if ('call' in step && step.call !== 'socket' && step.background && step.id) {
      const { expect, ...rest } = step;
      checkRoots(label, stepReferences(rest as Step));
      deferred.set(step.id, { label, roots: expect ? stepReferences({ expect } as Step) : [] });
    } else checkRoots(label, stepReferences(step));
    if ('await' in step && deferred.has(step.await)) {
      const { label: awaitedLabel, roots } = deferred.get(step.await) as { label: string; roots: string[] };
      checkRoots(`${awaitedLabel} (checked at ${label})`, roots);
    }
    const target =
      'call' in step ? step.call !== 'socket' && step.sock : 'wait' in step ? step.wait : 'cancel' in step ? step.cancel : null;
    if (target && !sockets.has(target)) {
      problems.push(
        `${label}: no earlier step names a socket "${target}" (name one with as: on socket or accept)${suggest(target, [...sockets])}`,
      );
    }
    if ('call' in step && step.call !== 'socket' && !step.sock && step.fd === undefined) {
      problems.push(`${label}: say which socket with sock: NAME (or fd: NUMBER)`);
    }
    if ('call' in step && (step.call === 'send' || step.call === 'sendto') && (step.data === undefined) === (step.dataHex === undefined)) {
      problems.push(`${label}: give the bytes to send with either data: (text) or dataHex: (hex), not both`);
    }
    if ('call' in step && 'address' in step && typeof step.address === 'string' && !step.address.includes('${')) {
      try {
        parseAddress(step.address);
      } catch (error) {
        if (!(error instanceof StepError)) throw error;
        problems.push(`${label}: field "address": ${error.message}`);
      }
    }
    if ('await' in step) {
      const awaited = ids.get(step.await);
      if (!awaited || !('call' in awaited) || !('background' in awaited) || !awaited.background) {
        problems.push(`${label}: await "${step.await}" needs an earlier step with id: ${step.await} and background: true`);
      }
    }
    if (step.id) {
      if (ids.has(step.id) || sockets.has(step.id) || (BUILTIN_NAMES as readonly string[]).includes(step.id)) {
        problems.push(`${label}: id "${step.id}" is already used as a step id or socket name`);
      }
      ids.set(step.id, step);
    }
    if ('call' in step && (step.call === 'socket' || step.call === 'accept') && step.as) {
      if (ids.has(step.as)) problems.push(`${label}: socket name "${step.as}" is already a step id`);
      sockets.add(step.as);
    }
  });
}

/** Root names of every template and ref in a step's values. */
function stepReferences(step: Step): string[] {
  const roots: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') roots.push(...referencedRoots(value));
    else if (isRef(value)) roots.push(value.ref.trim().split('.')[0]);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  visit(step);
  return roots;
}
