/**
 * The workbench journeys, end to end in Chromium against web mode, as a student works: a TCP
 * conversation from socket() to close(), a UDP exchange, an errno explained, a blocked call
 * cancelled, Chinese and the dark theme. Steps share one page and run in order; each step fails
 * on any console error, page error or CSP violation it caused.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, type E2eSession } from './harness';
import { UI_WAIT_MS, WorkbenchPage } from './workbench-page';
import { useWorkbenchSession } from './workbench-session';

let session: E2eSession;
let ui: WorkbenchPage;

useWorkbenchSession((opened, page) => {
  session = opened;
  ui = page;
});

describe('TCP: server and client, by hand', () => {
  let server = 0;
  let client = 0;
  let accepted = 0;
  let port = 0;

  it('creates a server socket, binds 127.0.0.1 port 0 and listens', async () => {
    server = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.waitForState(server, 'created');
    await ui.selectSocket(server);
    await expect.poll(() => ui.byTestId('lane-server').isVisible()).toBe(true);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    await ui.waitForState(server, 'bound');
    port = await ui.localPort(server);
    expect(port).toBeGreaterThan(0);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);
    await ui.waitForState(server, 'listening');
  });

  it('connects a client to the port shown in the server row, and accepts it', async () => {
    client = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.run('connect', { address: '127.0.0.1', port }, /connect\(\) returned 0/);
    await ui.waitForState(client, 'connected');
    const clientPort = await ui.localPort(client);

    await ui.selectSocket(server);
    const text = await ui.run('accept', {}, /accept\(\) returned \d+/);
    accepted = Number(/accept\(\) returned (\d+)/.exec(text)![1]);
    expect(accepted).not.toBe(server);
    expect(accepted).not.toBe(client);
    // accept() reports the client's address, as the peer of the new descriptor.
    expect(text).toContain(`127.0.0.1:${clientPort}`);
    await ui.waitForState(accepted, 'connected');
    await expect.poll(() => ui.peer(accepted)).toBe(`127.0.0.1:${clientPort}`);
    expect(await ui.peer(client)).toBe(`127.0.0.1:${port}`);
    // The TCP column shows the kernel's own state (TCP_INFO), with no capture running.
    const tcpState = ui.byTestId(`tcp-state-${client}`);
    await expect.poll(async () => (await tcpState.count()) > 0 && (await tcpState.getAttribute('class'))).toMatch(/from-kernel/);
    expect(await tcpState.textContent()).toContain('ESTABLISHED');
    await expect.poll(async () => (await ui.byTestId(`tcp-state-${server}`).textContent()) ?? '').toContain('LISTEN');
  });

  it('sends both ways with the payload editor and reads it in the transcripts', async () => {
    await ui.selectSocket(client);
    await ui.run('send', { payloadText: 'hello from the client\n' }, /send\(\) returned 22/);
    await ui.waitForTranscript('hello from the client');

    await ui.selectSocket(accepted);
    const got = await ui.run('recv', { maxBytes: 4096 }, /recv\(\) returned 22/);
    expect(got).toContain('hello from the client');
    await ui.waitForTranscript('hello from the client');
    await ui.run('send', { payloadText: 'hi, this is the server\n' }, /send\(\) returned 23/);
    await ui.waitForTranscript('hi, this is the server');

    await ui.selectSocket(client);
    const reply = await ui.run('recv', { maxBytes: 4096 }, /recv\(\) returned 23/);
    expect(reply).toContain('hi, this is the server');
    await ui.waitForTranscript('hi, this is the server');
    const lines = (await ui.transcriptLines('text')).join('\n');
    expect(lines).toContain('hello from the client');
    expect(lines).toContain('hi, this is the server');
    await expect.poll(() => ui.byTestId('transcript-stats').textContent()).toMatch(/sent 22 B · received 23 B/);

    // The hex view shows the same bytes: "hello" is 68 65 6c 6c 6f.
    const hex = (await ui.transcriptLines('hex')).join('\n');
    expect(hex).toMatch(/68 65 6c 6c 6f/);
    await ui.byTestId('transcript-view-text').click();

    // The conversation as the README shows it: the client after recv(), both directions in its
    // transcript, light theme. The pointer moves off the Run button so no hover style shows.
    await ui.selectSocket(client);
    await ui.waitForTranscript('hi, this is the server');
    expect(await ui.resultText()).toMatch(/recv\(\) returned 23/);
    await session.page.mouse.move(700, 880);
    const shot = await session.screenshot('01-tcp-conversation');
    copyFileSync(shot, join(ROOT, 'docs', 'screenshot.png'));
  });

  it('shutdown(SHUT_WR) on the client makes the server recv() return 0', async () => {
    await ui.selectSocket(client);
    await ui.run('shutdown', { how: 'SHUT_WR' }, /shutdown\(\) returned 0/);
    // The socket's header in the call panel now carries the SHUT_WR mark.
    const header = session.page.locator('[data-testid="call-panel"] header');
    await expect.poll(() => header.textContent()).toContain('SHUT_WR');

    await ui.selectSocket(accepted);
    await ui.run('recv', { maxBytes: 4096 }, /recv\(\) returned 0/);
    await expect.poll(() => header.textContent()).toContain('peer closed');
    await session.screenshot('02-recv-returns-0');
  });

  it('closes both ends and the listener; they stay greyed with close()’s result and their transcript', async () => {
    for (const fd of [accepted, client, server]) {
      await ui.selectSocket(fd);
      await ui.chooseCall('close');
      await ui.byTestId('call-run').click();
      await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
      // The closed socket stays selected: its panel says so and shows close()'s own result.
      await expect.poll(() => ui.resultText()).toMatch(/close\(\) returned 0/);
      expect(await ui.byTestId('closed-note').isVisible()).toBe(true);
    }
    expect(await ui.closedRowCount()).toBe(3);
    // The client's transcript is still readable after close().
    await ui.byTestId('socket-table').locator('[data-testid^="closed-socket-row-"]').nth(1).click();
    await ui.waitForTranscript('hi, this is the server');
    await session.screenshot('03a-closed-sockets');
    await ui.showTab('calls');
    const log = (await ui.byTestId('call-log').textContent()) ?? '';
    // The log follows its end (older rows are virtualized away): the latest calls are in view.
    for (const call of ['shutdown(fd=', `close(fd=${accepted})`, `close(fd=${client})`, `close(fd=${server})`]) {
      expect(log).toContain(call);
    }
    await session.screenshot('03-call-log');
    await ui.showTab('transcript');
    await ui.byTestId('clear-closed').click();
    await expect.poll(() => ui.closedRowCount()).toBe(0);
  });
});

describe('UDP: sendto and recvfrom', () => {
  it('exchanges datagrams both ways between two sockets', async () => {
    const a = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    const b = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    await ui.selectSocket(a);
    await expect.poll(() => ui.byTestId('lane-datagram').isVisible()).toBe(true);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    const portA = await ui.localPort(a);

    await ui.selectSocket(b);
    await ui.run('sendto', { address: '127.0.0.1', port: portA, payloadText: 'ping over UDP' }, /sendto\(\) returned 13/);
    // sendto() on an unbound socket binds it implicitly: the row now shows its port.
    await expect.poll(async () => (await ui.rowCells(b))[3]).toMatch(/:\d+$/);
    const portB = await ui.localPort(b);
    expect(portB).toBeGreaterThan(0);

    await ui.selectSocket(a);
    const got = await ui.run('recvfrom', { maxBytes: 2048 }, /recvfrom\(\) returned 13/);
    expect(got).toContain('ping over UDP');
    expect(got).toContain(`127.0.0.1:${portB}`);
    await ui.waitForTranscript('ping over UDP');

    // The reply typed as hex bytes; a typo is caught before anything is sent.
    await ui.chooseCall('sendto', { address: '127.0.0.1', port: portB, payloadHex: '70 6f 6e 6' });
    await expect.poll(() => ui.byTestId('payload-error').isVisible()).toBe(true);
    expect(await ui.byTestId('call-run').isDisabled()).toBe(true);
    await ui.run('sendto', { payloadHex: '70 6f 6e 67' }, /sendto\(\) returned 4/);
    await expect.poll(() => ui.byTestId('payload-size').textContent()).toMatch(/4/);
    await ui.selectSocket(b);
    const back = await ui.run('recvfrom', { maxBytes: 2048 }, /recvfrom\(\) returned 4/);
    expect(back).toContain('pong');
    expect(back).toContain(`127.0.0.1:${portA}`);
    await ui.waitForTranscript('pong');
    await session.screenshot('04-udp-exchange');

    for (const fd of [a, b]) {
      await ui.selectSocket(fd);
      await ui.chooseCall('close');
      await ui.byTestId('call-run').click();
      await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    }
  });
});

describe('errors and blocking', () => {
  let listener = 0;
  let port = 0;

  it('shows EADDRINUSE with its name and an explanation', async () => {
    listener = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(listener);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    port = await ui.localPort(listener);
    await ui.run('listen', { backlog: 5 }, /listen\(\) returned 0/);

    const second = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(second);
    await ui.run('bind', { address: '127.0.0.1', port }, /returned -1/);
    await expect.poll(() => ui.byTestId('errno-name').textContent()).toBe('EADDRINUSE');
    const explanation = ((await ui.byTestId('errno-explanation').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(explanation).toContain('bind() returned -1, errno = EADDRINUSE');
    // The generic sentence says what the errno means, in words, after the name.
    const generic = ((await ui.byTestId('errno-generic').textContent()) ?? '').replace('EADDRINUSE', '');
    expect(generic).toMatch(/address.*(in use|already)/i);
    await session.screenshot('05-eaddrinuse');

    // Port 70000 is refused by the app itself, in the page's language: no browser bubble, Run waits.
    await ui.chooseCall('bind', { port: 70000 });
    expect(await ui.byTestId('args-error').textContent()).toBe('Port must be from 0 to 65535.');
    expect(await ui.byTestId('call-run').isDisabled()).toBe(true);
    await ui.chooseCall('bind', { port: 0 });
    expect(await ui.byTestId('args-error').count()).toBe(0);

    await ui.chooseCall('close');
    await ui.byTestId('call-run').click();
    await ui.byTestId(`socket-row-${second}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
  });

  it('shows a blocked recv() and Cancel makes it return EINTR', async () => {
    const client = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(client);
    await ui.run('connect', { address: '127.0.0.1', port }, /connect\(\) returned 0/);

    await ui.selectSocket(listener);
    const text = await ui.run('accept', {}, /accept\(\) returned \d+/);
    const accepted = Number(/accept\(\) returned (\d+)/.exec(text)![1]);

    await ui.selectSocket(accepted);
    await ui.runWithoutWaiting('recv', { maxBytes: 100 });
    const banner = ui.byTestId('blocked-banner');
    await banner.waitFor({ timeout: UI_WAIT_MS });
    await expect.poll(() => banner.textContent()).toContain('recv()');
    await expect.poll(async () => (await ui.byTestId(`socket-row-${accepted}`).textContent()) ?? '').toContain('blocked in recv()');
    await session.screenshot('06-blocked-recv');

    await ui.byTestId('cancel-call').click();
    await banner.waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    await expect.poll(() => ui.byTestId('errno-name').textContent()).toBe('EINTR');
    expect(await ui.resultText()).toContain('recv() returned -1, errno = EINTR');
    await session.screenshot('07-eintr');

    for (const fd of [accepted, client, listener]) {
      await ui.selectSocket(fd);
      await ui.chooseCall('close');
      await ui.byTestId('call-run').click();
      await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    }
  });
});

describe('text encodings', () => {
  it('shows recv() of 你好 as 你好 (UTF-8), GBK bytes with GBK chosen, and hex one click away', async () => {
    const a = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    const b = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    await ui.selectSocket(a);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    const portA = await ui.localPort(a);
    await ui.selectSocket(b);
    await ui.run('sendto', { address: '127.0.0.1', port: portA, payloadText: '你好' }, /sendto\(\) returned 6/);
    await ui.run('sendto', { payloadHex: 'c4 e3 ba c3' }, /sendto\(\) returned 4/);

    await ui.selectSocket(a);
    await ui.run('recvfrom', { maxBytes: 100 }, /recvfrom\(\) returned 6/);
    expect(await ui.byTestId('call-result-data').textContent()).toBe('"你好"');
    await ui.byTestId('call-result-view-hex').click();
    await expect.poll(() => ui.byTestId('call-result-data').textContent()).toBe('e4 bd a0 e5 a5 bd');
    await ui.run('recvfrom', { maxBytes: 100 }, /recvfrom\(\) returned 4/);
    await ui.byTestId('call-result-view-gbk').click();
    await expect.poll(() => ui.byTestId('call-result-data').textContent()).toBe('"你好"');
    // The transcript reads in the same encoding: GBK now, so the UTF-8 datagram is garbled, the GBK one is not.
    await ui.showTab('transcript');
    const rows = async (): Promise<string> => (await ui.byTestId('transcript-row').allTextContents()).join('\n');
    await expect.poll(rows).toMatch(/你好/);
    await ui.byTestId('transcript-encoding-utf-8').click();
    await expect.poll(async () => ((await ui.byTestId('transcript-row').first().textContent()) ?? '').includes('你好')).toBe(true);
    await session.screenshot('13-text-encodings');

    for (const fd of [a, b]) {
      await ui.selectSocket(fd);
      await ui.chooseCall('close');
      await ui.byTestId('call-run').click();
      await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    }
  });
});

describe('reset lab', () => {
  it('asks first, then closes every socket and empties the call log', async () => {
    const fd = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    await ui.byTestId('reset-lab').click();
    await ui.byTestId('reset-dialog').waitFor({ timeout: UI_WAIT_MS });
    await ui.byTestId('reset-cancel').click();
    await ui.byTestId('reset-dialog').waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    expect(await ui.socketFds()).toContain(fd);

    await ui.byTestId('reset-lab').click();
    await session.screenshot('11-reset-dialog');
    await ui.byTestId('reset-confirm').click();
    await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    expect(await ui.closedRowCount()).toBe(0);
    await ui.showTab('calls');
    await expect.poll(async () => (await ui.byTestId('call-log').textContent()) ?? '').not.toContain('socket(');
    await ui.showTab('transcript');
  });
});

describe('language and theme', () => {
  it('switches to Chinese and back', async () => {
    const fd = await ui.createSocket('AF_INET', 'SOCK_STREAM');
    await ui.selectSocket(fd);
    await ui.byTestId('language-switch').selectOption('zh-CN');
    await expect.poll(() => session.page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect.poll(async () => (await ui.byTestId('lane-server').textContent()) ?? '').toContain('服务器端（流式）');
    expect((await ui.byTestId('lane-client').textContent()) ?? '').toContain('客户端（流式）');
    expect((await ui.byTestId('new-socket-form').textContent()) ?? '').toContain('新建套接字');
    expect((await ui.byTestId('socket-table').textContent()) ?? '').toContain('套接字');
    // An errno explained in Chinese: recv() on a socket that is not connected.
    await ui.run('recv', { maxBytes: 10 }, /ENOTCONN/);
    expect(await ui.byTestId('errno-name').textContent()).toBe('ENOTCONN');
    expect((await ui.byTestId('errno-generic').textContent()) ?? '').toMatch(/[\u4e00-\u9fff]/);
    await session.screenshot('08-chinese');

    await ui.byTestId('language-switch').selectOption('en');
    await expect.poll(async () => (await ui.byTestId('lane-server').textContent()) ?? '').toMatch(/Server/i);
    await ui.chooseCall('close');
    await ui.byTestId('call-run').click();
    await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });
  });

  it('toggles the dark theme and back', async () => {
    // A string expression: it runs in the page, whose DOM types the Node typecheck does not know.
    const bodyBackground = (): Promise<string> => session.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const html = session.page.locator('html');
    expect(await html.getAttribute('data-theme')).toBe('light');
    const lightBg = await bodyBackground();
    await ui.byTestId('theme-toggle').click();
    await expect.poll(() => html.getAttribute('data-theme')).toBe('dark');
    expect(await ui.byTestId('theme-toggle').getAttribute('aria-pressed')).toBe('true');
    const darkBg = await bodyBackground();
    expect(darkBg).not.toBe(lightBg);

    // A little content to look at in the dark: a bound socket and an errno.
    const fd = await ui.createSocket('AF_INET', 'SOCK_DGRAM');
    await ui.selectSocket(fd);
    await ui.run('bind', { address: '127.0.0.1', port: 0 }, /bind\(\) returned 0/);
    await ui.run('recvfrom', { flags: ['MSG_DONTWAIT'] }, /EAGAIN|EWOULDBLOCK/);
    await ui.chooseCall('recvfrom', { flags: [] });
    await session.page.mouse.move(700, 880);
    await session.screenshot('09-dark-theme');
    await ui.chooseCall('close');
    await ui.byTestId('call-run').click();
    await ui.byTestId(`socket-row-${fd}`).waitFor({ state: 'detached', timeout: UI_WAIT_MS });

    await ui.byTestId('theme-toggle').click();
    await expect.poll(() => html.getAttribute('data-theme')).toBe('light');
  });

  it('shows the keyboard shortcuts and closes them with Escape', async () => {
    await ui.byTestId('help-button').click();
    const help = ui.byTestId('shortcut-help');
    await help.waitFor({ timeout: UI_WAIT_MS });
    expect((await help.textContent()) ?? '').toContain('Alt+N');
    expect((await help.textContent()) ?? '').toContain('Alt+P');
    await session.screenshot('10-shortcut-help');
    await session.page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    // Alt+P, as the help says, gives the packets the whole window, and brings the workbench back.
    await session.page.keyboard.press('Alt+KeyP');
    await ui.byTestId('packets-view').waitFor({ timeout: UI_WAIT_MS });
    await ui.byTestId('socket-table').waitFor({ state: 'detached', timeout: UI_WAIT_MS });
    await session.screenshot('12-packets-focus');
    await session.page.keyboard.press('Alt+KeyP');
    await ui.byTestId('socket-table').waitFor({ timeout: UI_WAIT_MS });
    await ui.showTab('transcript');
    // Alt+N, as the help says, puts the focus in the new-socket form.
    await session.page.keyboard.press('Alt+KeyN');
    await expect.poll(() => ui.byTestId('new-socket-domain').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  });
});
