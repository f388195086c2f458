/**
 * Every scenario in resources/scenarios/, exported as C and as Python, builds (cc -Wall -Wextra
 * -Werror) and runs, and each call in the program returns what the lab's call returned: the same
 * value, or -1 with the same errno. Descriptor numbers are compared as descriptors (the lab's
 * process holds other descriptors than a fresh program). Where a program cannot do what the lab
 * did, the difference is listed below with its reason, and docs/fidelity.md says the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportScenario, type ExportLanguage } from '../../src/main/lab/export';
import { loadScenarioFile } from '../../src/main/lab/scenario/load';
import { runScenario, type StepRecord } from '../../src/main/lab/scenario/runner';
import { openLab } from '../helpers/lab';

const DIR = 'resources/scenarios';
const files = readdirSync(DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();
const work = mkdtempSync(join(tmpdir(), 'socklab-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hasCc = spawnSync('cc', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;

/**
 * Scenarios a language cannot express at all, and why (docs/fidelity.md, "Exported programs").
 * Scenarios on a lab network (net-*) are refused in both: a program cannot make the hosts or the link.
 */
const NOT_EXPORTABLE: Partial<Record<ExportLanguage, Record<string, string>>> = {
  python: { 'blocking-and-cancel.yaml': 'cancel: Python retries a call a signal interrupts on another thread (PEP 475)' },
};

/** What a program printed for each step: `[step N] call = ret` or `= -1 ERRNO (text)`. */
function parseOutput(stdout: string): Map<number, { ret: number; errno: string | null }> {
  const lines = new Map<number, { ret: number; errno: string | null }>();
  for (const m of stdout.matchAll(/^\[step (\d+)\] \w+ = (-?\d+)(?: (E[A-Z0-9]+) \()?/gm)) {
    lines.set(Number(m[1]), { ret: Number(m[2]), errno: m[3] ?? null });
  }
  return lines;
}

/** The lab's answer and the program's, side by side, for every call step that differs. */
function differences(records: StepRecord[], printed: Map<number, { ret: number; errno: string | null }>): string[] {
  const out: string[] = [];
  for (const record of records) {
    if (record.kind !== 'call' || record.ret === null) continue;
    const got = printed.get(record.step);
    const label = `step ${record.step} ${record.call}`;
    if (!got) out.push(`${label}: the program printed nothing (lab: ${record.ret} ${record.errno ?? ''})`);
    else if (record.errno !== null || got.errno !== null) {
      if (record.errno !== got.errno) out.push(`${label}: lab -1 ${record.errno ?? '(ok)'} / program ${got.ret} ${got.errno ?? '(ok)'}`);
    } else if (record.call === 'socket' || record.call === 'accept') {
      if (got.ret < 0 || record.ret < 0) out.push(`${label}: lab ${record.ret} / program ${got.ret}`);
    } else if (record.ret !== got.ret) out.push(`${label}: lab ${record.ret} / program ${got.ret}`);
  }
  return out;
}

async function labRecords(file: string): Promise<StepRecord[] | null> {
  const lab = openLab();
  try {
    const report = await runScenario(lab, await loadScenarioFile(join(DIR, file)));
    return report.skipped ? null : report.steps;
  } finally {
    await lab.close();
  }
}

function runProgram(language: ExportLanguage, source: string, name: string): string {
  if (language === 'c') {
    const c = join(work, `${name}.c`);
    const bin = join(work, name);
    writeFileSync(c, source);
    const build = spawnSync('cc', ['-Wall', '-Wextra', '-Werror', '-pthread', '-o', bin, c], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`cc failed for ${name}:\n${build.stderr}`);
    return spawnSync(bin, { encoding: 'utf8', timeout: 20_000 }).stdout;
  }
  const py = join(work, `${name}.py`);
  writeFileSync(py, source);
  const run = spawnSync('python3', [py], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`python3 failed for ${name}:\n${run.stderr}`);
  return run.stdout;
}

for (const language of ['c', 'python'] as const) {
  const tool = language === 'c' ? hasCc : spawnSync('python3', ['--version']).status === 0;
  describe.skipIf(!tool)(
    `${language} programs exported from every scenario${tool ? '' : ` (skipped: no ${language === 'c' ? 'cc' : 'python3'})`}`,
    () => {
      for (const file of files) {
        const why = NOT_EXPORTABLE[language]?.[file] ?? (file.startsWith('net-') ? 'a lab network' : undefined);
        it(`${file}${why ? ' is refused with the reason' : ' returns what the lab returned, call by call'}`, async (ctx) => {
          const scenario = await loadScenarioFile(join(DIR, file));
          if (why) {
            expect(() => exportScenario(scenario, language, file)).toThrow(
              scenario.network ? /runs on a lab network/ : /cannot interrupt a call blocked on another thread/,
            );
            return;
          }
          if (scenario.requires.length > 0 && !isRoot) ctx.skip(`${file} needs root (${scenario.requires.join(', ')})`);
          const records = await labRecords(file);
          if (!records) return ctx.skip(`${file} was skipped by the lab (privileges)`);
          const program = exportScenario(scenario, language, file);
          const printed = parseOutput(runProgram(language, program, `${basename(file).replace(/\W/g, '_')}_${language}`));
          expect(differences(records, printed)).toEqual([]);
        }, 60_000);
      }
    },
  );
}
