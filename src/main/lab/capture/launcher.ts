/**
 * How the capture process is started. The lab never imports electron, so the launcher is a
 * small interface: the default forks a Node process (web mode, headless, tests); Electron's
 * main passes one built on `utilityProcess.fork()` (see `CaptureLauncher`).
 */
import { fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ToWorker } from './protocol';

/** A running capture process as main sees it. */
export interface CaptureChannel<Out = ToWorker> {
  send(message: Out): void;
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

/** How to start a Node child process: a command to run it under (e.g. `unshare -Urn`), extra environment. */
export interface NodeChildOptions {
  /** Runs Node through this command and its arguments (which must exec Node in the same process). */
  wrapper?: readonly string[];
  env?: Record<string, string>;
}

/**
 * Starts `entry` in a Node child process with a structured-clone message channel (Buffers cross
 * as bytes): `child_process.fork()`, or through a wrapper such as util-linux `unshare -Urn`, which
 * execs Node in the same process, so the channel (NODE_CHANNEL_FD) and the pid carry over. Under
 * Electron, the Electron binary runs as plain Node (ELECTRON_RUN_AS_NODE).
 */
export function startNodeChild<Out = ToWorker>(
  entry: string,
  options: NodeChildOptions = {},
): CaptureChannel<Out> & { pid: number | undefined } {
  const execArgv = tsxImport(entry);
  const env = {
    ...process.env,
    ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    // tsx resolves the @shared alias from this project's tsconfig, wherever the cwd is.
    ...(entry.endsWith('.ts') ? { TSX_TSCONFIG_PATH: join(here, '..', '..', '..', '..', 'tsconfig.json') } : {}),
    ...options.env,
  };
  const stdio: ['ignore', 'ignore', 'pipe', 'ipc'] = ['ignore', 'ignore', 'pipe', 'ipc'];
  const child =
    options.wrapper && options.wrapper.length > 0
      ? spawn(options.wrapper[0], [...options.wrapper.slice(1), process.execPath, ...execArgv, entry], {
          stdio,
          serialization: 'advanced',
          env,
        })
      : fork(entry, [], { execArgv, serialization: 'advanced', stdio, env });
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
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message as Parameters<typeof child.send>[0]);
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
}

/** The default launcher: a forked Node process. */
export const forkLauncher: CaptureLauncher = (entry) => startNodeChild(entry);
