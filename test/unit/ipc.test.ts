/**
 * The IPC bridge in main, with a mocked electron: one handler on INVOKE_CHANNEL, dispatching by
 * route name from the catalogue; foreign senders, unknown routes and invalid input refused.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron'));
import * as electron from '../mocks/electron';
import type { LabApi } from '@shared/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type EventName } from '@shared/events';
import { createAppUrlCheck, createAppWindows, forwardEventsToWindows, registerLabIpc } from '../../src/main/ipc';

const rendererDir = '/opt/socklab/out/renderer';

/** A LabApi that records requests and lets the test emit events. */
function recordingLab() {
  const reached: Array<{ name: string; input: unknown }> = [];
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  const lab: LabApi = {
    invoke: (async (name: string, input: unknown) => {
      reached.push({ name, input });
      return { ok: true, ret: 3, callId: 1 };
    }) as LabApi['invoke'],
    on: ((name: EventName, handler: (payload: unknown) => void) => {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)!.add(handler);
      return () => handlers.get(name)!.delete(handler);
    }) as LabApi['on'],
  };
  const emit = (name: EventName, payload: unknown) => handlers.get(name)?.forEach((handler) => handler(payload));
  return { lab, reached, emit };
}

function setUp() {
  electron.resetElectronMock();
  const { lab, reached, emit } = recordingLab();
  const windows = createAppWindows(createAppUrlCheck({}));
  registerLabIpc({ ipcMain: electron.ipcMain, lab, windows });
  const win = new electron.BrowserWindow({});
  void win.loadURL('app://socklab/index.html');
  windows.add(win as never);
  const handler = electron.ipcMain.handlers.get(INVOKE_CHANNEL)!;
  const invoke = (event: unknown, name: unknown, input: unknown) => Promise.resolve(handler(event, name, input));
  return { lab, reached, emit, windows, win, invoke };
}

