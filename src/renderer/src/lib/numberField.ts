/**
 * The app's own check of a number typed in a form, so a person reads why in their language
 * (forms are `novalidate`: no browser bubble in the browser's language, e.g. for port 70000).
 */

/** Why a typed number is refused, with the i18n key under `workbench.number` and its values. */
export interface NumberProblem {
  field: string;
  key: 'whole' | 'range';
  min: number;
  max: number;
}

/** Null when `value` is a whole number in [min, max]; otherwise what is wrong with it. */
export function checkNumber(field: string, value: unknown, min: number, max: number): NumberProblem | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return { field, key: 'whole', min, max };
  return value < min || value > max ? { field, key: 'range', min, max } : null;
}

/** The first problem of several checks, or null. */
export function firstProblem(...problems: Array<NumberProblem | null>): NumberProblem | null {
  return problems.find((problem) => problem !== null) ?? null;
}
