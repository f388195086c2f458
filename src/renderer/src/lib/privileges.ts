/** Reading the lab's privilege plan (lab.info) in the renderer. */
import type { PrivilegeAbility, PrivilegeItem, PrivilegePlan } from '@shared/privileges';

/** The plan's item for `ability`, or null when the lab has not said yet. */
export function privilegeItem(plan: PrivilegePlan | null | undefined, ability: PrivilegeAbility): PrivilegeItem | null {
  return plan?.items.find((i) => i.ability === ability) ?? null;
}

/** The command that makes `ability` ready, or null when it is ready (or unknown). */
export function privilegeCommand(plan: PrivilegePlan | null | undefined, ability: PrivilegeAbility): string | null {
  const item = privilegeItem(plan, ability);
  return item && !item.ready ? item.command : null;
}

/** How many abilities still need set-up. */
export function notReadyCount(plan: PrivilegePlan | null | undefined): number {
  return plan?.items.filter((i) => !i.ready).length ?? 0;
}

/** localStorage key: the first-run privileges notice was seen. */
export const PRIVILEGES_SEEN_KEY = 'socklab.privileges.seen';
