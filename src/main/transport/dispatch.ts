/**
 * The one gate every transport (IPC and web mode) puts in front of the lab: it checks the route
 * name against the catalogue and the input against the route's schema before the lab sees
 * anything, and answers a refusal as a value (never a throw) shaped like the route's output.
 */
import type { LabApi } from '@shared/api';
import { checkRequest } from '@shared/check-request';
import { internalRefusal, type Refusal } from '@shared/refusal';
import type { RouteInput, RouteName, RouteOutput } from '@shared/routes';

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
      console.error(`SockLab: ${checked.name} threw (a lab bug)`, error);
      return internalRefusal(checked.name, error instanceof Error ? error.message : String(error));
    }
  };
}
