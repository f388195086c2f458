/**
 * Exporting a lab session or a scenario as a program a student can build and run: C (POSIX
 * sockets) or Python (the socket module). One model (./model) from the scenario, one writer per
 * language. `npm run export` is the CLI; the UI offers the same from the call log.
 */
import type { Scenario } from '../scenario/schema';
import { writeC } from './c';
import { buildProgram } from './model';
import { writePython } from './python';

export { ExportError } from './model';
export type ExportLanguage = 'c' | 'python';

/** The program text for `scenario` in `language`; throws ExportError for what cannot be exported. */
export function exportScenario(scenario: Scenario, language: ExportLanguage, source: string): string {
  const program = buildProgram(scenario, source);
  return language === 'c' ? writeC(program) : writePython(program);
}
