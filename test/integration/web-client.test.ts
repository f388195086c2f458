/**
 * The renderer's web-mode client (`createWebSocketLabApi`) against the real server and a real
 * lab: it implements LabApi over the WebSocket, delivers event batches, and turns a refused or
 * lost connection into ECONNRESET values that say what to do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import type { SocketInfo } from '@shared/socket';
import { createWebSocketLabApi, isTransportRefusal, webSocketUrl, type WebSocketClass } from '@shared/ws-client';
import { startWebServer, type WebServer } from '../../src/main/web/server';
import { openLab } from '../helpers/lab';
import type { Lab } from '../../src/main/lab/index';

let lab: Lab;
let server: WebServer;
let rendererDir: string;
/** A WebSocket as a page of this server opens it (a browser sends the page's Origin itself). */
let PageWebSocket: WebSocketClass;

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'socklab-client-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  lab = openLab({ mode: 'web' });
  server = await startWebServer({ lab, rendererDir });
  const origin = server.origin;
  PageWebSocket = class extends NodeWebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  };
});

afterAll(async () => {
  await server?.close();
  await lab?.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

const wsUrl = (token: string) => webSocketUrl({ protocol: 'http:', host: `127.0.0.1:${server.port}` }, token);

describe('createWebSocketLabApi', () => {
  it('builds the WebSocket URL from the page location and its token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:9' }, 'a b')).toBe('ws://127.0.0.1:9/ws?token=a%20b');
    expect(webSocketUrl({ protocol: 'https:', host: 'h:1' }, '')).toBe('wss://h:1/ws?token=');
  });

  it('invokes routes (queued until open) and delivers events to subscribers', async () => {
    const api = createWebSocketLabApi(wsUrl(server.token), PageWebSocket);
    const seen: SocketInfo[] = [];
    const changed = new Promise<void>((resolve) => {
      api.on('socket.changed', (info) => {
        seen.push(info);
        resolve();
      });
    });
    const answer = await api.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
    if (!answer.ok) throw new Error(answer.message);
    await changed;
    expect(seen[0]).toMatchObject({ fd: answer.ret, type: 'SOCK_DGRAM' });
    expect(await api.invoke('socket.close', { fd: answer.ret })).toMatchObject({ ok: true });
    const invalid = await api.invoke('socket.listen', { fd: -4 });
    expect(invalid).toMatchObject({ ok: false, errno: 'EINVAL', ret: -1 });
    expect(isTransportRefusal(invalid)).toBe(false); // the lab's own answer, explained as an errno
  });

  it('answers ECONNRESET, saying to open the printed URL, when the server refuses the page', async () => {
    const api = createWebSocketLabApi(wsUrl('not-the-token'), PageWebSocket);
    const answer = await api.invoke('lab.info', {});
    expect(answer).toMatchObject({ ok: false, errno: 'ECONNRESET', transport: true });
    expect(isTransportRefusal(answer)).toBe(true);
    expect((answer as { message: string }).message).toContain('npm run serve');
    // Later requests answer at once, the same way.
    expect(await api.invoke('socket.close', { fd: 3 })).toMatchObject({ ok: false, ret: -1, errno: 'ECONNRESET', transport: true });
  });

  it('resolves requests still waiting when the connection is lost', async () => {
    const api = createWebSocketLabApi(wsUrl(server.token), PageWebSocket);
    const made = await api.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
    if (!made.ok) throw new Error(made.message);
    expect(await api.invoke('socket.listen', { fd: made.ret, backlog: 1 })).toMatchObject({ ok: true });
    const accepting = api.invoke('socket.accept', { fd: made.ret }); // blocks: nobody connects
    await server.close();
    expect(await accepting).toMatchObject({ ok: false, errno: 'ECONNRESET', ret: -1, transport: true });
    expect(((await accepting) as { message: string }).message).toContain('lost');
  });
});
