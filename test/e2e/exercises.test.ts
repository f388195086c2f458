/**
 * The exercise panel end to end in Chromium against web mode: open the TCP lifecycle exercise,
 * start capture on lo from the panel, make the calls through the workbench until its first
 * checks turn green live, then read the exercise in Chinese. Every step fails on any console
 * error, page error or CSP violation it caused.
 */
import { describe, expect, it } from 'vitest';
import type { E2eSession } from './harness';
import { UI_WAIT_MS, WorkbenchPage, waitFor } from './workbench-page';
import { useWorkbenchSession } from './workbench-session';

let session: E2eSession;
let ui: WorkbenchPage;

useWorkbenchSession((opened, page) => {
  session = opened;
  ui = page;
});

/** The live status of one check of the open exercise: passed, failed or pending. */
function checkStatus(id: string): Promise<string | null> {
  return ui.byTestId(`exercise-check-${id}`).getAttribute('data-status');
}

async function waitForCheck(id: string, status: 'passed' | 'failed'): Promise<void> {
  await waitFor(
    `check ${id} to be ${status}`,
    () => checkStatus(id),
    (value) => value === status,
  );
}

describe('exercise: the TCP server and client lifecycle', () => {
  let server = 0;
  let client = 0;
  let port = 0;

  it('lists the exercises and opens the TCP lifecycle one, with every check not yet passed', async () => {
    await ui.showTab('exercises');
    const item = ui.byTestId('exercise-list').getByTestId('exercise-item-tcp-lifecycle');
    await expect.poll(() => item.isVisible(), { timeout: UI_WAIT_MS }).toBe(true);
    expect(await item.textContent()).toContain('The TCP server and client lifecycle');
    await item.click();
    await expect.poll(() => ui.byTestId('exercise-view').isVisible(), { timeout: UI_WAIT_MS }).toBe(true);
    expect(await ui.byTestId('exercise-step').count()).toBe(5);
    await waitForCheck('handshake', 'failed');
    await waitForCheck('accepted', 'failed');
    expect(await ui.byTestId('exercise-progress').textContent()).toContain('0 of 5 checks pass');
  });

  it('reveals a hint and starts capture on lo from the panel', async () => {
    await ui.byTestId('exercise-hint-reveal').click();
    await expect.poll(() => ui.byTestId('exercise-hint').count(), { timeout: UI_WAIT_MS }).toBe(1);
    await ui.byTestId('exercise-capture-start').click();
    await expect.poll(() => ui.byTestId('exercise-capture-running').isVisible(), { timeout: UI_WAIT_MS }).toBe(true);
  });

  it('turns the handshake and accept checks green as the student makes the calls', async () => {
    server = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(server);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    port = await ui.localPort(server);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);
    await waitFor(
      'the server role to be bound',
      async () => (await ui.byTestId('exercise-role-bound-server').textContent()) ?? '',
      (text) => text.includes(`fd ${server}`),
    );

    client = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.run('connect', { address: '127.0.0.1', port }, /connect\(\) returned 0/);
    await waitForCheck('handshake', 'passed');
    const handshake = ui.byTestId('exercise-check-handshake');
    expect(await handshake.getByTestId('exercise-check-passed').count()).toBe(1);
    // Its evidence names the three frames of the handshake.
    expect(await handshake.locator('[data-testid^="exercise-evidence-packet-"]').count()).toBeGreaterThanOrEqual(3);

    await ui.selectSocket(server);
    await ui.run('accept', {}, /accept\(\) returned \d+/);
    await waitForCheck('accepted', 'passed');
    await waitForCheck('end-of-stream', 'failed');
    expect(await ui.byTestId('exercise-progress').textContent()).toMatch(/[2-5] of 5 checks pass/);
    await session.screenshot('exercise-tcp-lifecycle');
  });

  it('shows the exercise in Chinese, with the checks still green', async () => {
    await ui.byTestId('language-switch').selectOption('zh-CN');
    await waitFor(
      'the exercise title in Chinese',
      async () => (await ui.byTestId('exercise-title').textContent()) ?? '',
      (text) => text.includes('TCP 服务器与客户端的生命周期'),
    );
    const steps = await ui.byTestId('exercise-step').allTextContents();
    expect(steps[0]).toContain('创建服务器套接字');
    // The hint's ${server.port} is filled with the live port.
    expect(await ui.byTestId('exercise-hint').first().textContent()).toContain(`127.0.0.1:${port}`);
    expect(await ui.byTestId('exercise-check-handshake').textContent()).toContain('到服务器端口的三次握手');
    expect(await checkStatus('handshake')).toBe('passed');
    expect(await ui.byTestId('exercise-progress').textContent()).toMatch(/5 项检查中通过 [2-5] 项/);
    expect(await ui.byTestId('tab-exercises').textContent()).toContain('练习');
  });

  it('opens the API reference at a call from the call panel, in Chinese', async () => {
    // WorkbenchPage.selectSocket waits for the English panel title; here the UI is in Chinese.
    await ui.byTestId(`socket-row-${client}`).click();
    await waitFor(
      `the call panel to show fd ${client}`,
      () => ui.byTestId('call-panel').getAttribute('aria-label'),
      (label) => (label ?? '').includes(` ${client} `),
    );
    await ui.chooseCall('send');
    await ui.byTestId('reference-open-send').click();
    await expect.poll(() => ui.byTestId('reference-entry-send').isVisible(), { timeout: UI_WAIT_MS }).toBe(true);
    expect(await ui.byTestId('reference-entry-send').textContent()).toContain('ssize_t send(');
    expect(await ui.byTestId('reference-entry-send').textContent()).toContain('返回值');
    await ui.byTestId('reference-search').fill('EADDRINUSE');
    await expect.poll(() => ui.byTestId('reference-nav-bind').isVisible(), { timeout: UI_WAIT_MS }).toBe(true);
  });
});
