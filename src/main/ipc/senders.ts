/**
 * Which IPC senders are ours: the top-level frame of a window the app created, showing the
 * app's own page. A frame that navigated elsewhere, an iframe, or any other webContents is
 * refused, so a page that is not SockLab's can never reach the lab.
 */
import { isAppOrigin } from '../app-protocol';
import type { BrowserWindow, IpcMainInvokeEvent, WebContents } from 'electron';

/** The parts of an IPC event the check reads (Electron's `IpcMainInvokeEvent`). */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;
/** The parts of a BrowserWindow the registry uses. */
export type WindowLike = Pick<BrowserWindow, 'webContents' | 'once'>;

export interface AppWindows {
  /** Trusts `win` until it closes. */
  add(win: WindowLike): void;
  /** Whether an IPC event comes from the main frame of one of our windows, on our page. */
  isTrusted(event: SenderEvent): boolean;
  /** The webContents of every open window (event batches go to these). */
  contents(): WebContents[];
  /** Calls `listener` with a window's webContents id when that window closes. */
  onClosed(listener: (contentsId: number) => void): void;
}

/**
 * Whether `url` is the app's page: the dev server's origin in development, otherwise the app's
 * own origin, `app://socklab` (see app-protocol.ts). `file://` pages are never trusted: any file
 * on disk would share that origin.
 */
export function createAppUrlCheck(options: { devServerUrl?: string }): (url: string) => boolean {
  const devOrigin = options.devServerUrl ? new URL(options.devServerUrl).origin : null;
  return (url) => {
    if (devOrigin === null) return isAppOrigin(url);
    try {
      return new URL(url).origin === devOrigin;
    } catch {
      return false;
    }
  };
}

/** Creates the registry of the windows main created. */
export function createAppWindows(isAppUrl: (url: string) => boolean): AppWindows {
  const byId = new Map<number, WebContents>();
  const closedListeners: Array<(contentsId: number) => void> = [];
  return {
    add(win) {
      const contents = win.webContents;
      const id = contents.id;
      byId.set(id, contents);
      win.once('closed', () => {
        byId.delete(id);
        for (const listener of closedListeners) listener(id);
      });
    },
    onClosed(listener) {
      closedListeners.push(listener);
    },
    isTrusted(event) {
      const contents = byId.get(event.sender.id);
      const frame = event.senderFrame;
      if (!contents || contents !== event.sender || !frame) return false;
      // Only the top-level frame: an iframe (even one on our origin) gets nothing.
      if (frame.parent !== null) return false;
      return isAppUrl(frame.url);
    },
    contents() {
      return [...byId.values()].filter((contents) => !contents.isDestroyed());
    },
  };
}
