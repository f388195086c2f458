/**
 * How the capture process is started. The lab never imports electron, so the launcher is a
 * small interface: the default forks a Node process (web mode, headless, tests); Electron's
 * main passes one built on `utilityProcess.fork()` (see `CaptureLauncher`).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ToWorker } from './protocol';

/** A running capture process as main sees it. */
export interface CaptureChannel {
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, or could not start (code null and a reason). */
  onExit(listener: (code: number | null, reason: string | null) => void): void;
  /** Lines the process wrote to stderr (libpcap warnings, a crash's last words). */
  onStderr(listener: (text: string) => void): void;
  kill(): void;
}

/**
 * Starts the capture process from its entry file: `forkLauncher` below by default; Electron's
 * main passes `utilityProcessLauncher` (src/main/capture-process.ts).
 */
export type CaptureLauncher = (entry: string) => CaptureChannel;

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The capture process entry: worker.ts beside this file when running from source (dev, tests),
 * capture.js beside the bundled main (out/main/index.js, or one level up from a chunk).
 */
export function captureEntry(): string | null {
  const candidates = [
    join(here, 'worker.ts'),
    join(here, 'capture.js'),
    join(here, '..', 'capture.js'),
    join(here, '..', '..', 'out', 'main', 'capture.js'),
  ];
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** `--import tsx` with tsx resolved from this project, so a TypeScript entry runs from any cwd. */
function tsxImport(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  try {
    return ['--import', pathToFileURL(createRequire(entry).resolve('tsx')).href];
  } catch {
    return ['--import', 'tsx'];
  }
}

/** The default launcher: `child_process.fork()` with structured-clone messages (Buffers cross as bytes). */
export const forkLauncher: CaptureLauncher = (entry) => {
  const child = fork(entry, [], {
    execArgv: tsxImport(entry),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let exitListener: ((code: number | null, reason: string | null) => void) | null = null;
  let ended = false;
  const end = (code: number | null, reason: string | null) => {
    if (ended) return;
    ended = true;
    exitListener?.(code, reason);
  };
  child.on('exit', (code, signal) => end(code, signal ? `killed by ${signal}` : null));
  child.on('error', (error) => end(null, error.message));
  return {
    send(message) {
      if (child.connected) child.send(message);
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
