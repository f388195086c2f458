/**
 * Builds `cap` (with SockLab's patch, as installed in node_modules) a second time, for Electron's
 * ABI, into `.electron-native/node_modules/cap`, so that `npm start` opens a window whose capture
 * process can load it — while node_modules/cap stays built for Node (web mode, tests).
 * The capture process picks the Electron build when it runs under Electron (capture/cap-path.ts).
 * Runs only where Electron's binary is installed; quick when the build is current. Packaged apps
 * do not need it: electron-builder rebuilds node_modules for Electron itself (npmRebuild).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of cap's sources (binding and patch), to know when to rebuild. */
function sourceStamp(capDir, root) {
  const files = [join(capDir, 'src', 'binding.cc'), join(capDir, 'binding.gyp'), join(root, 'package-lock.json')];
  return Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
}

/**
 * @param {string} root the repository
 * @returns {Promise<'built' | 'current' | string>} what happened, or why nothing was done
 */
export async function ensureElectronCap(root) {
  const electronDir = join(root, 'node_modules', 'electron');
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) {
    return 'no Electron binary installed (web mode and tests use the Node build)';
  }
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const capDir = join(root, 'node_modules', 'cap');
  const target = join(root, '.electron-native');
  const stampFile = join(target, 'stamp.json');
  const stamp = { electronVersion, source: sourceStamp(capDir, root) };
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)) return 'current';

  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(target, 'node_modules'), { recursive: true });
  cpSync(capDir, join(target, 'node_modules', 'cap'), { recursive: true, filter: (src) => !src.includes(`${join('cap', 'build')}`) });
  writeFileSync(
    join(target, 'package.json'),
    JSON.stringify({ name: 'socklab-electron-native', private: true, dependencies: { cap: '*' } }),
  );
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: target, electronVersion, onlyModules: ['cap'], force: true });
  writeFileSync(stampFile, JSON.stringify(stamp));
  return 'built';
}
