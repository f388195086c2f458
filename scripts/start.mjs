#!/usr/bin/env node
/**
 * `npm start` (after setup and build): opens the Electron window when an Electron runtime and a
 * display are available; otherwise starts web mode and says which of the two is missing.
 * `npm run serve` (`--web`): web mode directly, building first if out/ has no renderer yet.
 * Other arguments (`--host`, `--port`) go to web mode.
 *
 * Web mode runs in this very process: tsx (a dev dependency) is registered with
 * tsconfig.node.json, which maps '@shared/*', and the TypeScript entry src/main/web/cli.ts is
 * imported directly. No bundle of the lab is needed, and the capture process it forks runs
 * from source the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const webOnly = args.includes('--web');
const webArgs = args.filter((arg) => arg !== '--web');

/** The Electron executable if it was downloaded, else null (never triggers a download). */
function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const defaults = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : (defaults[process.platform] ?? 'electron');
  const binary = join(dir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function build() {
  console.log('Building the app (electron-vite build)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error('The build failed (see above).');
    process.exit(result.status ?? 1);
  }
}

async function startWebMode() {
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) build();
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: join(root, 'tsconfig.node.json') });
  const { serveCli } = await import(pathToFileURL(join(root, 'src', 'main', 'web', 'cli.ts')).href);
  // Exit explicitly: a capture process or a blocked call must not keep a closed lab alive.
  process.exit(await serveCli(webArgs));
}

function startElectron(binary) {
  // Chromium refuses to run as root with its sandbox on; the renderer stays context-isolated.
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  if (rootArgs.length > 0) console.log('Running as root: starting Electron with --no-sandbox.');
  const child = spawn(binary, [root, ...rootArgs], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (webOnly) {
  await startWebMode();
} else {
  const binary = electronBinary();
  const display = hasDisplay();
  if (binary && display) {
    startElectron(binary);
  } else {
    const reasons = [];
    if (!binary) {
      reasons.push(
        'no Electron runtime: node_modules/electron/dist has no Electron binary (its download was skipped or ' +
          'failed; with network access, `node node_modules/electron/install.js` fetches it)',
      );
    }
    if (!display) reasons.push('no display: neither $DISPLAY nor $WAYLAND_DISPLAY is set');
    console.log(`Starting web mode instead of the Electron window: ${reasons.join('; and ')}.`);
    await startWebMode();
  }
}
