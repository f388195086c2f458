/**
 * Electron main: one lab, one sandboxed window, the IPC bridge between them. Everything here is
 * wiring; the lab is `src/main/lab`, the bridge `src/main/ipc`, the window's security `window.ts`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, protocol, session } from 'electron';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { utilityProcessLauncher } from './capture-process';
import { createLab } from './lab/index';
import { createAppUrlCheck, createAppWindows, forwardEventsToWindows, registerLabIpc } from './ipc';
import { createMainWindow, hardenSession, lockDownContents } from './window';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const devServerUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;

// Every renderer sandboxed, whatever a window asks for.
app.enableSandbox();
// app:// must be privileged before the app is ready (Electron refuses it later).
registerAppScheme(protocol);
app.on('web-contents-created', (_event, contents) => lockDownContents(contents));

void app.whenReady().then(() => {
  hardenSession(session.defaultSession, { devServer: devServerUrl !== null });
  handleAppProtocol(protocol, rendererDir);
  const lab = createLab({ mode: 'electron', captureLauncher: utilityProcessLauncher });
  const windows = createAppWindows(createAppUrlCheck({ devServerUrl: devServerUrl ?? undefined }));
  registerLabIpc({ ipcMain, lab, windows });
  const stopEvents = forwardEventsToWindows(lab, windows);

  const openWindow = () =>
    windows.add(
      createMainWindow({
        preloadPath: join(here, '..', 'preload', 'index.cjs'),
        devServerUrl,
      }),
    );
  openWindow();
  app.on('activate', () => {
    if (windows.contents().length === 0) openWindow();
  });

  // Close the lab (its sockets and capture process) before quitting, once.
  let labClosed = false;
  app.on('before-quit', (event) => {
    if (labClosed) return;
    event.preventDefault();
    labClosed = true;
    stopEvents();
    void lab.close().finally(() => app.quit());
  });
});

app.on('window-all-closed', () => app.quit());
