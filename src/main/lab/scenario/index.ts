/**
 * The scenario runner: scripted BSD calls against a lab, with expectations. Used by
 * `npm run scenario`, by tests, and by exercise grading. Format: docs/scenarios.md.
 */
export { runScenario, recordLabel, type RunOptions, type ScenarioReport, type StepRecord } from './runner';
export { loadScenarioFile, parseScenarioText, validateScenario, ScenarioFileError } from './load';
export { DEFAULT_TIMEOUT_MS, MAX_STEP_MS, type Scenario, type Step } from './schema';
