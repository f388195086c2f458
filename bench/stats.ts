/** Small helpers shared by the benches: percentiles, timing, calls that must succeed, the table. */
import type { Lab } from '../src/main/lab/index';
import type { RouteInput, RouteName, RouteOutput } from '@shared/routes';

/** One printed figure: the lab's value next to the reference run's, when there is one. */
export interface Figure {
  bench: string;
  figure: string;
  lab: number;
  reference: number | null;
  unit: string;
  /** What the figure should reach (text), shown in the table. */
  goal?: string;
}

/** The p-th percentile (0–100) of the values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Microseconds since `start` (a process.hrtime.bigint() reading). */
export function usSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * Invokes a lab route and returns its answer, throwing when the call failed: a bench that
 * measures failing calls would print meaningless figures.
 */
export async function must<N extends RouteName>(lab: Lab, name: N, input: RouteInput<N>): Promise<Extract<RouteOutput<N>, { ok: true }>> {
  const answer = await lab.invoke(name, input);
  if (!answer.ok) throw new Error(`${name} failed: ${answer.errno} ${answer.message}`);
  return answer as Extract<RouteOutput<N>, { ok: true }>;
}

/** Prints the figures as an aligned table (lab value, reference value, lab/reference ratio). */
export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.bench,
    f.figure,
    `${format(f.lab)} ${f.unit}`,
    f.reference === null ? '' : `${format(f.reference)} ${f.unit}`,
    f.reference === null || f.reference === 0 ? '' : `${((f.lab / f.reference) * 100).toFixed(0)} %`,
    f.goal ?? '',
  ]);
  const header = ['bench', 'figure', 'lab', 'reference (plain node)', 'lab / ref', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
