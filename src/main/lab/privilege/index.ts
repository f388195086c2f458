/**
 * What this process may do that needs privileges (lab network, host capture, host raw sockets),
 * and the least-privilege command for what it may not. The decision is `planPrivileges()` over
 * the facts of this system; this module keeps the plan for the process and words the hints that
 * error messages carry. Never advises capabilities on Electron (see ./plan).
 */
import type { PrivilegePlan } from '@shared/privileges';
import { gatherFacts, hasNetRaw } from './facts';
import { planItem, planPrivileges } from './plan';

export { hasNetRaw };
export { planPrivileges, planItem } from './plan';

let cached: PrivilegePlan | null = null;

/** This system's plan, decided once per process (`refresh` decides again). */
export function privilegePlan(refresh = false): PrivilegePlan {
  if (!cached || refresh) cached = planPrivileges(gatherFacts());
  return cached;
}

/** The command that lets SockLab capture on the host's interfaces, or null when it can. */
export function captureHint(): string | null {
  const item = planItem(privilegePlan(), 'hostCapture');
  return item.ready ? null : item.command;
}

/**
 * What to tell a student whose raw socket on the host was refused: the lab network (no
 * privilege needed) where it works, and the command that runs SockLab as root.
 */
export function rawSocketHint(): string | null {
  const item = planItem(privilegePlan(), 'hostRawSockets');
  if (item.ready) return null;
  if (item.via === 'labNetwork')
    return `open the socket on a lab-network host (no privileges needed), or run SockLab as root: ${item.command}`;
  return item.command;
}
