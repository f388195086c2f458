/**
 * The other half of the contract: what the lab answers and the events it pushes, checked
 * against the same schemas that check requests. The lab runs these checks in tests and in
 * development (see LabOptions.checkContract), and the renderer's fake lab in its tests, so
 * neither side can drift from the schemas without a test saying so.
 */
import type { z } from 'zod';
import { events, type EventName } from './events';
import { routes, type RouteName } from './routes';

/** A short description of the first few problems of a failed parse. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Why `answer` is not a valid output of route `name`, or null when it is. */
export function answerViolation(name: RouteName, answer: unknown): string | null {
  const parsed = routes[name].output.safeParse(answer);
  return parsed.success ? null : `${name} answered outside its output schema: ${describeIssues(parsed.error)}`;
}

/** Why `payload` is not a valid payload of event `name`, or null when it is. */
export function eventViolation(name: EventName, payload: unknown): string | null {
  const parsed = events[name].safeParse(payload);
  return parsed.success ? null : `event ${name} carries a payload outside its schema: ${describeIssues(parsed.error)}`;
}
