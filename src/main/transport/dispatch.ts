/**
 * The one gate every transport (IPC and web mode) puts in front of the lab: it checks the route
 * name against the catalogue and the input against the route's schema before the lab sees
 * anything, and answers a refusal as a value (never a throw) shaped like the route's output.
 */
import type { LabApi } from '@shared/api';
import { refusal, type Refusal } from '@shared/refusal';
import { invalidInput, isRouteName, routes, type RouteInput, type RouteName, type RouteOutput } from '@shared/routes';

/** Longest route name worth echoing back in a message (a hostile name could be megabytes). */
const MAX_NAME_ECHO = 64;

/** Checks one request; on success returns the parsed input (defaults applied, unknown keys dropped). */
export function checkRequest(
  name: unknown,
  input: unknown,
): { ok: true; name: RouteName; input: unknown } | { ok: false; refusal: Refusal } {
  if (typeof name !== 'string' || !isRouteName(name)) {
    const shown = typeof name === 'string' ? `"${name.slice(0, MAX_NAME_ECHO)}"` : `of type ${typeof name}`;
    const route = typeof name === 'string' ? name : '';
    return { ok: false, refusal: refusal(route, 'EINVAL', `Unknown request ${shown}: the lab has no such route.`) };
  }
  const parsed = routes[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const { errno, message } = invalidInput(name, parsed.error);
    return { ok: false, refusal: refusal(name, errno, message) };
  }
  return { ok: true, name, input: parsed.data };
}

/** Answers one request from an untrusted side. */
export type Dispatch = (name: unknown, input: unknown) => Promise<RouteOutput<RouteName> | Refusal>;

/**
 * Creates the dispatcher both transports use: validate, then hand the parsed input to the lab.
 * A lab that throws (a lab bug) still yields an answer, so nothing throws across a transport.
 */
export function createDispatcher(lab: LabApi): Dispatch {
  return async (name, input) => {
    const checked = checkRequest(name, input);
    if (!checked.ok) return checked.refusal;
    try {
      return await lab.invoke(checked.name, checked.input as RouteInput<RouteName>);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return refusal(checked.name, 'EINVAL', `Internal lab error in ${checked.name}: ${message}`);
    }
  };
}
