/**
 * Reading exercise files (YAML or JSON) and checking them beyond their schema: every top-level
 * check has a unique id, a title and an explanation in both languages; every role a check or a
 * template names is declared. Problems are sentences naming the file and the field.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Exercise, type Check } from '@shared/exercise';
import { referencedRoots } from '../scenario/values';

/**
 * The built-in exercises: `resources/exercises` of the project, found from this module whether it
 * runs from the source tree (src/main/lab/exercises) or bundled (out/main), else from the working
 * directory. Hosts that package elsewhere pass a dir.
 */
export const DEFAULT_EXERCISE_DIR =
  ['../../../../resources/exercises', '../../resources/exercises']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(dir)) ?? join(process.cwd(), 'resources', 'exercises');

export class ExerciseFileError extends Error {
  override name = 'ExerciseFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/** Parses and validates exercise text (YAML, or JSON when it starts with "{"). */
export function parseExerciseText(text: string, source = 'exercise'): Exercise {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ExerciseFileError(source, [`not valid YAML or JSON: ${(error as Error).message}`]);
  }
  const parsed = Exercise.safeParse(raw);
  if (!parsed.success) {
    throw new ExerciseFileError(
      source,
      parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.length ? `field "${issue.path.join('.')}": ` : ''}${issue.message}`),
    );
  }
  const problems = exerciseProblems(parsed.data);
  if (problems.length > 0) throw new ExerciseFileError(source, problems);
  return parsed.data;
}

/** What the schema cannot say: ids, texts on top-level checks, declared roles. */
function exerciseProblems(exercise: Exercise): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  exercise.checks.forEach((check, index) => {
    const where = `checks.${index}`;
    if (!check.id) problems.push(`${where}: a top-level check needs an id`);
    else if (ids.has(check.id)) problems.push(`${where}: the id "${check.id}" is used twice`);
    else ids.add(check.id);
    if (!check.title) problems.push(`${where}: a top-level check needs a title { en, zh }`);
    if (!check.explain) problems.push(`${where}: a top-level check needs an explain { en, zh }`);
    for (const role of rolesIn(check)) {
      if (!Object.hasOwn(exercise.roles, role)) problems.push(`${where}: role "${role}" is not declared under roles`);
    }
  });
  for (const [role, spec] of Object.entries(exercise.roles)) {
    if (spec.acceptedFrom && !Object.hasOwn(exercise.roles, spec.acceptedFrom))
      problems.push(`roles.${role}.acceptedFrom: role "${spec.acceptedFrom}" is not declared`);
  }
  return problems;
}

/** Every role a check refers to, in fields and in `${role.field}` templates. */
export function rolesIn(check: Check): string[] {
  const roles: string[] = [];
  const texts: string[] = [];
  const visit = (c: Check): void => {
    if ('all' in c) c.all.forEach(visit);
    else if ('any' in c) c.any.forEach(visit);
    else if ('not' in c) visit(c.not);
    else if ('sequence' in c) texts.push(...c.sequence);
    else if ('packets' in c) {
      texts.push(c.packets);
      if (c.after?.role) roles.push(c.after.role);
    } else if ('socket' in c) roles.push(...[c.socket, c.peerIs, c.acceptedFrom].filter((r): r is string => typeof r === 'string'));
    else {
      if (c.role) roles.push(c.role);
      if (c.after?.role) roles.push(c.after.role);
      if (c.before?.role) roles.push(c.before.role);
      if (c.args) texts.push(JSON.stringify(c.args));
      if (typeof c.ret === 'string') texts.push(c.ret);
    }
  };
  visit(check);
  return [...new Set([...roles, ...texts.flatMap(referencedRoots)])];
}

/** Reads one exercise file. */
export async function loadExerciseFile(path: string): Promise<Exercise> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ExerciseFileError(path, [`cannot read the exercise file: ${reason}`]);
  }
  const exercise = parseExerciseText(text, path);
  const stem = basename(path, extname(path));
  if (stem !== exercise.id) throw new ExerciseFileError(path, [`the file name should be the exercise id: ${exercise.id}${extname(path)}`]);
  return exercise;
}

/** Every exercise in `dir` (files *.yaml, *.yml, *.json), sorted by file name. */
export async function loadExerciseDir(dir = DEFAULT_EXERCISE_DIR): Promise<Exercise[]> {
  const names = (await readdir(dir)).filter((name) => /\.(ya?ml|json)$/.test(name)).sort();
  return Promise.all(names.map((name) => loadExerciseFile(join(dir, name))));
}

/** Finds an exercise by id, or by a path to its file. */
export async function findExercise(idOrPath: string, dir = DEFAULT_EXERCISE_DIR): Promise<Exercise> {
  if (/[/\\]|\.(ya?ml|json)$/.test(idOrPath)) return loadExerciseFile(idOrPath);
  for (const ext of ['.yaml', '.yml', '.json']) {
    try {
      return await loadExerciseFile(join(dir, `${idOrPath}${ext}`));
    } catch (error) {
      if (!(error instanceof ExerciseFileError && error.problems[0]?.endsWith('no such file'))) throw error;
    }
  }
  const known = (await readdir(dir).catch(() => [] as string[]))
    .map((name) => basename(name, extname(name)))
    .filter((n) => !n.startsWith('.'));
  throw new ExerciseFileError(idOrPath, [`no exercise "${idOrPath}"; the exercises are: ${known.join(', ')}`]);
}
