#!/usr/bin/env node
/**
 * `npm run dev:web`: web mode with hot reload. Two processes:
 * - the lab's web server under `tsx watch` (src/main/web/serve.ts): any change to src/main or
 *   src/shared restarts it, with the same token (SOCKLAB_WEB_TOKEN) so the open page reconnects;
 * - Vite's dev server for the renderer (vite.renderer.config.ts) with hot module replacement; it
 *   forwards the page's WebSocket (/ws) to the lab (see SOCKLAB_DEV_LAB there).
 * Ctrl+C stops both. (`npm run dev` is the same for the Electron app: `electron-vite dev --watch`.)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

/** A port free right now on loopback, for the lab server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const token = randomBytes(32).toString('base64url');
const labPort = await freePort();
const env = { ...process.env, SOCKLAB_WEB_TOKEN: token, SOCKLAB_DEV_LAB: `127.0.0.1:${labPort}` };

const children = [
  // The web server only needs an index.html to exist; in development vite serves the page.
  spawn(
    bin('tsx'),
    ['watch', '--tsconfig', 'tsconfig.node.json', 'src/main/web/serve.ts', '--port', String(labPort), '--renderer', 'src/renderer'],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  ),
  spawn(bin('vite'), ['--config', 'vite.renderer.config.ts'], { cwd: root, env, stdio: 'inherit' }),
];
console.log(`SockLab dev (web mode): open the renderer dev server's URL (printed below) with ?token=${token}`);

let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const child of children) child.on('exit', (code) => stop(code ?? 1));
