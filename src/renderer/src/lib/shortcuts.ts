/**
 * Keyboard shortcuts: one table drives both the key handling and the help dialog. Alt (and
 * Ctrl+Enter) combinations work while typing, since no text field uses them; bare keys
 * such as `?` only act outside text fields.
 */

export type ShortcutAction =
  'newSocket' | 'bind' | 'listen' | 'accept' | 'connect' | 'send' | 'recv' | 'shutdown' | 'close' | 'cancel' | 'packetsFocus' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** As shown in the help dialog. */
  keys: string;
  /** KeyboardEvent.code, so Alt+letter works on layouts where Alt changes the character. */
  code: string;
  alt?: boolean;
  ctrl?: boolean;
  /** Bare keys are ignored while the focus is in a text field. */
  bare?: boolean;
  /** i18n key of its line in the help, when not `shortcuts.items.<action>`. */
  labelKey?: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'newSocket', keys: 'Alt+N', code: 'KeyN', alt: true },
  { action: 'bind', keys: 'Alt+B', code: 'KeyB', alt: true },
  { action: 'listen', keys: 'Alt+L', code: 'KeyL', alt: true },
  { action: 'accept', keys: 'Alt+A', code: 'KeyA', alt: true },
  { action: 'connect', keys: 'Alt+C', code: 'KeyC', alt: true },
  { action: 'send', keys: 'Ctrl+Enter', code: 'Enter', ctrl: true },
  { action: 'recv', keys: 'Alt+R', code: 'KeyR', alt: true },
  { action: 'shutdown', keys: 'Alt+D', code: 'KeyD', alt: true },
  { action: 'close', keys: 'Alt+W', code: 'KeyW', alt: true },
  { action: 'cancel', keys: 'Alt+X', code: 'KeyX', alt: true },
  { action: 'packetsFocus', keys: 'Alt+P', code: 'KeyP', alt: true, labelKey: 'workbench.shortcuts.packetsFocus' },
  { action: 'help', keys: 'F1', code: 'F1', bare: true },
];

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
}

/** The action a key event triggers, or null (not a shortcut, or typing in a field). */
export function shortcutFor(event: KeyboardEvent): ShortcutAction | null {
  const ctrl = event.ctrlKey || event.metaKey;
  if (!event.altKey && !ctrl && event.key === '?' && !isTextField(event.target)) return 'help';
  for (const s of SHORTCUTS) {
    if (event.code !== s.code) continue;
    if (Boolean(s.alt) !== event.altKey || Boolean(s.ctrl) !== ctrl || event.shiftKey) continue;
    if (s.bare && isTextField(event.target)) return null;
    return s.action;
  }
  return null;
}
