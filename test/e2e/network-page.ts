/**
 * The Network tab as a person uses it, through its data-testids: create the lab network, make a
 * socket on a host, read and decide the frames waiting on the link in step mode.
 */
import { WorkbenchPage, waitFor, type SocketDomain, type SocketKind } from './workbench-page';

/** The network's engine starts a process and two namespaces: give it more than a click. */
export const NET_START_MS = 30_000;

/** A frame waiting on the link, as its row reads. */
export interface HeldRow {
  id: number;
  text: string;
}

export class NetworkPage {
  constructor(readonly ui: WorkbenchPage) {}

  async open(): Promise<void> {
    await this.ui.showTab('network');
    await this.ui.byTestId('network-panel').waitFor();
  }

  async state(): Promise<string> {
    return ((await this.ui.byTestId('net-state').textContent()) ?? '').trim();
  }

  /** Presses "Create network" with the default hosts and waits until it is up. */
  async create(): Promise<void> {
    await this.ui.byTestId('net-create').click();
    await waitFor(
      'the lab network to be up',
      () => this.state(),
      (s) => s === 'Up' || s === '运行中',
      NET_START_MS,
    );
  }

  /** socket() on lab-network host `host` through the new-socket form's host picker. */
  async createSocketOn(host: string, domain: SocketDomain, type: SocketKind): Promise<number> {
    await this.ui.byTestId('new-socket-host').selectOption(host);
    return this.ui.createSocket(domain, type);
  }

  /** The frames waiting on the link, oldest first. */
  async held(): Promise<HeldRow[]> {
    const rows = this.ui.page.locator('[data-testid="net-step-list"] [role="option"]');
    const found = await rows.evaluateAll((all) => all.map((row) => [row.getAttribute('data-testid') ?? '', row.textContent ?? '']));
    return found.map(([id, text]) => ({ id: Number(id!.replace('net-held-', '')), text: text!.replace(/\s+/g, ' ').trim() }));
  }

  /** Clicks one of a held frame's buttons and waits until it has left the list. */
  async act(id: number, action: 'deliver' | 'drop' | 'delay'): Promise<void> {
    await this.ui.byTestId(`net-${action}-${id}`).click();
    await this.ui.byTestId(`net-held-${id}`).waitFor({ state: 'detached' });
  }
}
