/**
 * The preload: exposes exactly one frozen object, `window.socklab` (the LabApi), and nothing
 * else. Built as CommonJS (`out/preload/index.cjs`) because a sandboxed preload can only
 * `require('electron')`; keep Node imports out of this file and of bridge.ts.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('socklab', Object.freeze(createBridge(ipcRenderer)));
