/**
 * `npm run bench [-- latency|throughput|memory ...] [--rounds N] [--mb N] [--json]`: runs the lab
 * benches and prints one table (see bench/README.md). With more than one bench, each runs in its
 * own Node process, so memory figures are not blurred by what an earlier bench allocated.
 *
 * The lab imports '@shared/*', which only tsconfig.node.json maps, so tsx is registered with
 * that config before the benches load.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { BENCHES, describeRun, runBench } = await import('./suite');
const { printTable } = await import('./stats');
type Figure = Awaited<ReturnType<typeof runBench>>[number];

const args = process.argv.slice(2);
const option = (flag: string, fallback: number): number => {
  const at = args.indexOf(flag);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive whole number`);
  return value;
};
const valueFlags = ['--rounds', '--mb'];
const flagValues = new Set(valueFlags.flatMap((flag) => (args.includes(flag) ? [args[args.indexOf(flag) + 1]] : [])));
const named = args.filter((arg) => !arg.startsWith('--') && !flagValues.has(arg));
const unknown = named.filter((name) => !Object.hasOwn(BENCHES, name));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; the benches are ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const names = (named.length > 0 ? named : Object.keys(BENCHES)) as (keyof typeof BENCHES)[];
const options = { rounds: option('--rounds', 300), megabytes: option('--mb', 256) };

let figures: Figure[];
if (args.includes('--child')) {
  // Inside a per-bench process: hand the figures back as the last stdout line.
  console.log(JSON.stringify(await runBench(names[0], options)));
  process.exit(0);
} else if (names.length === 1) {
  figures = await runBench(names[0], options);
} else {
  figures = names.flatMap((name) => {
    const passOn = valueFlags.flatMap((flag) => (args.includes(flag) ? [flag, args[args.indexOf(flag) + 1]] : []));
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name, '--child', ...passOn], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as Figure[];
  });
}
console.log(describeRun());
printTable(figures);
if (args.includes('--json')) console.log(JSON.stringify(figures));
