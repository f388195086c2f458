/**
 * The TCP_INFO tab end to end in Chromium against web mode: a connected pair made by hand, the
 * kernel's view of the client shown live (ESTABLISHED, the ss -ti line, the plot), in the light
 * and the dark theme, and in Chinese.
 */
import { describe, expect, it } from 'vitest';
import type { E2eSession } from './harness';
import type { WorkbenchPage } from './workbench-page';
import { useWorkbenchSession } from './workbench-session';

let session: E2eSession;
let ui: WorkbenchPage;

useWorkbenchSession((opened, page) => {
  session = opened;
  ui = page;
});

describe('TCP_INFO tab', () => {
  it('shows the kernel’s view of a connected client, live, in both themes and both languages', async () => {
    const server = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(server);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    const port = await ui.localPort(server);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);
    await ui.showTab('tcpinfo');
    await expect.poll(async () => (await ui.byTestId('tcpinfo-kernel-state').textContent()) ?? '').toContain('LISTEN');

    const client = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.run('connect', { address: '127.0.0.1', port }, /connect\(\) returned 0/);
    await ui.waitForState(client, 'connected');
    await expect.poll(async () => (await ui.byTestId('tcpinfo-kernel-state').textContent()) ?? '').toContain('ESTABLISHED');
    expect((await ui.byTestId('tcpinfo-ss').textContent()) ?? '').toMatch(/rtt:\d+\.\d+\/\d+\.\d+ .*cwnd:\d+/);
    expect(await ui.byTestId('tcpinfo-plot').isVisible()).toBe(true);
    await session.screenshot('tcpinfo-light');

    await ui.byTestId('theme-toggle').click();
    await expect.poll(() => session.page.locator('html').getAttribute('data-theme')).toBe('dark');
    await session.screenshot('tcpinfo-dark');
    await ui.byTestId('theme-toggle').click();

    await ui.byTestId('language-switch').selectOption('zh-CN');
    await expect.poll(async () => (await ui.byTestId('tcpinfo-kernel-state').textContent()) ?? '').toContain('内核');
    await ui.byTestId('language-switch').selectOption('en');
  });
});
