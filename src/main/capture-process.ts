/**
 * The capture process under Electron: `utilityProcess.fork()` (a Node process Electron manages,
 * no window), shaped as the lab's `CaptureLauncher` so the lab itself never imports electron.
 */
import { utilityProcess } from 'electron';
import type { CaptureLauncher } from './lab/capture/launcher';

/** Starts the capture worker as an Electron utility process. */
export const utilityProcessLauncher: CaptureLauncher = (entry) => {
  const child = utilityProcess.fork(entry, [], { stdio: 'pipe', serviceName: 'SockLab capture' });
  // Nothing useful comes on stdout; drain it so a chatty worker never blocks on a full pipe.
  child.stdout?.resume();
  let exitListener: ((code: number | null, reason: string | null) => void) | null = null;
  let ended = false;
  child.once('exit', (code) => {
    ended = true;
    exitListener?.(code, null);
  });
  return {
    send(message) {
      if (!ended) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      exitListener = listener;
    },
    onStderr(listener) {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => listener(text));
    },
    kill() {
      child.kill();
    },
  };
};
