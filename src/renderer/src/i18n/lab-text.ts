/**
 * The lab's sentences (src/shared/lab-text.ts) in the UI's language. They are formatted here
 * rather than registered with vue-i18n because a lab sentence may carry `@`, `|` or braces
 * (filters, addresses) that vue-i18n would read as message syntax.
 */
import { formatLabText, LAB_TEXT_EN, type LabText, type LabTextTemplates } from '@shared/lab-text';
import { LAB_TEXT_ZH_CN } from '@shared/lab-text.zh-CN';
import type { Locale } from './index';

const TEMPLATES: Record<Locale, LabTextTemplates> = { en: LAB_TEXT_EN, 'zh-CN': LAB_TEXT_ZH_CN };

/** `text` in `locale` (English for a locale SockLab does not speak). */
export function labTextIn(text: LabText, locale: string): string {
  return formatLabText(text, TEMPLATES[locale as Locale] ?? LAB_TEXT_EN);
}
