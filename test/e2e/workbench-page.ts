/**
 * The workbench as a person uses it: the new-socket form, the socket table, the call panel
 * (click a call to choose it, fill its inputs, press Run), the payload editor and the dock tabs.
 * Everything goes through the renderer's data-testids; nothing reaches the lab behind the UI.
 * Other journeys (packets, exercises, ladder) extend this with their own panels.
 */
import type { Locator, Page } from 'playwright-core';

/** Longest a UI reaction may take before a step fails (calls on loopback answer in ms). */
export const UI_WAIT_MS = 10_000;
const POLL_MS = 50;

/**
 * Reads `read()` until `accept` holds and returns that value; after `timeoutMs` throws with
 * the last value seen. Usable in hooks too (vitest's expect.poll works only inside tests).
 */
export async function waitFor<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = UI_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function matches(pattern: string | RegExp, text: string | null): boolean {
  return typeof pattern === 'string' ? (text ?? '').includes(pattern) : pattern.test(text ?? '');
}

export type SocketDomain = 'AF_INET' | 'AF_INET6' | 'AF_UNIX';
export type SocketKind = 'SOCK_STREAM' | 'SOCK_DGRAM' | 'SOCK_RAW';

/** Arguments a call panel step may fill; only the ones given are touched. */
export interface CallInputs {
  address?: string;
  port?: number;
  backlog?: number;
  maxBytes?: number;
  how?: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR';
  /** Text typed into the payload editor in text mode. */
  payloadText?: string;
  /** Hex digits typed into the payload editor in hex mode. */
  payloadHex?: string;
  /** Exactly these MSG_* flags ticked (the others cleared); flags stay ticked across calls. */
  flags?: readonly string[];
}

