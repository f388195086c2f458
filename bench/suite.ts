/** The lab benches by name; loaded by bench/run.ts once '@shared/*' resolves. */
import { cpus } from 'node:os';
import { benchLatency } from './latency';
import { benchMemory } from './memory';
import { benchThroughput } from './throughput';
import type { Figure } from './stats';

export interface SuiteOptions {
  rounds: number;
  megabytes: number;
}

export const BENCHES = {
  latency: (options: SuiteOptions) => benchLatency(options.rounds),
  throughput: (options: SuiteOptions) => benchThroughput(options.megabytes),
  memory: () => benchMemory(),
} as const;
export type BenchName = keyof typeof BENCHES;

/** Runs one bench, saying so on stderr. */
export async function runBench(name: BenchName, options: SuiteOptions): Promise<Figure[]> {
  process.stderr.write(`running ${name}…\n`);
  return BENCHES[name](options);
}

/** The heading above the table: where these figures come from. */
export function describeRun(): string {
  return `SockLab lab benches — node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`;
}
