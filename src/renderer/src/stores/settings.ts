/**
 * Language, theme, the text encoding received bytes are read in, and the workbench's layout: defaults from the system (navigator.language,
 * prefers-color-scheme), the person's choice kept in localStorage, applied to vue-i18n and the
 * <html> element. Pane sizes are one JSON record, each value clamped to its range when read, so
 * a stale or hand-edited record can never hide a pane.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { i18n, resolveLocale, type Locale } from '@renderer/i18n';
import { TEXT_ENCODINGS, type TextEncoding } from '@renderer/lib/bytes';

export type Theme = 'light' | 'dark';

const LOCALE_KEY = 'socklab.locale';
const THEME_KEY = 'socklab.theme';
const LAYOUT_KEY = 'socklab.layout';
const ENCODING_KEY = 'socklab.textEncoding';
/** Where the dock's share was kept before the layout record existed. */
const OLD_DOCK_KEY = 'socklab.dockFraction';

/** The workbench's pane sizes and arrangement. */
export interface Layout {
  /** Width of the socket column, in px. */
  leftPx: number;
  /** Share of the centre column's height the dock takes. */
  dockFraction: number;
  /** Share of the top row's width the ladder beside the calls takes. */
  ladderFraction: number;
  /** The ladder drawn beside the call panel (off: the call panel takes the whole row). */
  ladderOpen: boolean;
  /** Packets take the whole window below the top bar, as in Wireshark. */
  packetsFocus: boolean;
  /** Share of the Packets view's height the packet list takes (the rest: tree and bytes). */
  listFraction: number;
  /** Share of the detail row's width the field tree takes (the rest: bytes). */
  treeFraction: number;
  /** The socket table's columns: the six that fit, or all of them (scrolled sideways). */
  socketColumns: 'compact' | 'full';
}

/** Each size's [min, max, default]. */
export const LAYOUT_LIMITS = {
  leftPx: [260, 900, 520],
  dockFraction: [0.2, 0.85, 0.58],
  ladderFraction: [0.2, 0.7, 0.38],
  listFraction: [0.15, 0.85, 0.6],
  treeFraction: [0.2, 0.8, 0.45],
} as const satisfies Record<string, readonly [number, number, number]>;
type Size = keyof typeof LAYOUT_LIMITS;

/** `value` within the size's range (to 1/1000), or its default when it is not a finite number. */
export function clampSize(size: Size, value: unknown): number {
  const [min, max, fallback] = LAYOUT_LIMITS[size];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.round(Math.min(max, Math.max(min, value)) * 1000) / 1000;
}

function readLayout(): Layout {
  let saved: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readStorage(LAYOUT_KEY) ?? '{}');
    if (parsed && typeof parsed === 'object') saved = parsed as Record<string, unknown>;
  } catch {
    // A damaged record: the defaults.
  }
  const oldDock = Number(readStorage(OLD_DOCK_KEY) ?? NaN);
  return {
    leftPx: clampSize('leftPx', saved.leftPx),
    dockFraction: clampSize('dockFraction', saved.dockFraction ?? (Number.isNaN(oldDock) ? undefined : oldDock)),
    ladderFraction: clampSize('ladderFraction', saved.ladderFraction),
    ladderOpen: saved.ladderOpen !== false,
    packetsFocus: saved.packetsFocus === true,
    listFraction: clampSize('listFraction', saved.listFraction),
    treeFraction: clampSize('treeFraction', saved.treeFraction),
    socketColumns: saved.socketColumns === 'full' ? 'full' : 'compact',
  };
}

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
  const layout = shallowRef<Layout>(readLayout());
  const storedEncoding = readStorage(ENCODING_KEY);
  /** How received bytes shown as text are decoded, everywhere (transcript, results, streams). */
  const textEncoding = ref<TextEncoding>(TEXT_ENCODINGS.find((e) => e === storedEncoding) ?? 'utf-8');
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

  /** Changes some of the layout (sizes clamped to their ranges) and remembers it. */
  function setLayout(change: Partial<Layout>): void {
    const next = { ...layout.value, ...change };
    for (const size of Object.keys(LAYOUT_LIMITS) as Size[]) next[size] = clampSize(size, next[size]);
    layout.value = next;
    writeStorage(LAYOUT_KEY, JSON.stringify(next));
  }

  function setTextEncoding(value: TextEncoding): void {
    textEncoding.value = value;
    writeStorage(ENCODING_KEY, value);
  }

  return { locale, theme, layout, textEncoding, setLocale, toggleTheme, setLayout, setTextEncoding };
});
