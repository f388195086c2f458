/**
 * Web mode's guard, seen from Chromium: without this run's token the page says it was refused
 * and can open no socket; a page served from another origin is refused even with the right
 * token. A control from the lab's own page proves the same WebSocket opens when it should, so
 * the refusals below cannot pass merely because nothing ever connects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSession, type E2eSession } from './harness';
import { UI_WAIT_MS, WorkbenchPage } from './workbench-page';

let session: E2eSession;
let foreign: Server | undefined;

/** Chromium's console line for a WebSocket the server answered with an HTTP error. */
const REFUSED_WEBSOCKET = /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?token=[^']*' failed/;

/** Opens a WebSocket from inside `page` and reports whether it opened or was refused. */
async function tryWebSocket(page: Page, url: string): Promise<'open' | 'refused'> {
  return page.evaluate(
    (target) =>
      new Promise<'open' | 'refused'>((resolve) => {
        const ws = new WebSocket(target);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onclose = () => resolve('refused');
      }),
    url,
  );
}

beforeAll(async () => {
  session = await startSession();
});

afterEach(() => {
  if (!session) return;
  expect(session.unexpectedProblems(), 'console errors, page errors or CSP violations').toEqual([]);
});

afterAll(async () => {
  if (foreign) await new Promise<void>((done) => foreign!.close(() => done()));
  await session?.close();
});

describe('web mode refuses pages without the token', () => {
  for (const [label, search] of [
    ['no token', ''],
    ['a wrong token', '?token=not-the-token'],
  ] as const) {
    it(`with ${label}: says it was refused and opens no socket`, async () => {
      session.expectProblem(REFUSED_WEBSOCKET);
      const page = await session.newPage();
      const ui = new WorkbenchPage(page);
      await page.goto(`${session.server.origin}/${search}`);
      const status = ui.byTestId('lab-status');
      await expect.poll(() => status.textContent(), { timeout: UI_WAIT_MS }).toMatch(/refused this page/);
      expect(await status.textContent()).toMatch(/open the exact URL/);

      // A student who tries anyway is told the lab cannot be reached (not a made-up errno of
      // socket(), which C never returns for this), and no socket appears.
      await ui.byTestId('new-socket-create').click();
      const refusal = ui.byTestId('new-socket-transport');
      await expect.poll(() => refusal.textContent(), { timeout: UI_WAIT_MS }).toMatch(/socket\(\) could not reach the lab/);
      expect(await page.getByTestId('errno-name').count()).toBe(0);
      expect(await page.locator('[data-testid^="socket-row-"]').count()).toBe(0);
      await session.screenshot(`security-${search === '' ? 'no-token' : 'wrong-token'}`, page);
      await page.close();
    });
  }
});

describe('web mode refuses other origins', () => {
  it('opens the WebSocket from its own page with the token (control)', async () => {
    const ui = new WorkbenchPage(session.page);
    await ui.open(session.server.url);
    const url = `${session.server.origin.replace('http:', 'ws:')}/ws?token=${session.server.token}`;
    expect(await tryWebSocket(session.page, url)).toBe('open');
  });

  it('takes the token out of the address bar once the page has it, and still works after a reload', async () => {
    const ui = new WorkbenchPage(session.page);
    await ui.open(session.server.url);
    await expect.poll(() => session.page.url(), { timeout: UI_WAIT_MS }).toBe(`${session.server.origin}/`);
    await session.page.reload();
    const status = ui.byTestId('lab-status');
    await expect.poll(async () => (await status.textContent()) ?? '', { timeout: UI_WAIT_MS }).toMatch(/Lab ready/);
    expect(session.page.url()).not.toContain(session.server.token);
  });

  it('refuses a page from another origin that has the right token', async () => {
    session.expectProblem(REFUSED_WEBSOCKET);
    const target = `${session.server.origin.replace('http:', 'ws:')}/ws?token=${session.server.token}`;
    // The other site's page: it tries the lab's WebSocket as soon as it loads.
    const html = `<!doctype html><html><head><title>pending</title></head><body><script>
      const ws = new WebSocket(${JSON.stringify(target)});
      ws.onopen = () => { document.title = 'open'; };
      ws.onclose = () => { if (document.title !== 'open') document.title = 'refused'; };
    </script></body></html>`;
    foreign = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html));
    await new Promise<void>((done) => foreign!.listen(0, '127.0.0.1', () => done()));
    const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    expect(foreignOrigin).not.toBe(session.server.origin);

    const page = await session.newPage();
    await page.goto(`${foreignOrigin}/`);
    await page.waitForFunction("document.title !== 'pending'", undefined, { timeout: UI_WAIT_MS });
    expect(await page.title()).toBe('refused');
    // The same page trying again from script gets the same answer.
    expect(await tryWebSocket(page, target)).toBe('refused');
    await page.close();
  });
});

describe('the page watch', () => {
  it('reports a CSP violation in the lab page, so no journey can miss one', async () => {
    const ui = new WorkbenchPage(session.page);
    await ui.open(session.server.url);
    const before = session.unexpectedProblems().length;
    // An inline script: the lab's policy (script-src 'self') must refuse it, and say so.
    await session.page.evaluate(
      "document.body.appendChild(Object.assign(document.createElement('script'), { textContent: 'window.__inline = 1' }))",
    );
    await expect.poll(() => session.unexpectedProblems().length, { timeout: UI_WAIT_MS }).toBeGreaterThan(before);
    const problem = session.unexpectedProblems().at(-1)!;
    expect(problem.kind).toBe('csp');
    expect(problem.text).toMatch(/inline script violates the following Content Security Policy/);
    expect(await session.page.evaluate('window.__inline === undefined')).toBe(true);
    session.expectProblem(/inline script violates the following Content Security Policy/);
  });
});
