/**
 * vue-i18n in composition mode with English and Simplified Chinese. The message files share
 * one shape (`Messages`, from en.ts), so a key missing in one language is a type error and a
 * test checks the key sets are identical.
 */
import { createI18n } from 'vue-i18n';
import { en, type Messages } from './en';
import { zhCN } from './zh-CN';
import { packetsEn } from './packets.en';
import { packetsZhCN } from './packets.zh-CN';
import { exercisesEn } from './exercises.en';
import { exercisesZhCN } from './exercises.zh-CN';
import { flowsEn } from './flows.en';
import { flowsZhCN } from './flows.zh-CN';
import { privilegesEn } from './privileges.en';
import { privilegesZhCN } from './privileges.zh-CN';
import { networkEn } from './network.en';
import { networkZhCN } from './network.zh-CN';
import { tcpinfoEn } from './tcpinfo.en';
import { tcpinfoZhCN } from './tcpinfo.zh-CN';
import { workbenchEn } from './workbench.en';
import { workbenchZhCN } from './workbench.zh-CN';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Maps a BCP 47 tag (navigator.language, a stored choice) to a supported locale. */
export function resolveLocale(tag: string): Locale {
  return tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const messages: Record<Locale, Messages> = {
  en: { ...en, ...packetsEn, ...exercisesEn, ...flowsEn, ...privilegesEn, ...networkEn, ...tcpinfoEn, ...workbenchEn },
  'zh-CN': { ...zhCN, ...packetsZhCN, ...exercisesZhCN, ...flowsZhCN, ...privilegesZhCN, ...networkZhCN, ...tcpinfoZhCN, ...workbenchZhCN },
};

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages,
});
