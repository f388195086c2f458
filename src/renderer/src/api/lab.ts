/**
 * Where the renderer's LabApi comes from: the preload's frozen `window.socklab` in the Electron
 * window, otherwise (web mode) a WebSocket client to the server that served this page, with the
 * token from the page URL. Stores never know which one they got.
 */
import type { LabApi } from '@shared/api';
import { TOKEN_PARAM } from '@shared/wire';
import { createWebSocketLabApi, webSocketUrl } from '@shared/ws-client';

export { createWebSocketLabApi, webSocketUrl };

/** Where this tab keeps the token once it left the address bar (gone when the tab closes). */
const TOKEN_KEY = 'socklab.token';

/** The parts of `window` the token hand-over uses (a test passes a fake). */
export interface PageLike {
  location: Pick<Location, 'search' | 'pathname' | 'hash'>;
  history: Pick<History, 'state' | 'replaceState'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * This run's token, taken out of the address bar: the URL web mode printed carries it, but the
 * address bar, history and bookmarks must not keep it, so it moves to the tab's sessionStorage
 * (a reload of the same tab still finds it) and the URL is replaced without it.
 */
export function takeToken(page: PageLike): string {
  const params = new URLSearchParams(page.location.search);
  const fromUrl = params.get(TOKEN_PARAM);
  if (fromUrl === null) return page.sessionStorage.getItem(TOKEN_KEY) ?? '';
  page.sessionStorage.setItem(TOKEN_KEY, fromUrl);
  params.delete(TOKEN_PARAM);
  const rest = params.toString();
  page.history.replaceState(page.history.state, '', `${page.location.pathname}${rest ? `?${rest}` : ''}${page.location.hash}`);
  return fromUrl;
}

/** The LabApi for this page: the preload bridge when present, else the web-mode client. */
export function getLabApi(): LabApi {
  return window.socklab ?? createWebSocketLabApi(webSocketUrl(window.location, takeToken(window)));
}
