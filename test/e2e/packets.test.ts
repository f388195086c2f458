/**
 * Packets, Ladder and Ping end to end in Chromium against web mode, as a student works: a real
 * capture on `lo` while a TCP handshake is made by hand in the workbench, the SYN found with a
 * display filter and opened (field tree, hex dump, a field's bytes lit), a bad filter explained,
 * the conversation drawn as a ladder, and a short ping over a raw socket. Steps share one page
 * and run in order; each fails on any console error, page error or CSP violation it caused.
 */
import { describe, expect, it } from 'vitest';
import type { E2eSession } from './harness';
import { UI_WAIT_MS, WorkbenchPage, waitFor } from './workbench-page';
import { useWorkbenchSession } from './workbench-session';

/** Capture start, packets reaching the list and a two-packet ping may take longer than a click. */
const CAPTURE_WAIT_MS = 20_000;
const SYN_FILTER = 'tcp.flags.syn == 1 && tcp.flags.ack == 0';

let session: E2eSession;
let ui: WorkbenchPage;

useWorkbenchSession((opened, page) => {
  session = opened;
  ui = page;
});

/** Text of a test id with whitespace collapsed ('' when absent). */
async function textOf(id: string): Promise<string> {
  const target = ui.byTestId(id);
  return (await target.count()) > 0 ? ((await target.first().textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
}

/** Numbers of the packet rows the virtualized list has rendered (loading rows left out). */
async function shownPacketNos(): Promise<number[]> {
  const ids = await session.page
    .locator('[data-testid="packet-list"] [data-testid^="packet-row-"]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid') ?? ''));
  return ids.map((id) => Number(id.replace('packet-row-', ''))).filter((no) => Number.isInteger(no) && no > 0);
}

/** The Packets tab's button is `packets-tab`, not `tab-packets` as the other dock tabs. */
async function showPacketsTab(): Promise<void> {
  const tab = ui.byTestId('packets-tab');
  await tab.click();
  await waitFor(
    'the Packets tab to be shown',
    () => tab.getAttribute('aria-selected'),
    (selected) => selected === 'true',
  );
  await ui.byTestId('packets-view').waitFor({ timeout: UI_WAIT_MS });
}