export class WorkbenchPage {
  constructor(readonly page: Page) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** Opens `url` and waits until the lab reports ready. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await waitFor(
      'the lab to be ready',
      () => this.byTestId('lab-status').textContent(),
      (t) => matches(/Lab ready/, t),
    );
  }

  /** The descriptors the socket table shows now. */
  async socketFds(): Promise<number[]> {
    const ids = await this.page
      .locator('[data-testid^="socket-row-"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid') ?? ''));
    return ids.map((id) => Number(id.replace('socket-row-', ''))).filter(Number.isInteger);
  }

  /**
   * socket(domain, type, 0) through the form; returns the descriptor it reports. Descriptors
   * are reused after close(), as in C, so the new one is the row that was not there before.
   */
  async createSocket(domain: SocketDomain, type: SocketKind): Promise<number> {
    await this.byTestId('new-socket-domain').selectOption(domain);
    await this.byTestId('new-socket-type').selectOption(type);
    await this.byTestId('new-socket-protocol').selectOption('IPPROTO_IP');
    const before = new Set(await this.socketFds());
    await this.byTestId('new-socket-create').click();
    const fresh = await waitFor(
      'a new row in the socket table',
      () => this.socketFds(),
      (fds) => fds.some((fd) => !before.has(fd)),
    );
    const fd = fresh.find((candidate) => !before.has(candidate))!;
    const result = this.byTestId('new-socket-result');
    await waitFor(
      'the form to report the descriptor',
      () => result.textContent(),
      (text) => matches(`returned ${fd}`, text),
    );
    return fd;
  }

  /** How many closed sockets the table keeps (greyed rows). */
  async closedRowCount(): Promise<number> {
    return this.page.locator('[data-testid^="closed-socket-row-"]').count();
  }

  /** Clicks the socket's row in the table and waits for the call panel to show it. */
  async selectSocket(fd: number): Promise<void> {
    await this.byTestId(`socket-row-${fd}`).click();
    const panel = this.byTestId('call-panel');
    await waitFor(
      `the call panel to show fd ${fd}`,
      () => panel.getAttribute('aria-label'),
      (label) => matches(new RegExp(`fd ${fd}$`), label),
    );
  }

  /** The state badge text of a socket's row (e.g. "listening"). */
  async socketState(fd: number): Promise<string> {
    return ((await this.byTestId(`socket-state-${fd}`).textContent()) ?? '').trim();
  }

  async waitForState(fd: number, state: string | RegExp): Promise<void> {
    await waitFor(
      `fd ${fd} to be ${state}`,
      () => this.socketState(fd),
      (text) => matches(state, text),
    );
  }

  /** The cells of a socket's row as shown: fd, kind, state, local, peer, queue, waiting, counters. */
  async rowCells(fd: number): Promise<string[]> {
    const cells = await this.byTestId(`socket-row-${fd}`).locator(':scope > span').allTextContents();
    return cells.map((cell) => cell.replace(/\s+/g, ' ').trim());
  }

  /**
   * The port of a socket's local address column, read from the table as a student would.
   * The table follows the lab's events, which may land just after the call's result: wait
   * until the column shows an address.
   */
  async localPort(fd: number): Promise<number> {
    const address = /^(?:\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):(\d+)$/i;
    const local = await waitFor(
      `fd ${fd} to show its local address`,
      async () => (await this.rowCells(fd))[3] ?? '',
      (cell) => address.test(cell),
    );
    return Number(address.exec(local)![1]);
  }

  /** The peer address column of a socket's row ("—" when none). */
  async peer(fd: number): Promise<string> {
    return (await this.rowCells(fd))[4] ?? '';
  }

  /** Chooses `call` in the call panel (shows its inputs) and fills the given inputs. */
  async chooseCall(call: string, inputs: CallInputs = {}): Promise<void> {
    const button = this.byTestId(`call-${call}`).first();
    // The call panel scrolls (a new result is brought into view) and re-renders as the socket
    // changes: a click can land on a neighbour that moved under the pointer, so click again.
    await waitFor(
      `${call}() to be chosen`,
      async () => {
        if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
        return button.getAttribute('aria-pressed');
      },
      (pressed) => pressed === 'true',
    );
    if (inputs.address !== undefined) await this.byTestId('arg-address').fill(inputs.address);
    if (inputs.port !== undefined) await this.byTestId('arg-port').fill(String(inputs.port));
    if (inputs.backlog !== undefined) await this.byTestId('arg-backlog').fill(String(inputs.backlog));
    if (inputs.maxBytes !== undefined) await this.byTestId('arg-max-bytes').fill(String(inputs.maxBytes));
    if (inputs.how !== undefined) await this.byTestId('arg-how').selectOption(inputs.how);
    if (inputs.flags !== undefined) {
      for (const box of await this.page.locator('[data-testid^="arg-flag-"]').all()) {
        const flag = ((await box.getAttribute('data-testid')) ?? '').replace('arg-flag-', '');
        await box.setChecked(inputs.flags.includes(flag));
      }
    }
    if (inputs.payloadText !== undefined) {
      await this.byTestId('payload-mode-text').click();
      await this.byTestId('payload-editor').fill(inputs.payloadText);
    }
    if (inputs.payloadHex !== undefined) {
      await this.byTestId('payload-mode-hex').click();
      await this.byTestId('payload-editor').fill(inputs.payloadHex);
    }
  }

  /** The visible result text of the selected socket's latest call ('' when none yet). */
  async resultText(): Promise<string> {
    const result = this.byTestId('call-result');
    return (await result.count()) > 0 ? ((await result.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
  }

  /**
   * Chooses `call`, fills `inputs`, presses Run and waits for the result panel to show
   * `expected`. The result panel keeps the previous outcome until the new one arrives, so a
   * step whose expectation already matches before Run would prove nothing: that is refused.
   */
  async run(call: string, inputs: CallInputs, expected: RegExp): Promise<string> {
    await this.chooseCall(call, inputs);
    const before = await this.resultText();
    if (expected.test(before)) {
      throw new Error(`ambiguous step: the result panel already shows ${expected} before ${call}() runs ("${before}")`);
    }
    await this.byTestId('call-run').click();
    return waitFor(
      `${call}() to show ${expected}`,
      () => this.resultText(),
      (text) => expected.test(text),
    );
  }

  /** Presses Run without waiting for a result (a call that blocks). */
  async runWithoutWaiting(call: string, inputs: CallInputs = {}): Promise<void> {
    await this.chooseCall(call, inputs);
    await this.byTestId('call-run').click();
  }

  /**
   * Shows a dock tab (transcript, calls, …). The ladder is no tab: it sits beside the call
   * panel, shown with its toggle when hidden.
   */
  async showTab(id: string): Promise<void> {
    if (id === 'ladder') return this.showLadder();
    const tab = this.byTestId(`tab-${id}`);
    await tab.click();
    await waitFor(
      `tab ${id} to be shown`,
      () => tab.getAttribute('aria-selected'),
      (selected) => selected === 'true',
    );
  }

  /** Shows the ladder pane beside the call panel (leaving the packets-only layout first). */
  async showLadder(): Promise<void> {
    if ((await this.byTestId('packets-focus').getAttribute('aria-pressed')) === 'true') await this.byTestId('packets-focus').click();
    const toggle = this.byTestId('ladder-toggle');
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
    await this.byTestId('ladder-pane').waitFor({ timeout: UI_WAIT_MS });
  }

  /** The transcript rows of the selected socket in the chosen view, as shown. */
  async transcriptLines(view: 'text' | 'hex' = 'text'): Promise<string[]> {
    await this.byTestId(`transcript-view-${view}`).click();
    return this.byTestId('transcript-row').allTextContents();
  }

  /** Waits until the selected socket's transcript shows a row containing `text`. */
  async waitForTranscript(text: string): Promise<void> {
    await this.byTestId('transcript-view-text').click();
    const rows = this.byTestId('transcript-row');
    await waitFor(
      `the transcript to show "${text}"`,
      async () => (await rows.allTextContents()).join('\n'),
      (all) => all.includes(text),
    );
  }
}
