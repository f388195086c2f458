/**
 * The lab network end to end in Chromium against web mode (the server runs as root here, so
 * user namespaces work): create hosts A and B, capture the link at A, hold a handshake in step
 * mode and step through it by hand, drop the SYN-ACK, and see A's kernel send its SYN again, in
 * the packet list and in the ladder. Screenshots of the panel and of step mode, in English and
 * Chinese at 1440×900 and 1280×800, go to test-results/e2e/.
 */
import { describe, expect, it } from 'vitest';
import type { E2eSession } from './harness';
import { UI_WAIT_MS, WorkbenchPage, waitFor } from './workbench-page';
import { useWorkbenchSession } from './workbench-session';
import { NetworkPage, NET_START_MS } from './network-page';

/** The SYN is retransmitted about a second after the SYN-ACK is lost; leave room for a slow machine. */
const HANDSHAKE_MS = 30_000;
/**
 * Most frames a hand-stepped handshake may need: the hosts' own IPv6 chatter (listener reports,
 * router solicitations), ARP and its retries, SYNs, SYN-ACKs and the ACK.
 */
const MAX_STEPS = 100;
const SYN_FILTER = 'tcp.flags.syn == 1 && tcp.flags.ack == 0';
const PORT = 7000;

let session: E2eSession;
let ui: WorkbenchPage;
let net: NetworkPage;

useWorkbenchSession((opened, page) => {
  session = opened;
  ui = page;
  net = new NetworkPage(page);
});

