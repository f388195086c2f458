/**
 * The app window and the session's security: sandboxed, context-isolated renderer with only the
 * preload's `window.socklab`; no navigation, no new windows, no permissions, a strict CSP.
 */
import { BrowserWindow, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy } from './transport';
import { APP_URL } from './app-protocol';

export interface MainWindowOptions {
  /** The built preload (`out/preload/index.cjs`): CommonJS, as a sandboxed preload must be. */
  preloadPath: string;
  /** The dev server (`ELECTRON_RENDERER_URL`) in development, else null (the app:// page). */
  devServerUrl: string | null;
}

/** The security settings of every SockLab window (tests read them from here). */
export function secureWebPreferences(preloadPath: string): Electron.WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** Creates the main window and loads the renderer. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'SockLab',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  lockDownContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.devServerUrl ?? APP_URL);
  return win;
}

/**
 * Denies navigation, new windows and `<webview>` on a webContents. Applied to every webContents
 * the app creates (see `app.on('web-contents-created')`), not just the main window's.
 */
export function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * Denies every permission request and check (camera, notifications, ...) and puts the CSP on
 * every HTTP response (the dev server's); app:// responses carry it from their handler.
 */
export function hardenSession(session: Session, options: { devServer: boolean }): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Vite's dev server injects styles inline and talks to its HMR WebSocket.
  const policy = options.devServer
    ? contentSecurityPolicy({ connect: ['ws://localhost:*', 'ws://127.0.0.1:*'], inlineStyles: true })
    : contentSecurityPolicy();
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}
