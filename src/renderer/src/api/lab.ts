/**
 * Where the renderer's LabApi comes from: the preload's frozen `window.socklab` in the Electron
 * window, otherwise (web mode) a WebSocket client to the server that served this page, with the
 * token from the page URL. Stores never know which one they got.
 */
import type { LabApi } from '@shared/api';
import { createWebSocketLabApi, webSocketUrl } from '@shared/ws-client';

export { createWebSocketLabApi, webSocketUrl };

/** The LabApi for this page: the preload bridge when present, else the web-mode client. */
export function getLabApi(): LabApi {
  return window.socklab ?? createWebSocketLabApi(webSocketUrl(window.location));
}
