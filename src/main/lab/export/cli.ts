/**
 * `npm run export -- --lang c|python FILE`: prints a scenario (YAML/JSON) or a saved session
 * (the call log the UI saves, which is a scenario file too) as a C or Python program.
 * Exit code: 0 printed, 2 the command line or the file is wrong, 3 the file holds something a
 * program cannot reproduce (the message says which step and why).
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ScenarioFileError, loadScenarioFile } from '../scenario/load';
import { ExportError, exportScenario, type ExportLanguage } from './index';

export const USAGE = 'usage: npm run export -- --lang c|python FILE.yaml|FILE.json';

/** Runs the CLI with its arguments; resolves to the exit code. */
export async function exportCli(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (line: string) => void = (t) => process.stderr.write(`${t}\n`),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { lang: { type: 'string', short: 'l' } }, allowPositionals: true });
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const language = parsed.values.lang;
  if ((language !== 'c' && language !== 'python') || parsed.positionals.length !== 1) {
    err(USAGE);
    return 2;
  }
  const file = parsed.positionals[0];
  try {
    const scenario = await loadScenarioFile(file);
    out(exportScenario(scenario, language as ExportLanguage, basename(file)));
    return 0;
  } catch (error) {
    if (error instanceof ScenarioFileError) {
      err(`Cannot export ${error.message}`);
      return 2;
    }
    if (error instanceof ExportError) {
      err(`Cannot export ${file} as ${language}: ${error.message}`);
      return 3;
    }
    throw error;
  }
}
