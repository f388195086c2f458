#!/usr/bin/env node
/**
 * `npm run dist [-- --linux|--win|--mac ...]`: builds the app (electron-vite) and its installers
 * with electron-builder (electron-builder.yml). electron-builder packages the Electron binary
 * that `npm install` put in node_modules/electron (electronDist), so nothing else is downloaded
 * for the app itself; where that binary is missing (installed with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1) this says so and stops. By default it builds this system's
 * targets (Linux: AppImage and .deb); `--dir` builds only the unpacked folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const pathFile = join(electronDir, 'path.txt');
const binary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
if (!binary || !existsSync(binary)) {
  console.error(
    "dist: Electron's binary is not installed (node_modules/electron/dist), so there is nothing to package.\n" +
      '      It is skipped when ELECTRON_SKIP_BINARY_DOWNLOAD=1 is set. Download it with:\n' +
      '        env -u ELECTRON_SKIP_BINARY_DOWNLOAD node node_modules/electron/install.js\n' +
      '      then run npm run dist again.',
  );
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const step = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
step(npm, ['run', 'build']);
step(npm, [
  'exec',
  '--',
  'electron-builder',
  '--config',
  'electron-builder.yml',
  `-c.electronDist=${join(electronDir, 'dist')}`,
  ...process.argv.slice(2),
]);
