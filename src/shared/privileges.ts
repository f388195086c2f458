/**
 * What this machine lets SockLab do, and what would let it do more: the answer of
 * `lab.info` that the first-run notice and every "permission denied" message are built from.
 * Sentences are message keys (`privilege.<reason>`) with parameters, so both languages can say
 * them; `command` is the exact command for this system, or null when nothing is to be run.
 */
import { z } from 'zod';

/** The three things that need more than a normal user on some systems. */
export const PrivilegeAbility = z.enum(['labNetwork', 'hostCapture', 'hostRawSockets']);
export type PrivilegeAbility = z.infer<typeof PrivilegeAbility>;

/** How an ability is (or would be) obtained. */
export const PrivilegeVia = z.enum([
  'userNamespace',
  'root',
  'capNetRaw',
  'dumpcap',
  'bpf',
  'npcap',
  'administrator',
  'labNetwork',
  'none',
]);
export type PrivilegeVia = z.infer<typeof PrivilegeVia>;

/** Why an ability is ready or not: the key of its sentence in the renderer's i18n tables. */
export const PrivilegeReason = z.enum([
  'usernsReady',
  'usernsRoot',
  'usernsApparmor',
  'usernsCloneOff',
  'usernsMaxZero',
  'usernsUnknown',
  'linuxOnly',
  'captureRoot',
  'captureCapNetRaw',
  'captureDumpcap',
  'dumpcapNotInGroup',
  'dumpcapNoCapability',
  'dumpcapMissing',
  'captureBpf',
  'bpfNoAccess',
  'captureNpcap',
  'npcapMissing',
  'rawRoot',
  'rawCapNetRaw',
  'rawUseLabNetwork',
  'rawAdministrator',
]);
export type PrivilegeReason = z.infer<typeof PrivilegeReason>;

export const PrivilegeItem = z.object({
  ability: PrivilegeAbility,
  ready: z.boolean(),
  via: PrivilegeVia,
  reason: PrivilegeReason,
  /** Values the sentence names (a group, a user, a path, a sysctl). */
  params: z.record(z.string(), z.string()),
  /** The exact command that makes it ready on this system, or null. */
  command: z.string().nullable(),
});
export type PrivilegeItem = z.infer<typeof PrivilegeItem>;

export const PrivilegePlan = z.object({
  platform: z.string(),
  items: z.array(PrivilegeItem),
});
export type PrivilegePlan = z.infer<typeof PrivilegePlan>;