async function textOf(id: string): Promise<string> {
  const target = ui.byTestId(id);
  return (await target.count()) > 0 ? ((await target.first().textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
}

/** Screenshots at both sizes and in both languages, then back to English at the session's size. */
async function shoot(name: string): Promise<void> {
  for (const [width, height] of [
    [1440, 900],
    [1280, 800],
  ] as const) {
    await session.page.setViewportSize({ width, height });
    for (const locale of ['en', 'zh-CN'] as const) {
      await ui.byTestId('language-switch').selectOption(locale);
      await session.screenshot(`network-${name}-${locale}-${width}x${height}`);
    }
  }
  await ui.byTestId('language-switch').selectOption('en');
  await session.page.setViewportSize({ width: 1400, height: 900 });
}

describe('a handshake over the lab link, stepped by hand', () => {
  let server = 0;
  let client = 0;

  it('creates hosts A and B; the new-socket form offers them', async () => {
    await net.open();
    expect(await net.state()).toBe('Off');
    // Room for the panel: the dock takes most of the centre column, as a person would drag it.
    await ui.byTestId('dock-splitter').focus();
    await ui.byTestId('dock-splitter').press('Home');
    await net.create();
    expect(await textOf('net-host-A')).toContain('10.0.0.1/24');
    expect(await textOf('net-host-B')).toContain('10.0.0.2/24');
    const options = await ui.byTestId('new-socket-host').locator('option').allTextContents();
    expect(options.map((o) => o.trim())).toEqual(['this machine', 'A (10.0.0.1)', 'B (10.0.0.2)']);
  });

  it('listens on B, captures the link at A, and holds every frame', async () => {
    server = await net.createSocketOn('B', 'AF_INET', 'SOCK_STREAM');
    expect(server).toBeGreaterThanOrEqual(1000);
    await ui.selectSocket(server);
    await ui.run('bind', { address: '10.0.0.2', port: PORT }, /bind\(\) returned 0/);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);
    await ui.waitForState(server, 'listening');
    expect((await ui.rowCells(server))[0]).toMatch(new RegExp(`^B ${server}`));

    await ui.byTestId('net-capture-A').click();
    await ui.byTestId('net-capturing').waitFor({ timeout: NET_START_MS });
    await ui.byTestId('net-step-toggle').check();
    await ui.byTestId('net-step-empty').waitFor();
    await shoot('panel');
  });

  it('connect() from A waits until its frames are delivered; dropping the SYN-ACK makes A send its SYN again', async () => {
    client = await net.createSocketOn('A', 'AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.runWithoutWaiting('connect', { address: '10.0.0.2', port: PORT });
    await net.open();

    // Nothing reaches B before it is delivered: connect() stays blocked while A's frames wait.
    const first = await waitFor(
      'a frame from A to wait on the link',
      () => net.held(),
      (rows) => rows.some((r) => /^\d+ ?A →/.test(r.text)),
      HANDSHAKE_MS,
    );
    expect(first.length).toBeGreaterThan(0);
    expect((await ui.rowCells(client))[2]).toMatch(/connecting/);

    let droppedSynAck = false;
    let synsDelivered = 0;
    let shotStep = false;
    for (let step = 0; step < MAX_STEPS && !/connect\(\) returned 0/.test(await ui.resultText()); step++) {
      const rows = await waitFor(
        'the next frame on the link, or connect() to return',
        async () => ((await ui.resultText()).includes('returned 0') ? [] : net.held()),
        () => true,
      );
      const next = rows[0];
      if (!next) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (/\[SYN\]/.test(next.text) && !shotStep) {
        expect(next.text).toContain('connect() on fd');
        // Choose the row by its number: the middle of a row is its Deliver button.
        await ui.byTestId(`net-held-${next.id}`).locator('.no').click();
        await shoot('step');
        shotStep = true;
      }
      if (/SYN, ACK/.test(next.text) && !droppedSynAck) {
        await net.act(next.id, 'drop');
        droppedSynAck = true;
        continue;
      }
      if (/\[SYN\]/.test(next.text)) synsDelivered++;
      await net.act(next.id, 'deliver');
    }
    await waitFor(
      'connect() to return 0',
      () => ui.resultText(),
      (t) => /connect\(\) returned 0/.test(t),
      HANDSHAKE_MS,
    );
    expect(droppedSynAck).toBe(true);
    expect(synsDelivered).toBeGreaterThanOrEqual(2);
    expect(Number(await textOf('net-counter-dropped').then((t) => t.replace(/\D+/g, '')))).toBeGreaterThanOrEqual(1);
    expect(await textOf('net-drop-causes')).toContain('by you 1');
    await ui.byTestId('net-step-toggle').uncheck();
  });

  it('shows the SYN and its retransmission in the packet list and the retransmission in the ladder', async () => {
    await ui.byTestId('packets-tab').click();
    await ui.byTestId('packets-view').waitFor();
    const filter = ui.byTestId('display-filter');
    await filter.fill(SYN_FILTER);
    await waitFor(
      'the filter to be checked valid',
      () => filter.getAttribute('class'),
      (c) => /\bvalid\b/.test(c ?? ''),
    );
    await filter.press('Enter');
    await waitFor(
      'at least two SYNs from A (the first, then its retransmission)',
      async () => Number(await textOf('status-displayed')),
      (n) => n >= 2,
      HANDSHAKE_MS,
    );
    const rows = session.page.locator('[data-testid="packet-list"] [data-testid^="packet-row-"]');
    const texts = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(texts.every((t) => t.includes('10.0.0.1') && t.includes('10.0.0.2') && t.includes(String(PORT)))).toBe(true);
    await rows.first().click();
    await session.screenshot('network-packets-two-syns');

    await ui.showTab('ladder');
    await ui.byTestId('ladder-image').waitFor({ timeout: UI_WAIT_MS });
    expect(await textOf('ladder-conversation')).toMatch(
      /A · 10\.0\.0\.1:\d+.*B · 10\.0\.0\.2:7000|B · 10\.0\.0\.2:7000.*A · 10\.0\.0\.1:\d+/,
    );
    const src = (await ui.byTestId('ladder-image').getAttribute('src')) ?? '';
    const svg = Buffer.from(src.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString('utf8');
    expect(svg).toContain('retransmission');
    await session.screenshot('network-ladder-retransmission');
  });

  it('destroys the network; its sockets leave the table', async () => {
    await net.open();
    await ui.byTestId('net-destroy').click();
    await waitFor(
      'the network to be off',
      () => net.state(),
      (s) => s === 'Off',
      NET_START_MS,
    );
    await waitFor(
      "the hosts' sockets to leave the table",
      () => ui.socketFds(),
      (fds) => !fds.includes(server) && !fds.includes(client),
    );
    expect(await ui.byTestId('new-socket-host').count()).toBe(0);
  });
});
