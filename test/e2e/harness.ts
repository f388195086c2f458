/**
 * End-to-end harness: web mode as a child process, Debian's Chromium through playwright-core,
 * and a watch on every console error, page error and CSP violation. One `E2eSession` per test
 * file: `startSession()` in beforeAll, `session.close()` in afterAll (it never throws, and it
 * kills the server's whole process group, so a failed run leaves no lab behind).
 *
 * Journeys drive the page only through the UI (see `workbench-page.ts`); this file knows
 * nothing about SockLab's screens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots of every run (git-ignored). */
export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.SOCKLAB_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
/** Bounded waits: long enough for a cold tsx start, short enough to fail a hung run. */
const SERVER_START_MS = 90_000;
const SERVER_STOP_MS = 10_000;
const BUILD_MS = 150_000;

/** Newest modification time (ms) of any file under `dir`, 0 when it does not exist. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the app when out/renderer is missing or older than the renderer's sources (web mode
 * serves the BUILT renderer). Set SOCKLAB_E2E_NO_BUILD=1 to test whatever out/ holds.
 */
export function ensureBuilt(): void {
  const index = join(ROOT, 'out', 'renderer', 'index.html');
  const sources = Math.max(newestMtime(join(ROOT, 'src', 'renderer')), newestMtime(join(ROOT, 'src', 'shared')));
  const fresh = existsSync(index) && statSync(index).mtimeMs >= sources;
  if (fresh || process.env.SOCKLAB_E2E_NO_BUILD === '1') return;
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: BUILD_MS,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.status !== 0) {
    throw new Error(`electron-vite build failed (status ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Web mode running as a child process (its own process group). */
export interface WebModeServer {
  /** The printed URL, with the token. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node scripts/start.mjs --web --port 0` and waits for the URL it prints. */
export async function startWebMode(): Promise<WebModeServer> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--web', '--port', '0'], {
    cwd: ROOT,
    // Its own process group: stop() kills the server and everything it forked (capture process).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error(`web mode printed no URL within ${SERVER_START_MS} ms`)), SERVER_START_MS);
    const onData = (): void => {
      const match = /open (http:\/\/\S+)/.exec(log);
      if (match) {
        cleanup();
        resolveUrl(match[1]!);
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`web mode exited (code ${code}) before printing its URL`));
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error: Error): void {
      cleanup();
      killGroup(child, 'SIGKILL');
      reject(new Error(`${error.message}\n--- server output ---\n${log}`));
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });

  // If the test runner itself exits without running afterAll (Ctrl+C, a crash), no lab stays behind.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    output: () => log,
    async stop() {
      await stopChild(child);
      process.off('exit', killOnExit);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

/** SIGTERM to the group (the server closes its lab), SIGKILL if it is still there after a while. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // leftovers of the group, if any
    return;
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  killGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), SERVER_STOP_MS)));
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
  if (result === 'timeout') await exited;
}

/** A console error, page error or CSP violation seen in any page of the session. */
export interface PageProblem {
  kind: 'console' | 'pageerror' | 'csp';
  text: string;
  url: string;
}

/** What a journey gets: the server, the browser and a fresh page, with problems collected. */
export interface E2eSession {
  readonly server: WebModeServer;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Problems not matched by an `expectProblem` pattern, in the order they happened. */
  unexpectedProblems(): PageProblem[];
  /** Marks problems matching `pattern` as expected (e.g. the 401 of a refused WebSocket). */
  expectProblem(pattern: RegExp): void;
  /** Opens another page in the same context, watched the same way. */
  newPage(): Promise<Page>;
  /** Saves a screenshot of `page` (default: the main page) to test-results/e2e/NAME.png. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** Closes the browser and stops the server; never throws. */
  close(): Promise<void>;
}

/** Records console errors, uncaught page errors and CSP violations of `page` into `problems`. */
export function watchPage(page: Page, problems: PageProblem[]): void {
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    problems.push({ kind: /Content Security Policy/i.test(text) ? 'csp' : 'console', text, url: page.url() });
  });
  page.on('pageerror', (error: Error) => problems.push({ kind: 'pageerror', text: error.stack ?? error.message, url: page.url() }));
}

export interface SessionOptions {
  colorScheme?: 'light' | 'dark';
  locale?: string;
}

/** Builds if needed, starts web mode and Chromium, and opens the lab page with its token. */
export async function startSession(options: SessionOptions = {}): Promise<E2eSession> {
  ensureBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const server = await startWebMode();
  let browser: Browser | undefined;
  try {
    // playwright-core gives each launch a fresh temporary profile, removed on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      deviceScaleFactor: 1,
      colorScheme: options.colorScheme ?? 'light',
      locale: options.locale ?? 'en-US',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(15_000);
    const problems: PageProblem[] = [];
    const expected: RegExp[] = [];
    const page = await context.newPage();
    watchPage(page, problems);
    const openBrowser = browser;
    return {
      server,
      browser,
      context,
      page,
      unexpectedProblems: () => problems.filter((p) => !expected.some((pattern) => pattern.test(p.text))),
      expectProblem: (pattern) => expected.push(pattern),
      async newPage() {
        const extra = await context.newPage();
        watchPage(extra, problems);
        return extra;
      },
      async screenshot(name, target = page) {
        const path = join(RESULTS_DIR, `${name}.png`);
        await target.screenshot({ path });
        return path;
      },
      async close() {
        await openBrowser.close().catch(() => undefined);
        await server.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}
