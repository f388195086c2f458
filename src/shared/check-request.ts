/**
 * The check in front of the lab: the route name against the catalogue, the input against the
 * route's schema. Transports run it on every request from an untrusted side, and the lab runs
 * it again for every caller (tests, the scenario runner), so it is written once, here.
 */
import { refusal, type Refusal } from './refusal';
import { invalidInput, isRouteName, routes, type RouteName } from './routes';

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
