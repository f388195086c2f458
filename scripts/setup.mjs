#!/usr/bin/env node
/**
 * First step of `npm start` and `npm test`: makes sure this machine has what SockLab needs.
 * - system packages (Debian/Ubuntu): libpcap-dev (to build `cap`), a C++ toolchain and python3
 *   (node-gyp), tshark (reference decoder in tests), chromium and fonts-noto-cjk (end-to-end
 *   tests, Chinese text), tcpdump (bench reference). As root they
 *   are installed (`apt-get update` once, then `apt-get install -y`); otherwise the exact command
 *   is printed and setup carries on with what can be done.
 * - node_modules: `npm ci` when it is missing or older than package-lock.json, with
 *   ELECTRON_SKIP_BINARY_DOWNLOAD=1 unless set otherwise (the Electron binary often cannot be
 *   fetched; `npm start` then runs web mode and says how to get it).
 * - `cap` patched: patches/cap+0.2.1.patch (batched, buffered capture with kernel timestamps,
 *   original lengths and pcap_stats) applied with patch-package and the addon rebuilt with
 *   node-gyp (`npm rebuild cap`) whenever node_modules lacks this exact patch build. With
 *   `--cap-only` it does only this (package.json's postinstall, so `npm ci` alone patches too).
 * Silent and quick when everything is in place. Plain Node, no dependencies: it runs before them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Whether an executable named `name` is on PATH. */
function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What SockLab needs from the system: the package that provides it and how to tell it is there. */
const SYSTEM_NEEDS = [
  {
    pkg: 'libpcap-dev',
    why: 'to build the capture addon (cap)',
    present: () => existsSync('/usr/include/pcap.h') || existsSync('/usr/include/pcap/pcap.h'),
  },
  { pkg: 'build-essential', why: 'to compile native addons', present: () => onPath('g++') && onPath('make') },
  { pkg: 'python3', why: 'for node-gyp', present: () => onPath('python3') },
  { pkg: 'tshark', why: 'the reference decoder the tests compare with', present: () => onPath('tshark') },
  { pkg: 'chromium', why: 'the browser the end-to-end tests drive', present: () => existsSync('/usr/bin/chromium') },
  {
    pkg: 'fonts-noto-cjk',
    why: 'so the Chinese UI renders in the browser and in screenshots',
    present: () => existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
  },
  { pkg: 'tcpdump', why: 'the reference capture the benches compare with', present: () => onPath('tcpdump') },
  { pkg: 'util-linux', why: 'unshare, which starts the lab-network engine in its own namespaces', present: () => onPath('unshare') },
  { pkg: 'iproute2', why: 'ip, which joins each lab-network host to the link with a veth pair', present: () => onPath('ip') },
];

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env, cwd: root });
  return result.status === 0;
}

/** Installs missing system packages when possible; returns false when something is still missing. */
function ensureSystemPackages() {
  if (process.platform !== 'linux') return true;
  const missing = SYSTEM_NEEDS.filter((need) => !need.present());
  if (missing.length === 0) return true;
  const pkgs = missing.map((need) => need.pkg);
  for (const need of missing) console.log(`setup: ${need.pkg} is missing (${need.why})`);
  if (!onPath('apt-get')) {
    console.log(`setup: no apt-get here: install the equivalent of ${pkgs.join(', ')} with your package manager.`);
    return false;
  }
  const install = ['install', '-y', '--no-install-recommends', ...pkgs];
  if (process.getuid?.() !== 0) {
    console.log(`setup: not root, so not installing. Run:\n  sudo apt-get update && sudo apt-get ${install.join(' ')}`);
    return false;
  }
  // tshark asks (through debconf) whether non-root users may capture: answer with the default.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`setup: apt-get ${install.join(' ')}`);
  if (!run('apt-get', ['update'], env) || !run('apt-get', install, env)) {
    console.log('setup: apt-get failed (see above); continuing with what is installed.');
    return false;
  }
  return true;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Runs `npm ci` when node_modules is missing or older than the lock file. */
function ensureNodeModules() {
  const lock = mtime(join(root, 'package-lock.json'));
  // npm writes node_modules/.package-lock.json at the end of every install.
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  if (installed !== null && (lock === null || installed >= lock)) return true;
  console.log(installed === null ? 'setup: node_modules is missing: npm ci' : 'setup: package-lock.json changed: npm ci');
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '1' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (!run(npm, ['ci'], env)) {
    console.error('setup: npm ci failed (see above).');
    return false;
  }
  return true;
}

/**
 * Applies SockLab's patch to cap and rebuilds its addon, once per patch and Node ABI: a stamp
 * beside the built addon names both, and `npm ci` (which rebuilds cap unpatched) removes it.
 */
function ensureCapPatched() {
  const patch = join(root, 'patches', 'cap+0.2.1.patch');
  const built = join(root, 'node_modules', 'cap', 'build', 'Release');
  const stamp = join(built, 'socklab-patch.txt');
  const want = `${createHash('sha256').update(readFileSync(patch)).digest('hex')} abi ${process.versions.modules}\n`;
  if (existsSync(join(built, 'cap.node')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return true;
  console.log('setup: applying patches/cap+0.2.1.patch and rebuilding cap');
  // patch-package leaves an already applied patch as it is, so this is safe to repeat.
  if (!run(process.execPath, [join(root, 'node_modules', 'patch-package', 'index.js')])) {
    console.error('setup: patch-package could not apply patches/cap+0.2.1.patch (see above).');
    return false;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (!run(npm, ['rebuild', 'cap', '--foreground-scripts'])) {
    console.error('setup: rebuilding cap failed (see above); libpcap-dev and a C++ toolchain are needed.');
    return false;
  }
  writeFileSync(stamp, want);
  return true;
}

// `--cap-only`: npm's postinstall, so a plain `npm ci` also ends with the patched cap. An install
// without dev dependencies has no patch-package: say so, without failing that install.
if (process.argv.includes('--cap-only')) {
  if (!existsSync(join(root, 'node_modules', 'patch-package', 'index.js'))) {
    console.log(
      'setup: patch-package is not installed (no dev dependencies?): cap stays unpatched; run "npm ci" then "node scripts/setup.mjs".',
    );
    process.exit(0);
  }
  process.exit(ensureCapPatched() ? 0 : 1);
}

const systemReady = ensureSystemPackages();
const modulesReady = ensureNodeModules();
if (!modulesReady) process.exit(1);
if (!ensureCapPatched()) process.exit(1);
if (!systemReady) console.log('setup: continuing; the parts that need the missing packages will say so.');

// Where Electron's binary is installed, cap is built for it too (beside the Node build).
try {
  const { ensureElectronCap } = await import('./electron-native.mjs');
  const outcome = await ensureElectronCap(root);
  if (outcome === 'built') console.log('setup: built cap for Electron in .electron-native/');
} catch (error) {
  console.log(
    `setup: could not build cap for Electron (${error instanceof Error ? error.message : error}); the desktop window's capture will say so. Web mode is unaffected.`,
  );
}
