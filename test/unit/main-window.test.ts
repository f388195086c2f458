/**
 * The window and main's wiring, with a mocked electron: the window's security settings,
 * navigation/new windows/permissions denied, the CSP header, the preload path, the invoke
 * handler registered once, and the lab closed on quit.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron'));
import * as electron from '../mocks/electron';
import { INVOKE_CHANNEL } from '@shared/events';
import { createMainWindow, hardenSession } from '../../src/main/window';

describe('createMainWindow', () => {
  beforeEach(() => electron.resetElectronMock());

  it('creates a sandboxed, context-isolated window without Node', () => {
    createMainWindow({ preloadPath: '/app/out/preload/index.cjs', devServerUrl: null });
    const prefs = electron.createdWindows[0].options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
    // The app's own origin, never file:// (which every file on disk shares).
    expect(electron.createdWindows[0].loaded).toEqual({ kind: 'url', target: 'app://socklab/index.html' });
  });

  it('loads the dev server when one is given', () => {
    createMainWindow({ preloadPath: '/p.cjs', devServerUrl: 'http://localhost:5173' });
    expect(electron.createdWindows[0].loaded).toEqual({ kind: 'url', target: 'http://localhost:5173' });
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    const win = createMainWindow({ preloadPath: '/p.cjs', devServerUrl: null });
    const contents = win.webContents as unknown as electron.FakeWebContents;
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-attach-webview', 'https://evil.example/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('hardenSession', () => {
  beforeEach(() => electron.resetElectronMock());

  it('denies every permission and puts the strict CSP on responses', () => {
    const fake = electron.session.defaultSession;
    hardenSession(fake as never, { devServer: false });
    const answers: boolean[] = [];
    fake.permissionRequestHandler?.({}, 'media', (granted) => answers.push(granted));
    fake.permissionRequestHandler?.({}, 'notifications', (granted) => answers.push(granted));
    expect(answers).toEqual([false, false]);
    expect(fake.permissionCheckHandler?.()).toBe(false);
    let headers: Record<string, string[]> | undefined;
    fake.headersListener?.({ responseHeaders: { 'X-Other': ['1'] } }, (response) => (headers = response.responseHeaders));
    expect(headers?.['X-Other']).toEqual(['1']);
    expect(headers?.['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(headers?.['Content-Security-Policy'][0]).not.toContain('unsafe');
  });
});

describe('main entry', () => {
  beforeEach(() => {
    electron.resetElectronMock();
    vi.resetModules();
  });

  it('wires one lab, one invoke handler and one secure window, and closes the lab on quit', async () => {
    const close = vi.fn(async () => {});
    vi.doMock('../../src/main/lab/index', () => ({
      createLab: vi.fn(() => ({ invoke: vi.fn(), on: vi.fn(() => () => {}), close })),
    }));
    // resetModules gave main a fresh electron mock: inspect that one.
    const electron = (await import('electron')) as unknown as typeof import('../mocks/electron');
    await import('../../src/main/index');
    const { createLab } = await import('../../src/main/lab/index');
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    // app:// is privileged before ready (the mock throws otherwise), and served once ready.
    expect(electron.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    electron.app.becomeReady();
    await vi.waitFor(() => expect(electron.createdWindows.length).toBe(1));
    // Capture runs in an Electron utility process, through the lab's launcher hook.
    const { utilityProcessLauncher } = await import('../../src/main/capture-process');
    expect(createLab).toHaveBeenCalledWith({ mode: 'electron', captureLauncher: utilityProcessLauncher });
    expect([...electron.ipcMain.handlers.keys()]).toEqual([INVOKE_CHANNEL]);
    expect([...electron.protocol.handlers.keys()]).toEqual(['app']);
    expect(electron.createdWindows[0].loaded).toEqual({ kind: 'url', target: 'app://socklab/index.html' });
    const prefs = electron.createdWindows[0].options.webPreferences!;
    expect(prefs.preload).toMatch(/preload[/\\]index\.cjs$/);
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // Every webContents the app creates is locked down, not only the main window's.
    const other = new electron.FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.windowOpenHandler?.({ url: 'https://x' })).toEqual({ action: 'deny' });

    let prevented = false;
    electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(close).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled());
    vi.doUnmock('../../src/main/lab/index');
  });
});

describe('utilityProcessLauncher', () => {
  beforeEach(() => {
    electron.resetElectronMock();
    vi.resetModules();
  });

  it('forks the capture entry as an Electron utility process and relays its messages and exit', async () => {
    const electron = (await import('electron')) as unknown as typeof import('../mocks/electron');
    const { EventEmitter } = await import('node:events');
    const child = Object.assign(new EventEmitter(), { postMessage: vi.fn(), kill: vi.fn(), stdout: null, stderr: null });
    electron.utilityProcess.fork.mockReturnValue(child);
    const { utilityProcessLauncher } = await import('../../src/main/capture-process');
    const channel = utilityProcessLauncher('/app/out/main/capture.js');
    expect(electron.utilityProcess.fork).toHaveBeenCalledWith('/app/out/main/capture.js', [], expect.objectContaining({ stdio: 'pipe' }));
    const messages: unknown[] = [];
    const exits: unknown[] = [];
    channel.onMessage((message) => messages.push(message));
    channel.onExit((code, reason) => exits.push([code, reason]));
    channel.send({ type: 'stop', id: 1 });
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'stop', id: 1 });
    child.emit('message', { type: 'batch' });
    child.emit('exit', 0);
    channel.send({ type: 'stop', id: 1 });
    expect(child.postMessage).toHaveBeenCalledTimes(1);
    expect(messages).toEqual([{ type: 'batch' }]);
    expect(exits).toEqual([[0, null]]);
  });
});
