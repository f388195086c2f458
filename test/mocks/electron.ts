/**
 * A stand-in for the `electron` module, for testing main-process and preload wiring without an
 * Electron runtime: `vi.mock('electron', () => import('../mocks/electron'))`. Each fake keeps
 * what it was given (window options, handlers, exposed objects) for the test to inspect, and
 * behaves as Electron documents where the wiring depends on it (a second `ipcMain.handle` on a
 * channel throws). Call `resetElectronMock()` between tests.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** A handler as stored; tests call it with fake events (see `invokeEvent`). */
type Handler = (event: unknown, ...args: unknown[]) => unknown;

/** A fake WebFrameMain: the top frame unless a parent is given. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextContentsId = 1;

/** A fake WebContents: events, the window-open handler, and what was sent to the page. */
export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  readonly mainFrame: FakeFrame = { url: 'about:blank', parent: null };
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits a navigation-like event and says whether a listener prevented it. */
  attempt(eventName: string, url: string): boolean {
    let prevented = false;
    this.emit(eventName, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

/** Every BrowserWindow created, in order. */
export const createdWindows: FakeBrowserWindow[] = [];

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loaded: { kind: 'url' | 'file'; target: string } | null = null;
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    createdWindows.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { kind: 'url', target: url };
    this.webContents.mainFrame.url = url;
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { kind: 'file', target: file };
    this.webContents.mainFrame.url = new URL(`file://${file}`).href;
  }
  show(): void {}
  /** Closes as Electron does: webContents gone, then 'closed'. */
  close(): void {
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  // Accepts any listener, as Electron's does; the fake events tests pass stand in for real ones.
  handle(channel: string, handler: (event: never, ...args: never[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler as Handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined);
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  private started = false;
  private readyResolve: () => void = () => {};
  private readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  readonly enableSandbox = vi.fn();
  readonly quit = vi.fn(() => {
    this.emit('before-quit', { preventDefault: () => {} });
  });
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** Makes `whenReady()` resolve, as Electron does once it has started. */
  /** As Electron's: whether the app has finished starting. */
  isReady(): boolean {
    return this.started;
  }
  becomeReady(): void {
    this.started = true;
    this.readyResolve();
  }
}

type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

class FakeSession {
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersListener: HeadersListener | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
}

type ProtocolHandler = (request: Request) => Promise<Response> | Response;

/** `protocol`: privileged schemes (only before ready, as Electron insists) and handlers. */
class FakeProtocol {
  readonly privileged: Array<{ scheme: string; privileges?: Record<string, boolean> }> = [];
  readonly handlers = new Map<string, ProtocolHandler>();
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>): void {
    if (app.isReady()) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    this.privileged.push(...schemes);
  }
  handle(scheme: string, handler: ProtocolHandler): void {
    if (this.handlers.has(scheme)) throw new Error(`The scheme "${scheme}" is already handled`);
    this.handlers.set(scheme, handler);
  }
}

export let app = new FakeApp();
export let protocol = new FakeProtocol();
export let ipcMain = new FakeIpcMain();
export let ipcRenderer = new FakeIpcRenderer();
export const session = { defaultSession: new FakeSession() };
export const contextBridge = { exposeInMainWorld: vi.fn((_key: string, _api: unknown) => {}) };
export const utilityProcess = { fork: vi.fn() };
export const BrowserWindow = FakeBrowserWindow;

/** Forgets every window, handler and call, for the next test. */
export function resetElectronMock(): void {
  createdWindows.length = 0;
  app = new FakeApp();
  protocol = new FakeProtocol();
  ipcMain = new FakeIpcMain();
  ipcRenderer = new FakeIpcRenderer();
  session.defaultSession = new FakeSession();
  contextBridge.exposeInMainWorld.mockClear();
  utilityProcess.fork.mockClear();
}

/** An IPC invoke event as sent by `contents`' frame (the top frame by default). */
export function invokeEvent(contents: FakeWebContents, frame: FakeFrame | null = contents.mainFrame) {
  return { sender: contents, senderFrame: frame };
}
