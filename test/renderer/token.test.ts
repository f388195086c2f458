/**
 * Web mode's token leaves the address bar once the page has it (history.replaceState), so it
 * stays out of history, bookmarks and screenshots; a reload of the same tab still connects.
 */
import { describe, expect, it } from 'vitest';
import { takeToken, type PageLike } from '@renderer/api/lab';

function fakePage(url: string): PageLike & { url: string } {
  const stored = new Map<string, string>();
  const parsed = new URL(url);
  const page = {
    url,
    location: { search: parsed.search, pathname: parsed.pathname, hash: parsed.hash },
    history: {
      state: null,
      replaceState(_state: unknown, _unused: string, next?: string | URL | null) {
        const moved = new URL(String(next), page.url);
        page.url = moved.href;
        page.location = { search: moved.search, pathname: moved.pathname, hash: moved.hash };
      },
    },
    sessionStorage: {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    },
  };
  return page;
}

describe('takeToken', () => {
  it('takes the token and removes it from the address bar, keeping the rest of the URL', () => {
    const page = fakePage('http://127.0.0.1:8080/?lang=zh&token=s3cr3t#packets');
    expect(takeToken(page)).toBe('s3cr3t');
    expect(page.url).toBe('http://127.0.0.1:8080/?lang=zh#packets');
    expect(page.url).not.toContain('s3cr3t');
  });

  it('finds the token again after a reload of the same tab', () => {
    const page = fakePage('http://127.0.0.1:8080/?token=abc');
    takeToken(page);
    expect(page.url).toBe('http://127.0.0.1:8080/');
    expect(takeToken(page)).toBe('abc');
  });

  it('gives an empty token to a page opened without one (the server then refuses it)', () => {
    expect(takeToken(fakePage('http://127.0.0.1:8080/'))).toBe('');
  });
});
