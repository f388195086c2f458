/**
 * The preload: createBridge over a fake ipcRenderer, and the entry exposing exactly one frozen
 * object as `window.socklab` (nothing else: no ipcRenderer, no process, no Node imports).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron'));
import * as electron from '../mocks/electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '@shared/events';
import { createBridge, type IpcRendererLike } from '../../src/preload/bridge';

/** A fake ipcRenderer that records invocations and lets the test deliver event batches. */
function fakeIpc() {
  const invocations: unknown[][] = [];
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const ipc: IpcRendererLike = {
    async invoke(channel, ...args) {
      invocations.push([channel, ...args]);
      return { ok: true, ret: 3, callId: 1 };
    },
    on(channel, listener) {
      listeners.set(channel, listener);
    },
  };
  const deliver = (batch: unknown) => listeners.get(EVENT_CHANNEL)?.({ sender: 'ipc-internals' }, batch);
  return { ipc, invocations, deliver, listeners };
}

describe('createBridge', () => {
  it('sends every request on the one invoke channel as (name, input)', async () => {
    const { ipc, invocations } = fakeIpc();
    const bridge = createBridge(ipc);
    const answer = await bridge.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
    expect(answer).toEqual({ ok: true, ret: 3, callId: 1 });
    expect(invocations).toEqual([[INVOKE_CHANNEL, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }]]);
  });

  it('listens on the event channel only and hands each envelope of a batch to its subscribers', () => {
    const { ipc, deliver, listeners } = fakeIpc();
    const bridge = createBridge(ipc);
    expect([...listeners.keys()]).toEqual([EVENT_CHANNEL]);
    const removed: unknown[] = [];
    const off = bridge.on('socket.removed', (payload) => removed.push(payload));
    deliver([
      { name: 'socket.removed', payload: { fd: 3 } },
      { name: 'call.logged', payload: { id: 1 } },
      'garbage',
      { name: 'socket.removed', payload: { fd: 4 } },
    ]);
    expect(removed).toEqual([{ fd: 3 }, { fd: 4 }]);
    off();
    deliver([{ name: 'socket.removed', payload: { fd: 5 } }]);
    expect(removed).toEqual([{ fd: 3 }, { fd: 4 }]);
  });

  it('keeps delivering when one subscriber throws, and never passes the IPC event object', () => {
    const { ipc, deliver } = fakeIpc();
    const bridge = createBridge(ipc);
    const seen: unknown[][] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    bridge.on('socket.removed', () => {
      throw new Error('broken view');
    });
    bridge.on('socket.removed', (...args: unknown[]) => seen.push(args));
    deliver([{ name: 'socket.removed', payload: { fd: 3 } }]);
    expect(seen).toEqual([[{ fd: 3 }]]);
    quiet.mockRestore();
  });
});

describe('preload entry', () => {
  beforeEach(() => {
    electron.resetElectronMock();
    vi.resetModules();
  });

  it('exposes exactly one frozen LabApi as window.socklab', async () => {
    // resetModules gave the preload a fresh electron mock: inspect that one.
    const electron = (await import('electron')) as unknown as typeof import('../mocks/electron');
    await import('../../src/preload/index');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0];
    expect(key).toBe('socklab');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'on']);
    // The exposed API goes through ipcRenderer, which itself is not exposed.
    await (api as { invoke: (name: string, input: unknown) => Promise<unknown> }).invoke('lab.info', {});
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(INVOKE_CHANNEL, 'lab.info', {});
  });

  it('imports nothing at run time but electron and import-free shared modules', () => {
    // A sandboxed preload can only require('electron'); anything else would fail to load.
    const allowed = new Set(['electron', './bridge', '@shared/channels', '@shared/event-hub']);
    const files = ['src/preload', 'src/shared/channels.ts', 'src/shared/event-hub.ts'];
    const sources = files.flatMap((path) =>
      path.endsWith('.ts')
        ? [path]
        : readdirSync(path)
            .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
            .map((name) => join(path, name)),
    );
    for (const file of sources) {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const runtimeImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      for (const spec of runtimeImports) expect(allowed, `${file} imports ${spec}`).toContain(spec);
      expect(text).not.toMatch(/\brequire\(/);
    }
  });
});
