import { describe, expect, it } from 'vitest';
import { ERRNO_NAMES } from '@shared/errno';
import { en } from '@renderer/i18n/en';
import { zhCN } from '@renderer/i18n/zh-CN';
import { i18n, resolveLocale } from '@renderer/i18n';

/** Every leaf key path of a message tree, sorted. */
function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree)
    .flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
    .sort();
}

describe('i18n messages', () => {
  it('English and Simplified Chinese have exactly the same keys', () => {
    expect(keys(zhCN)).toEqual(keys(en));
  });

  it('explain every errno the lab can return, in both languages', () => {
    for (const name of ERRNO_NAMES) {
      expect(en.errno[name], name).toMatch(/\S/);
      expect(zhCN.errno[name], name).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(Object.keys(en.errno).sort()).toEqual([...ERRNO_NAMES].sort());
  });

  it('every message compiles and renders in both languages (no stray { } @ |)', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(en)) {
        const text = i18n.global.t(key, { n: 2, fd: 3, call: 'bind', ret: 0, errno: 'EINVAL', index: 1, detail: 'x' }, 2);
        expect(text, `${locale} ${key}`).not.toBe(key);
        expect(text, `${locale} ${key}`).not.toMatch(/\{[a-z]+\}/);
      }
    }
    i18n.global.locale.value = 'en';
  });

  it('picks Chinese for any zh locale and English otherwise', () => {
    expect(resolveLocale('zh-CN')).toBe('zh-CN');
    expect(resolveLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(resolveLocale('en-US')).toBe('en');
    expect(resolveLocale('de')).toBe('en');
  });
});