describe('capture a handshake made by hand, and inspect it', () => {
  let server = 0;
  let client = 0;
  let port = 0;
  let clientPort = 0;
  let accepted = 0;
  let synNo = 0;

  it('listens on 127.0.0.1, then captures on lo with a BPF filter on that port', async () => {
    server = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(server);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    port = await ui.localPort(server);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);
    await ui.waitForState(server, 'listening');

    await showPacketsTab();
    const iface = ui.byTestId('capture-iface');
    await waitFor(
      'the interface list to offer lo',
      () => iface.locator('option[value="lo"]').count(),
      (n) => n === 1,
    );
    await iface.selectOption('lo');
    // Lab-only by default: the capture filter already names the listener's port; "Everything" empties it.
    const field = ui.byTestId('capture-filter');
    expect(await field.inputValue()).toBe(`port ${port}`);
    await ui.byTestId('capture-scope-all').click();
    expect(await field.inputValue()).toBe('');
    await ui.byTestId('capture-scope-lab').click();
    expect(await field.inputValue()).toBe(`port ${port}`);
    await field.fill(`tcp port ${port}`);
    await ui.byTestId('capture-start').click();
    await ui.byTestId('capture-stop').waitFor({ timeout: CAPTURE_WAIT_MS });
    expect(await ui.byTestId('capture-error').count()).toBe(0);
  });

  it('connects, accepts and sends "hello"; the packets reach the list', async () => {
    client = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.run('connect', { address: '127.0.0.1', port }, /connect\(\) returned 0/);
    clientPort = await ui.localPort(client);
    await ui.selectSocket(server);
    const acceptText = await ui.run('accept', {}, /accept\(\) returned \d+/);
    accepted = Number(/accept\(\) returned (\d+)/.exec(acceptText)![1]);
    await ui.selectSocket(client);
    await ui.run('send', { payloadText: 'hello' }, /send\(\) returned 5/);

    // Handshake (3) + data + its ACK: at least 5 frames, all on our port thanks to the BPF filter.
    await waitFor(
      'the status bar to count the handshake and the data',
      async () => Number(await textOf('status-packets')),
      (n) => n >= 5,
      CAPTURE_WAIT_MS,
    );
    await waitFor('packet rows to be rendered', shownPacketNos, (nos) => nos.length >= 5, CAPTURE_WAIT_MS);
    const list = (await ui.byTestId('packet-list').textContent()) ?? '';
    expect(list).toContain(String(port));
    expect(list).toContain('TCP');
  });

  it('"Only socket" on the accepted socket includes its handshake, tied to the listener before accept()', async () => {
    await ui.selectSocket(accepted);
    expect(await ui.byTestId('only-socket').isChecked()).toBe(true);
    // Handshake (3, tied to the listener) + data + its ACK.
    await waitFor(
      'the accepted socket’s packets, handshake included',
      async () => Number(await textOf('status-displayed')),
      (n) => n >= 5,
      CAPTURE_WAIT_MS,
    );
    const rows = await waitFor('its rows', shownPacketNos, (nos) => nos.length >= 5, CAPTURE_WAIT_MS);
    const first = ((await ui.byTestId(`packet-row-${rows[0]}`).textContent()) ?? '').replace(/\s+/g, ' ');
    expect(first).toMatch(/\[SYN\]/);
    expect(first).toContain(`${client},${server}`);
    await ui.selectSocket(client);
  });

  it('finds the SYN with a display filter and opens it: tree, hex dump, a field lit', async () => {
    // Looking at one packet: no jumping to the end of the list.
    await ui.byTestId('packet-autoscroll').setChecked(false);
    const filter = ui.byTestId('display-filter');
    await filter.fill(SYN_FILTER);
    await waitFor(
      'the filter to be checked valid',
      () => filter.getAttribute('class'),
      (c) => /\bvalid\b/.test(c ?? ''),
    );
    await filter.press('Enter');
    await waitFor(
      'the list to show only the SYN',
      async () => Number(await textOf('status-displayed')),
      (n) => n === 1,
      CAPTURE_WAIT_MS,
    );
    const nos = await waitFor('the SYN row', shownPacketNos, (found) => found.length === 1);
    synNo = nos[0]!;
    const row = ui.byTestId(`packet-row-${synNo}`);
    const rowText = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(rowText).toContain('127.0.0.1');
    expect(rowText).toContain(String(port));
    expect(rowText).toMatch(/SYN/);
    await row.click();
    await waitFor(
      'the SYN row to be selected',
      () => row.getAttribute('aria-selected'),
      (s) => s === 'true',
    );

    const tree = ui.byTestId('packet-tree');
    await waitFor(
      'the TCP layer in the tree',
      async () => (await tree.textContent()) ?? '',
      (t) => t.includes('Transmission Control Protocol'),
    );
    const dstport = ui.byTestId('packet-field-tcp.dstport');
    await dstport.waitFor({ timeout: UI_WAIT_MS });
    expect(((await dstport.textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(new RegExp(`Destination Port\\D*${port}\\b`));
    const srcport = ((await ui.byTestId('packet-field-tcp.srcport').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(srcport).toMatch(new RegExp(`\\b${clientPort}\\b`));

    // A SYN on lo: 14 B Ethernet-like header (or 4 B null) + 20 B IP + at least 20 B TCP.
    const hex = ui.byTestId('hex-dump');
    await waitFor(
      'hex bytes',
      () => hex.locator('[data-testid^="hex-byte-"]').count(),
      (n) => n >= 40,
    );
    expect(await ui.byTestId('hex-selection').count()).toBe(0);

    await dstport.click();
    await waitFor(
      'the field to be selected',
      () => dstport.getAttribute('aria-selected'),
      (s) => s === 'true',
    );
    const selection = await waitFor(
      'the hex selection line',
      () => textOf('hex-selection'),
      (t) => t !== '',
    );
    expect(selection).toMatch(/tcp\.dstport: 2 bytes at offset \d+/);
    const offset = Number(/offset (\d+)/.exec(selection)![1]);
    const lit = await hex.locator('[data-testid^="hex-byte-"].lit').allTextContents();
    // The two lit bytes are the destination port, big-endian.
    expect(lit.join('')).toBe(port.toString(16).padStart(4, '0'));
    expect(await ui.byTestId(`hex-byte-${offset}`).getAttribute('class')).toMatch(/\blit\b/);
    await session.page.mouse.move(700, 880);
    await session.screenshot('packets-01-syn-dstport');
  });

  it('explains a display filter that does not parse, and leaves the list as it was', async () => {
    const filter = ui.byTestId('display-filter');
    await filter.fill('tcp.flags.syn == ');
    const error = ui.byTestId('display-filter-error');
    await error.waitFor({ timeout: UI_WAIT_MS });
    expect(await textOf('display-filter-error')).not.toBe('');
    expect(await filter.getAttribute('aria-invalid')).toBe('true');
    expect(await ui.byTestId('display-filter-apply').isDisabled()).toBe(true);
    await filter.press('Enter');
    expect(Number(await textOf('status-displayed'))).toBe(1);
    await session.screenshot('packets-02-filter-error');
    // Back to the applied SYN filter so the selection stays in view.
    await filter.fill(SYN_FILTER);
    await error.waitFor({ state: 'detached', timeout: UI_WAIT_MS });
  });

  it("draws the ladder of the SYN's conversation", async () => {
    await ui.showTab('ladder');
    await ui.byTestId('ladder-image').waitFor({ timeout: CAPTURE_WAIT_MS });
    const frame = ui.byTestId('ladder-svg');
    expect(await frame.getAttribute('data-selected')).toBe(String(synNo));
    const conversation = await textOf('ladder-conversation');
    expect(conversation).toMatch(/^TCP /);
    expect(conversation).toContain(`127.0.0.1:${port}`);
    expect(conversation).toContain(`127.0.0.1:${clientPort}`);
    expect(await ui.byTestId('ladder-error').count()).toBe(0);
    // The SYN is one of the arrows: its band is drawn over the picture.
    await ui.byTestId('ladder-selected-band').waitFor({ timeout: UI_WAIT_MS });
    const src = (await ui.byTestId('ladder-image').getAttribute('src')) ?? '';
    expect(src).toMatch(/^data:image\/svg\+xml/);
    const size = await waitFor(
      'the ladder image to load',
      // A string expression: it runs in the page, whose DOM types the Node typecheck does not know.
      () =>
        session.page.evaluate<number[]>(
          `(() => { const i = document.querySelector('[data-testid="ladder-image"]'); return [i.naturalWidth, i.naturalHeight]; })()`,
        ),
      ([w, h]) => (w ?? 0) > 0 && (h ?? 0) > 0,
    );
    expect(size[0]).toBeGreaterThan(100);
    await session.page.mouse.move(700, 880);
    await session.screenshot('ladder-01-syn-conversation');
  });

  it('opens the data segment: its payload is "hello" in the hex dump', async () => {
    await showPacketsTab();
    const filter = ui.byTestId('display-filter');
    await filter.fill('tcp.len == 5');
    await waitFor(
      'the filter to be checked valid',
      () => filter.getAttribute('class'),
      (c) => /\bvalid\b/.test(c ?? ''),
    );
    await filter.press('Enter');
    const nos = await waitFor('the data segment row', shownPacketNos, (found) => found.length === 1 && found[0] !== synNo, CAPTURE_WAIT_MS);
    await ui.byTestId(`packet-row-${nos[0]!}`).click();
    const len = ui.byTestId('packet-field-tcp.len');
    await waitFor(
      'the segment length field',
      async () => ((await len.count()) > 0 ? ((await len.textContent()) ?? '') : ''),
      (t) => /\b5\b/.test(t),
    );
    // The ASCII column renders one span per byte: the five payload bytes read "hello" in a row.
    await waitFor(
      '"hello" in the hex dump',
      async () => (await ui.byTestId('hex-dump').textContent()) ?? '',
      (t) => t.includes('hello'),
    );
    expect(await textOf('hex-dump')).toMatch(/68 ?65 ?6c ?6c ?6f/);
    await session.screenshot('packets-03-hello');

    await ui.byTestId('capture-stop').click();
    await ui.byTestId('capture-start').waitFor({ timeout: CAPTURE_WAIT_MS });
  });
});

describe('ping over a raw socket', () => {
  it('pings 127.0.0.1 twice with no loss', async () => {
    await ui.showTab('ping');
    await ui.byTestId('ping-target').fill('127.0.0.1');
    await ui.byTestId('ping-count').fill('2');
    await ui.byTestId('ping-interval').fill('200');
    expect(await ui.byTestId('ping-summary').count()).toBe(0);
    await ui.byTestId('ping-start').click();
    const summary = await waitFor(
      'the ping statistics',
      () => textOf('ping-summary'),
      (t) => t.includes('packets transmitted'),
      CAPTURE_WAIT_MS,
    );
    expect(summary).toContain('--- 127.0.0.1 ping statistics ---');
    expect(summary).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(summary).toMatch(/rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/);
    const replies = await ui.byTestId('ping-reply').allTextContents();
    expect(replies).toHaveLength(2);
    expect(replies.join('\n')).toMatch(/from 127\.0\.0\.1: icmp_seq=1 /);
    expect(await ui.byTestId('ping-error').count()).toBe(0);
    expect(await ui.byTestId('ping-privilege').count()).toBe(0);
    await session.screenshot('ping-01-two-replies');
  });
});

describe('the ICMP builder in IPv6 mode', () => {
  it('builds an ICMPv6 echo request (type 128), 16 bytes a line, and refuses type 300 in its own words', async () => {
    await ui.showTab('ping');
    await ui.byTestId('ping-family').selectOption('AF_INET6');
    expect(await ui.byTestId('icmp-type').inputValue()).toBe('128');
    await ui.byTestId('icmp-payload').fill('a payload long enough for two lines');
    await ui.byTestId('icmp-build').click();
    const hex = await waitFor(
      'the message bytes',
      () => textOf('icmp-hex'),
      (t) => t.startsWith('80 00'),
    );
    const lines = ((await ui.byTestId('icmp-hex').textContent()) ?? '').split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{2}( [0-9a-f]{2}){0,15}$/);
    expect(hex.replace(/ /g, '').length % 2).toBe(0);
    await ui.byTestId('icmp-type').fill('300');
    expect(await textOf('icmp-field-error')).toBe('Type must be from 0 to 255.');
    await session.screenshot('ping-icmpv6-builder');
    await ui.byTestId('icmp-type').fill('128');
    await ui.byTestId('ping-family').selectOption('AF_INET');
  });
});
