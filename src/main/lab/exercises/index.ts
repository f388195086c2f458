/**
 * Lab exercises: exercise files, the check engine (pure, for live checks and grading), the
 * grader behind `npm run grade`, and the `exercise.*` routes. Format: docs/exercises.md.
 */
export { evaluateChecks, describeCallMatch } from './engine';
export { inferRoles, roleBindings, sinceMark, socketsFromCalls, type Evidence, type EvidencePacket, type EvidenceSocket } from './evidence';
export { collectEvidence, createEvidenceCache, type EvidenceCache } from './collect';
export { gradeScenario, needsCapture, type GradeReport } from './grade';
export { DEFAULT_EXERCISE_DIR, ExerciseFileError, findExercise, loadExerciseDir, loadExerciseFile, parseExerciseText } from './load';
export { createExerciseArea, type ExerciseHandlers, type ExerciseRouteName } from './area';
