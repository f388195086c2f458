/**
 * Web mode end to end: a real server in front of a real lab (no capture process). The WebSocket
 * must refuse a missing or wrong token and a foreign Origin, serve the LabApi to the right page,
 * validate input like IPC does, push event batches; static files must never leave out/renderer.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventEnvelope } from '@shared/events';
import type { WireMessage } from '@shared/wire';
import { MAX_FRAME_BYTES, startWebServer, type WebServer } from '../../src/main/web/server';
import { openLab } from '../helpers/lab';
import type { Lab } from '../../src/main/lab/index';

let lab: Lab;
let server: WebServer;
let root: string;
let rendererDir: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'socklab-web-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SockLab</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
  lab = openLab({ mode: 'web' });
  server = await startWebServer({ lab, rendererDir });
});

afterAll(async () => {
  await server?.close();
  await lab?.close();
  rmSync(root, { recursive: true, force: true });
});

const wsUrl = (token: string | null) => `ws://127.0.0.1:${server.port}/ws${token === null ? '' : `?token=${token}`}`;

/** Opens a WebSocket; resolves with it once open, or with the HTTP status that refused it. */
function connect(url: string, origin: string): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** A connected client that pairs answers with requests and records event batches. */
async function client() {
  const opened = await connect(wsUrl(server.token), server.origin);
  if (!('ws' in opened)) throw new Error(`refused with ${opened.status}`);
  const { ws } = opened;
  const answers = new Map<number, (output: unknown) => void>();
  const batches: EventEnvelope[][] = [];
  const batchWaiters: Array<() => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as WireMessage;
    if (message.type === 'result') answers.get(message.id)?.(message.output);
    else {
      batches.push(message.events);
      for (const wake of batchWaiters.splice(0)) wake();
    }
  });
  let nextId = 1;
  return {
    ws,
    batches,
    invoke(name: string, input: unknown): Promise<Record<string, unknown>> {
      const id = nextId++;
      return new Promise((resolve) => {
        answers.set(id, (output) => resolve(output as Record<string, unknown>));
        ws.send(JSON.stringify({ id, name, input }));
      });
    },
    /** Resolves once a batch holding an event named `name` has arrived. */
    async eventNamed(name: string): Promise<EventEnvelope> {
      for (;;) {
        const found = batches.flat().find((envelope) => envelope.name === name);
        if (found) return found;
        await new Promise<void>((wake) => batchWaiters.push(wake));
      }
    },
  };
}

function httpGet(
  path: string,
  host?: string,
): Promise<{ status: number; type: string | undefined; body: string; csp: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'],
          body,
          csp: res.headers['content-security-policy'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web mode WebSocket', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a WebSocket without the token', async () => {
    expect(await connect(wsUrl(null), server.origin)).toEqual({ status: 401 });
  });

  it('refuses a WebSocket with a wrong token', async () => {
    const wrong = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');
    expect(await connect(wsUrl(wrong), server.origin)).toEqual({ status: 401 });
  });

  it('refuses a WebSocket from a foreign Origin, even with the token', async () => {
    expect(await connect(wsUrl(server.token), 'http://evil.example')).toEqual({ status: 403 });
    expect(await connect(wsUrl(server.token), `http://localhost:${server.port + 1}`)).toEqual({ status: 403 });
  });

  it('serves the lab to the right page: socket() returns a descriptor and an event batch arrives', async () => {
    const c = await client();
    const answer = await c.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
    expect(answer).toMatchObject({ ok: true });
    expect(answer.ret).toBeGreaterThanOrEqual(3);
    const changed = await c.eventNamed('socket.changed');
    expect(changed.payload).toMatchObject({ fd: answer.ret, domain: 'AF_INET', type: 'SOCK_STREAM' });
    expect(await c.invoke('socket.close', { fd: answer.ret })).toMatchObject({ ok: true, ret: 0 });
    c.ws.close();
  });

  it('answers invalid input and unknown routes with EINVAL values', async () => {
    const c = await client();
    const bad = await c.invoke('socket.bind', { fd: 3, address: { family: 'AF_INET', address: '127.0.0.1', port: 70000 } });
    expect(bad).toMatchObject({ ok: false, ret: -1, errno: 'EINVAL', code: 22, callId: 0 });
    expect(String(bad.message)).toContain('address.port');
    const unknown = await c.invoke('fs.readFile', { path: '/etc/passwd' });
    expect(unknown).toMatchObject({ ok: false, errno: 'EINVAL' });
    // Validation ran before the lab: no call reached the call log.
    const calls = await c.invoke('lab.calls', {});
    expect((calls.value as Array<{ call: string }>).some((record) => record.call === 'bind')).toBe(false);
    c.ws.close();
  });

  it('closes a connection that sends something other than a request', async () => {
    const c = await client();
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('not json');
    expect(await closed).toBe(1008);
  });
});

describe('web mode static files', () => {
  it('serves the page and assets with their MIME types and the CSP', async () => {
    const page = await httpGet('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.csp).toContain("script-src 'self'");
    expect(page.csp).toContain(`ws://127.0.0.1:${server.port}`);
    expect((await httpGet('/assets/app.js')).type).toBe('text/javascript; charset=utf-8');
    expect((await httpGet('/assets/app.css')).type).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/link.txt',
    '/%00index.html',
    '/%E0%A4%A',
  ])('refuses %s', async (path) => {
    const answer = await httpGet(path);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('outside the renderer');
  });

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    expect((await httpGet('/', `evil.example:${server.port}`)).status).toBe(421);
  });
});

describe('web mode limits', () => {
  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const c = await client();
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(MAX_FRAME_BYTES + 1024));
    expect(await closed).toBe(1009);
    const other = await client();
    expect(await other.invoke('lab.info', {})).toMatchObject({ ok: true, value: { mode: 'web' } });
    other.ws.close();
  });
});
