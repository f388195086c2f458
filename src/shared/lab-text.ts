/**
 * Sentences the lab produces, as keys with parameters, so the UI can show each in the student's
 * language. The English templates live here, beside the keys, because the lab (Node) formats
 * the same sentence into every answer's `message` for the CLI and scripts; the Chinese ones live
 * in `lab-text.zh-CN.ts`, typed so that each key has a template with the same `{parameters}`.
 * They are plain `{name}` templates, not vue-i18n messages: a lab sentence may hold `@`, `|` or
 * braces (filters, addresses) that vue-i18n would read as syntax.
 */
import { z } from 'zod';

export const LAB_TEXT_EN = {
  // socket calls (errno panel): the sentence after "bind:" / "connect:" ...
  'bind.addressInUse': '{address} is taken.',
  'bind.privilegedPort': 'Port {port} is below 1024 and this process is not privileged.',
  'bind.addressNotAvailable': 'No interface of this machine has {address}.',
  'bind.alreadyBound': 'descriptor {fd} is already bound to {address} (or {state}); a socket is bound once.',
  'listen.notListenable': 'descriptor {fd} is {state}; only an unconnected socket can listen.',
  'cancel.notOpen': 'descriptor {fd} is not an open socket.',
  // exercise checks: the "what the lab saw" detail
  'check.inOrder': 'in order: frames {frames}',
  'check.noPacketMatching': 'no packet matching "{filter}" was captured{before}{capture}',
  'check.afterFrame': ' after frame {frame}',
  'check.noCapture': ' (no packets could be captured: {problem})',
  'check.packetsFound': '{count} packets matching "{filter}"{after}: frames {frames}',
  'check.afterCall': ' after {call}',
  'check.none': 'none',
} as const;

export type LabTextKey = keyof typeof LAB_TEXT_EN;

/** The `{names}` a template uses, as a union of string literals. */
export type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/**
 * A parameter: text shown as is (an address, a filter), a number as digits, or a nested lab
 * sentence (" after frame 3") put in the same language as the sentence around it.
 */
export type LabTextValue = string | number | LabText;

export type LabTextParams<K extends LabTextKey> = { [P in Placeholders<(typeof LAB_TEXT_EN)[K]>]: LabTextValue };

/** One lab sentence: its key and its parameters. */
export type LabText = { [K in LabTextKey]: { key: K; params: LabTextParams<K> } }[LabTextKey];

const KEYS = Object.keys(LAB_TEXT_EN) as [LabTextKey, ...LabTextKey[]];

/** The contract's schema for a lab sentence (the parameters' names are checked by the types). */
export const LabTextSchema: z.ZodType<LabText> = z.lazy(() =>
  z.object({
    key: z.enum(KEYS),
    params: z.record(z.string(), z.union([z.string(), z.number(), LabTextSchema])),
  }),
) as z.ZodType<LabText>;

/** A lab sentence with its parameters, typed by key. */
export function labText<K extends LabTextKey>(key: K, params: LabTextParams<K>): LabText {
  return { key, params } as LabText;
}

/** A table of templates for every key: English here, Chinese in lab-text.zh-CN.ts. */
export type LabTextTemplates = Readonly<Record<LabTextKey, string>>;

/** The sentence in the language of `templates` (English by default), nested sentences too. */
export function formatLabText(text: LabText, templates: LabTextTemplates = LAB_TEXT_EN): string {
  const params = text.params as Record<string, LabTextValue>;
  return templates[text.key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'object' ? formatLabText(value, templates) : String(value);
  });
}
