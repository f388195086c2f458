/**
 * The desktop renderer's own origin, app://socklab: files come from the built renderer folder
 * only, every response carries the one CSP (from csp.ts; index.html has no copy of it), and the
 * scheme is standard and secure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../mocks/electron'));
import * as electron from '../mocks/electron';
import { APP_URL, handleAppProtocol, registerAppScheme, serveAppRequest } from '../../src/main/app-protocol';
import { contentSecurityPolicy } from '../../src/main/transport';

let root: string;
let rendererDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'socklab-app-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SockLab</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves the page and its assets with the strict CSP (frame-ancestors included) and nosniff', async () => {
    const page = await serveAppRequest(APP_URL, rendererDir);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('ws:');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>SockLab</title>');
    const script = await serveAppRequest('app://socklab/assets/app.js', rendererDir);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'app://socklab/../secret.txt',
    'app://socklab/%2e%2e/secret.txt',
    'app://socklab/assets/link.txt',
    'app://other/index.html',
    'app://socklab/missing.js',
  ])('answers 404 for %s', async (url) => {
    const answer = await serveAppRequest(url, rendererDir);
    expect(answer.status).toBe(404);
    expect(await answer.text()).not.toContain('outside');
  });

  it('registers app: as standard and secure before ready, and handles it once ready', async () => {
    electron.resetElectronMock();
    registerAppScheme(electron.protocol as never);
    expect(electron.protocol.privileged[0]).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    electron.app.becomeReady();
    handleAppProtocol(electron.protocol as never, rendererDir);
    const answer = await electron.protocol.handlers.get('app')!(new Request(APP_URL));
    expect(answer.status).toBe(200);
  });
});

describe('one Content-Security-Policy', () => {
  it('lives in csp.ts only: the page carries no <meta> copy to drift from it', () => {
    const html = readFileSync(join(__dirname, '..', '..', 'src', 'renderer', 'index.html'), 'utf8');
    expect(html).not.toMatch(/Content-Security-Policy/i);
  });
});