describe('registerLabIpc', () => {
  let ctx: ReturnType<typeof setUp>;
  beforeEach(() => {
    ctx = setUp();
  });

  it('registers exactly one handler, on INVOKE_CHANNEL, and refuses a second registration', () => {
    expect([...electron.ipcMain.handlers.keys()]).toEqual([INVOKE_CHANNEL]);
    expect(() => registerLabIpc({ ipcMain: electron.ipcMain, lab: ctx.lab, windows: ctx.windows })).toThrow(/second handler/);
  });

  it('dispatches a valid request from our window to the lab', async () => {
    const answer = await ctx.invoke(electron.invokeEvent(ctx.win.webContents), 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
    expect(answer).toEqual({ ok: true, ret: 3, callId: 1 });
    expect(ctx.reached).toEqual([
      { name: 'socket.socket', input: { domain: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_IP', host: null } },
    ]);
  });

  it('refuses an unknown route with EINVAL', async () => {
    const answer = await ctx.invoke(electron.invokeEvent(ctx.win.webContents), 'shell.openExternal', { url: 'https://x' });
    expect(answer).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(ctx.reached).toEqual([]);
  });

  it('refuses invalid input with an EINVAL value, never a throw', async () => {
    const answer = await ctx.invoke(electron.invokeEvent(ctx.win.webContents), 'socket.listen', { fd: 3, backlog: -5 });
    expect(answer).toMatchObject({ ok: false, ret: -1, errno: 'EINVAL', callId: 0 });
    expect(ctx.reached).toEqual([]);
  });

  it('refuses a webContents the app did not create', async () => {
    const foreign = new electron.FakeWebContents();
    foreign.mainFrame.url = 'app://socklab/index.html';
    const answer = await ctx.invoke(electron.invokeEvent(foreign), 'lab.sockets', {});
    expect(answer).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(ctx.reached).toEqual([]);
  });

  it('refuses an iframe inside our window, a frame that navigated away, and a missing frame', async () => {
    const contents = ctx.win.webContents;
    const iframe = { url: 'app://socklab/index.html', parent: contents.mainFrame };
    expect(await ctx.invoke(electron.invokeEvent(contents, iframe), 'lab.sockets', {})).toMatchObject({ errno: 'EACCES' });
    expect(
      await ctx.invoke(electron.invokeEvent(contents, { url: 'https://evil.example/', parent: null }), 'lab.sockets', {}),
    ).toMatchObject({ errno: 'EACCES' });
    expect(await ctx.invoke(electron.invokeEvent(contents, { url: 'file:///etc/passwd', parent: null }), 'lab.sockets', {})).toMatchObject({
      errno: 'EACCES',
    });
    expect(
      await ctx.invoke(electron.invokeEvent(contents, { url: `file://${rendererDir}/index.html`, parent: null }), 'lab.sockets', {}),
    ).toMatchObject({ errno: 'EACCES' });
    expect(await ctx.invoke(electron.invokeEvent(contents, null), 'lab.sockets', {})).toMatchObject({ errno: 'EACCES' });
    expect(ctx.reached).toEqual([]);
  });

  it('cancels the calls a window left blocked when it closes, and only those', async () => {
    // A lab whose accept blocks until cancelled, as the real one does.
    const cancelled: unknown[] = [];
    let unblock: (answer: unknown) => void = () => {};
    ctx.lab.invoke = (async (name: string, input: { fd: number }) => {
      if (name === 'socket.accept') return new Promise<unknown>((resolve) => (unblock = resolve));
      if (name === 'socket.cancel') {
        cancelled.push(input);
        unblock({ ok: false, ret: -1, errno: 'EINTR', code: 4, message: 'interrupted', callId: 1 });
        return { ok: true, value: { cancelled: true } };
      }
      return { ok: true, ret: 0, callId: 1 };
    }) as LabApi['invoke'];
    electron.ipcMain.handlers.clear();
    const windows = createAppWindows(createAppUrlCheck({}));
    registerLabIpc({ ipcMain: electron.ipcMain, lab: ctx.lab, windows });
    const handler = electron.ipcMain.handlers.get(INVOKE_CHANNEL)!;
    const win = new electron.BrowserWindow({});
    void win.loadURL('app://socklab/index.html');
    windows.add(win as never);
    const accept = Promise.resolve(handler(electron.invokeEvent(win.webContents), 'socket.accept', { fd: 7 }));
    await Promise.resolve(handler(electron.invokeEvent(win.webContents), 'socket.close', { fd: 8 }));
    expect(cancelled).toEqual([]);
    win.close();
    expect(await accept).toMatchObject({ errno: 'EINTR' });
    expect(cancelled).toEqual([{ fd: 7 }]);
  });

  it('stops trusting a window once it closes', async () => {
    ctx.win.close();
    const answer = await ctx.invoke(electron.invokeEvent(ctx.win.webContents), 'lab.sockets', {});
    expect(answer).toMatchObject({ errno: 'EACCES' });
  });
});

describe('createAppUrlCheck', () => {
  it('accepts only the dev server origin in development', () => {
    const check = createAppUrlCheck({ devServerUrl: 'http://localhost:5173/' });
    expect(check('http://localhost:5173/index.html')).toBe(true);
    expect(check('http://localhost:5174/')).toBe(false);
    expect(check('app://socklab/index.html')).toBe(false);
  });
  it('accepts only the app:// origin otherwise, never a file:// page', () => {
    const check = createAppUrlCheck({});
    expect(check('app://socklab/index.html')).toBe(true);
    expect(check('app://socklab/assets/x.js')).toBe(true);
    expect(check(`file://${rendererDir}/index.html`)).toBe(false);
    expect(check('app://other/index.html')).toBe(false);
    expect(check('https://socklab/index.html')).toBe(false);
    expect(check('not a url')).toBe(false);
  });
});

describe('forwardEventsToWindows', () => {
  it('sends batched envelopes on EVENT_CHANNEL to open windows only', async () => {
    const ctx = setUp();
    const closedWin = new electron.BrowserWindow({});
    ctx.windows.add(closedWin as never);
    closedWin.close();
    const stop = forwardEventsToWindows(ctx.lab, ctx.windows);
    ctx.emit('socket.removed', { fd: 3 });
    ctx.emit('socket.removed', { fd: 4 });
    await vi.waitFor(() => expect(ctx.win.webContents.sent.length).toBe(1));
    expect(ctx.win.webContents.sent[0]).toEqual({
      channel: EVENT_CHANNEL,
      args: [
        [
          { name: 'socket.removed', payload: { fd: 3 } },
          { name: 'socket.removed', payload: { fd: 4 } },
        ],
      ],
    });
    expect(closedWin.webContents.sent).toEqual([]);
    stop();
  });
});
