/**
 * Which build of `cap` the capture process loads. Node (web mode, tests) and a packaged app
 * (electron-builder rebuilt node_modules for Electron) load the installed `cap`. Electron run
 * from a checkout (`npm start`) loads the Electron build that scripts/electron-native.mjs made in
 * `.electron-native/`, because node_modules/cap is built for Node's ABI.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The specifier or path to require cap by: `capRoot` is the folder holding node_modules (found
 * from where `cap` resolves); `electron` is process.versions.electron.
 */
export function capModulePath(resolveCap: () => string, electron: string | undefined, exists = existsSync): string {
  if (!electron) return 'cap';
  let installed: string;
  try {
    installed = resolveCap();
  } catch {
    return 'cap';
  }
  // <root>/node_modules/cap/lib/Cap.js → <root>
  const root = dirname(dirname(dirname(dirname(installed))));
  const electronBuild = join(root, '.electron-native', 'node_modules', 'cap');
  return exists(join(electronBuild, 'build', 'Release', 'cap.node')) ? electronBuild : 'cap';
}
