/**
 * Every example scenario in resources/scenarios/ (the ones docs/scenarios.md walks through)
 * runs against a real lab with every expectation met.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLab } from '../../src/main/lab/index';
import { loadScenarioFile, recordLabel, runScenario } from '../../src/main/lab/scenario/index';

const dir = join(import.meta.dirname, '../../resources/scenarios');
const files = readdirSync(dir)
  .filter((name) => /\.(ya?ml|json)$/.test(name))
  .sort();
const privileged = process.getuid?.() === 0;

describe('example scenarios in resources/scenarios', () => {
  it('has examples to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    it(`${file}: every expectation holds`, async () => {
      const scenario = await loadScenarioFile(join(dir, file));
      if (scenario.requires.length > 0 && !privileged) return; // needs root/CAP_NET_RAW: see docs/scenarios.md
      const lab = createLab({ captureLauncher: 'none' });
      try {
        const report = await runScenario(lab, scenario);
        const failures = report.steps.filter((r) => !r.pass).map((r) => `${recordLabel(r)}: ${r.failures.join('; ')}`);
        expect(failures).toEqual([]);
        expect(report.skipped).toBeNull();
        expect(report.steps.length).toBe(scenario.steps.filter((s) => !('await' in s)).length);
      } finally {
        await lab.close();
      }
    }, 60_000); // lab-network scenarios start an engine and may wait out retransmissions
  }
});
