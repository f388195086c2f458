/**
 * Web mode under pressure and attack, with a real server and a real lab: cancel and reset get
 * through a full page, a page that leaves has its blocked calls cancelled, request bytes in
 * flight are bounded, the Host header must name an address the server listens on (or an
 * allowed name), "127.1" is loopback, and the token never reaches the server's log.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type WireMessage } from '@shared/wire';
import { startWebServer, type WebServer, type WebServerOptions } from '../../src/main/web/server';
import { call, ok, openLab, steps } from '../helpers/lab';
import type { Lab } from '../../src/main/lab/index';

let root: string;
let rendererDir: string;
let lab: Lab;
const servers: WebServer[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'socklab-web-robust-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SockLab</title>');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await lab?.close();
});

async function serve(options: Partial<WebServerOptions> = {}): Promise<WebServer> {
  lab = openLab({ mode: 'web' });
  const server = await startWebServer({ lab, rendererDir, ...options });
  servers.push(server);
  return server;
}

/** A page's connection: requests paired with answers by id. */
async function page(server: WebServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const answers = new Map<number, (output: Record<string, unknown>) => void>();
  ws.on('message', (data) => {
    const message = decodeFrame(String(data)) as WireMessage;
    if (message.type === 'result') answers.get(message.id)?.(message.output as Record<string, unknown>);
  });
  let nextId = 1;
  return {
    ws,
    /** Sends a request frame as given (input may be left out, or padded). */
    send(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
      const id = nextId++;
      return new Promise((resolve) => {
        answers.set(id, resolve);
        ws.send(encodeFrame({ id, ...frame }));
      });
    },
    invoke(name: string, input: unknown): Promise<Record<string, unknown>> {
      return this.send({ name, input });
    },
  };
}

/** Polls `check` every 10 ms for at most 2 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

describe('web mode: a page stuck in blocking calls', () => {
  it('still gets socket.cancel and lab.reset through when its request slots are all taken', async () => {
    const server = await serve({ maxInFlight: 3 });
    const p = await page(server);
    const { fd } = await steps(lab).listener();
    const blocked = [p.invoke('socket.accept', { fd }), p.invoke('socket.accept', { fd }), p.invoke('socket.accept', { fd })];
    expect(await p.invoke('lab.info', {})).toMatchObject({ ok: false, errno: 'EAGAIN' });
    expect(await p.invoke('socket.cancel', { fd })).toEqual({ ok: true, value: { cancelled: true } });
    for (const answer of await Promise.all(blocked)) expect(answer).toMatchObject({ ok: false, errno: 'EINTR' });

    const again = [p.invoke('socket.accept', { fd }), p.invoke('socket.accept', { fd }), p.invoke('socket.accept', { fd })];
    expect(await p.invoke('lab.reset', {})).toMatchObject({ ok: true, value: { closed: 1 } });
    for (const answer of await Promise.all(again)) expect(answer).toMatchObject({ ok: false, errno: 'EBADF' });
    p.ws.close();
  });

  it('cancels the calls a page left blocked when its WebSocket closes', async () => {
    const server = await serve();
    const p = await page(server);
    const { fd } = await steps(lab).listener();
    void p.invoke('socket.accept', { fd });
    const blockedIn = async () => ok(await call(lab, 'lab.sockets', {})).value.find((s) => s.fd === fd)?.blockedIn ?? null;
    expect(await eventually(async () => (await blockedIn()) === 'accept')).toBe(true);
    p.ws.close();
    expect(await eventually(async () => (await blockedIn()) === null)).toBe(true);
    const accept = ok(await call(lab, 'lab.calls', {})).value.find((record) => record.call === 'accept');
    expect(accept).toMatchObject({ ret: -1, errno: 'EINTR' });
  });
});

describe('web mode: request frames', () => {
  it('answers a request without input instead of closing the page', async () => {
    const server = await serve();
    const p = await page(server);
    expect(await p.send({ name: 'lab.info' })).toMatchObject({ ok: true, value: { mode: 'web' } });
    expect(p.ws.readyState).toBe(WebSocket.OPEN);
    p.ws.close();
  });

  it('bounds the request bytes all pages hold at once; a refused request frees nothing it did not take', async () => {
    const server = await serve({ maxBytesInFlight: 1024 * 1024 });
    const a = await page(server);
    const b = await page(server);
    const { fd } = await steps(lab).listener();
    // Unknown keys are dropped by the schema, but the frame's bytes were received and count.
    const pad = 'x'.repeat(600 * 1024);
    const held = a.invoke('socket.accept', { fd, pad });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await b.invoke('socket.accept', { fd, pad })).toMatchObject({
      ok: false,
      errno: 'EAGAIN',
      message: expect.stringContaining('busy'),
    });
    expect(await b.invoke('lab.info', {})).toMatchObject({ ok: true });
    expect(await b.invoke('socket.cancel', { fd })).toMatchObject({ ok: true });
    expect(await held).toMatchObject({ errno: 'EINTR' });
    const next = b.invoke('socket.accept', { fd, pad });
    expect(await b.invoke('socket.cancel', { fd })).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await next).toMatchObject({ errno: 'EINTR' });
    a.ws.close();
    b.ws.close();
  });
});

/** The status of GET `path` sent to `address`:`port` with the Host header `host`. */
function httpStatus(port: number, host: string, path = '/', address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web mode: Host header and loopback', () => {
  it('takes only the addresses it listens on, localhost on loopback, and --allow-host names', async () => {
    const server = await serve({ host: '127.0.0.2', allowedHosts: ['lab.example'] });
    // 127.0.0.2 is what it listens on; 127.0.0.1 is another address, even if also loopback.
    const connectTo = (host: string) => httpStatus(server.port, host, '/', '127.0.0.2');
    expect(await connectTo(`127.0.0.2:${server.port}`)).toBe(200);
    expect(await connectTo(`localhost:${server.port}`)).toBe(200);
    expect(await connectTo(`LAB.example:${server.port}`)).toBe(200);
    expect(await connectTo(`127.0.0.1:${server.port}`)).toBe(421);
    expect(await connectTo(`evil.example:${server.port}`)).toBe(421);
    expect(await connectTo(`lab.example:${server.port + 1}`)).toBe(421);
  });

  it('treats --host 127.1 as the loopback address it is', async () => {
    const server = await serve({ host: '127.1' });
    expect(server.loopback).toBe(true);
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
    expect(await httpStatus(server.port, `127.0.0.1:${server.port}`)).toBe(200);
  });
});

describe('web mode: the token stays out of the log', () => {
  it('logs a failed static request by its path only', async () => {
    const warnings: string[] = [];
    const server = await serve({ warn: (message) => warnings.push(message) });
    // A request target the URL parser rejects makes serving fail after the Host check.
    const socket = netConnect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end(`GET //x:99999/?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    socket.resume();
    await closed;
    expect(await eventually(async () => warnings.length > 0)).toBe(true);
    expect(warnings.join('\n')).toContain('serving //x:99999/ failed');
    expect(warnings.join('\n')).not.toContain(server.token);
  });
});
