/**
 * The first hour: an empty lab shows the start screen; each classic flow is one click from a
 * guided walk, which a student follows to the end by pressing the guide's button and Run —
 * every call real, every step checked from the call log. Screenshots of the start screen and
 * of a walk in English and Chinese at 1440×900 and 1280×800 (`guide-*.png`).
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

async function shoot(name: string): Promise<void> {
  for (const [width, height] of [
    [1440, 900],
    [1280, 800],
  ] as const) {
    await session.page.setViewportSize({ width, height });
    for (const locale of ['en', 'zh-CN'] as const) {
      await ui.byTestId('language-switch').selectOption(locale);
      await session.screenshot(`guide-${name}-${locale}-${width}x${height}`);
    }
  }
  await ui.byTestId('language-switch').selectOption('en');
  await session.page.setViewportSize({ width: 1400, height: 900 });
}

/** "step N of M", or "done": read from the panel in one go, since the step line leaves as "done" comes. */
async function progress(): Promise<string> {
  const text = (await ui.byTestId('guide-panel').textContent()) ?? '';
  return /step \d+ of \d+/.exec(text)?.[0] ?? (text.includes('Done') ? 'done' : text);
}

/** Follows the walk to its end: the guide's button, then Run for every call but socket(). */
async function walk(onStep?: (step: string) => Promise<void>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const before = await progress();
    if (before === 'done') return;
    await onStep?.(before);
    const call = ((await ui.byTestId('guide-next-call').textContent()) ?? '').trim();
    await ui.byTestId('guide-go').click();
    if (call !== 'socket()') {
      await waitFor(
        `${call} to be chosen`,
        () => ui.byTestId('call-run').textContent(),
        (text) => (text ?? '').includes(call),
      );
      await ui.byTestId('call-run').click();
    }
    await waitFor(`the walk to move past ${call} (${before})`, progress, (now) => now !== before).catch(async (error: unknown) => {
      await session.screenshot('guide-stuck');
      throw error;
    });
  }
  throw new Error('the walk did not end');
}

describe('start screen and guided walks', () => {
  it('shows the start screen on an empty lab', async () => {
    await ui.byTestId('start-screen').waitFor({ timeout: UI_WAIT_MS });
    expect((await ui.byTestId('start-screen').textContent()) ?? '').toContain('TCP: a server and a client');
    await shoot('start');
  });

  it('walks a TCP server and client from socket() to close()', async () => {
    await ui.byTestId('start-guide-tcp').click();
    expect(await progress()).toBe('step 1 of 14');
    await walk(async (step) => {
      if (step === 'step 6 of 14') {
        // accept() is next: its button is highlighted on the listening socket.
        await ui.byTestId('guide-go').click();
        await expect.poll(() => ui.byTestId('call-accept').first().getAttribute('class')).toMatch(/guide-next/);
        await shoot('tcp-accept');
      }
    });
    expect((await ui.byTestId('guide-done').textContent()) ?? '').toContain('Done');
    // Every socket of the walk is closed and kept, greyed: server, client and the accepted one.
    expect(await ui.closedRowCount()).toBe(3);
    await ui.showTab('calls');
    const log = (await ui.byTestId('call-log').textContent()) ?? '';
    for (const call of ['listen(', 'accept(', 'recv(']) expect(log).toContain(call);
    await ui.showTab('transcript');
    await ui.byTestId('guide-end').click();
    await ui.byTestId('clear-closed').click();
  });

  it('walks two UDP sockets', async () => {
    await ui.byTestId('start-guide-udp').click();
    await walk();
    expect((await ui.byTestId('guide-done').textContent()) ?? '').toContain('no handshake');
    expect(await ui.closedRowCount()).toBe(2);
    await ui.byTestId('guide-end').click();
  });
});
