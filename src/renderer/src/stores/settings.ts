/**
 * Language and theme: defaults from the system (navigator.language, prefers-color-scheme),
 * the student's choice kept in localStorage, applied to vue-i18n and the <html> element.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { i18n, resolveLocale, type Locale } from '@renderer/i18n';

export type Theme = 'light' | 'dark';

const LOCALE_KEY = 'socklab.locale';
const THEME_KEY = 'socklab.theme';

function readStorage(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    // Storage can be disabled (privacy settings); the default then applies each start.
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Not persisted, still applied for this session: nothing the student must act on.
  }
}

function systemTheme(): Theme {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const useSettingsStore = defineStore('settings', () => {
  const locale = ref<Locale>(resolveLocale(readStorage(LOCALE_KEY) ?? globalThis.navigator?.language ?? 'en'));
  const storedTheme = readStorage(THEME_KEY);
  const theme = ref<Theme>(storedTheme === 'dark' || storedTheme === 'light' ? storedTheme : systemTheme());

  function applyLocale(value: Locale): void {
    i18n.global.locale.value = value;
    globalThis.document?.documentElement.setAttribute('lang', value);
  }
  function applyTheme(value: Theme): void {
    globalThis.document?.documentElement.setAttribute('data-theme', value);
  }
  applyLocale(locale.value);
  applyTheme(theme.value);

  // Applied at once (not in a watcher) so the UI switches in the same tick the student clicks.
  function setLocale(value: Locale): void {
    locale.value = value;
    applyLocale(value);
    writeStorage(LOCALE_KEY, value);
  }
  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
    applyTheme(theme.value);
    writeStorage(THEME_KEY, theme.value);
  }

  return { locale, theme, setLocale, toggleTheme };
});
