/**
 * The desktop install, as far as it can be proven on a machine without Electron's binary: the
 * electron-builder configuration passes electron-builder's own schema, everything it names
 * exists, the .deb's scripts are valid shell, the AppArmor profile grants user namespaces to
 * SockLab alone, the capture process picks the cap build for its runtime, and no document or
 * code advises capabilities on Electron. Where Electron's binary is installed, the Linux
 * unpacked app is built for real.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { capModulePath } from '../../src/main/lab/capture/cap-path';

const requireCjs = createRequire(import.meta.url);
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>;
const { validateConfiguration } = requireCjs('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const quiet = { isEnabled: false, add() {} };

/** What electron-builder does to the .deb's templates before packing them. */
function fill(template: string): string {
  return template.replaceAll('${executable}', 'socklab').replaceAll('${sanitizedProductName}', 'SockLab');
}

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema, and a misspelled option does not", async () => {
    await expect(validateConfiguration(config, quiet)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, tagret: ['deb'] } }, quiet)).rejects.toThrow(
      /Invalid configuration object/,
    );
  }, 60_000);

  it('builds every target a person installs from', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/cap/**');
  });

  it('names only files that exist', () => {
    for (const path of [config.icon, config.deb.appArmorProfile, config.deb.afterInstall, config.deb.afterRemove]) {
      expect(existsSync(path), path).toBe(true);
    }
    for (const { from } of config.extraResources) expect(existsSync(from), from).toBe(true);
    const icons = readdirSync(config.linux.icon).filter((f) => /^\d+x\d+\.png$/.test(f));
    expect(icons).toEqual(expect.arrayContaining(['16x16.png', '48x48.png', '256x256.png', '512x512.png']));
  });

  it('has a desktop entry in both languages', () => {
    expect(config.linux.desktop.entry).toMatchObject({ Name: 'SockLab', Categories: 'Network;Education;Development;' });
    expect(config.linux.desktop.entry['Comment[zh_CN]']).toMatch(/套接字/);
  });
});

describe('the .deb scripts and AppArmor profile', () => {
  it('post-install and post-remove are valid bash once filled in', () => {
    for (const path of [config.deb.afterInstall, config.deb.afterRemove]) {
      const check = spawnSync('bash', ['-n'], { input: fill(readFileSync(path, 'utf8')), encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
    const install = fill(readFileSync(config.deb.afterInstall, 'utf8'));
    expect(install).toContain("APP_DIR='/opt/SockLab'");
    expect(install).toContain('apparmor_parser --skip-kernel-load');
    expect(install).toContain('usermod -aG wireshark');
    expect(install).not.toMatch(/setcap/);
  });

  it('grants user namespaces to SockLab and to the unshare that starts its lab network, nothing else', () => {
    const profile = fill(readFileSync(config.deb.appArmorProfile, 'utf8'));
    expect(profile).toMatch(/^abi <abi\/4\.0>,$/m);
    expect(profile).toContain('profile "socklab" "/opt/SockLab/socklab" flags=(unconfined) {');
    expect(profile).toContain('/usr/bin/unshare cx -> lab_network,');
    expect(profile.match(/^\s*userns,$/gm)).toHaveLength(2);
    const rules = profile.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(rules.join('\n')).not.toMatch(/capability/);
  });
});

describe('which cap build the capture process loads', () => {
  const resolveCap = () => '/home/ada/socklab/node_modules/cap/lib/Cap.js';
  it('Node always loads the installed cap', () => {
    expect(capModulePath(resolveCap, undefined, () => true)).toBe('cap');
  });
  it('Electron from a checkout loads the Electron build when setup made one, else the installed cap', () => {
    expect(
      capModulePath(resolveCap, '38.0.0', (p) => p === '/home/ada/socklab/.electron-native/node_modules/cap/build/Release/cap.node'),
    ).toBe('/home/ada/socklab/.electron-native/node_modules/cap');
    expect(capModulePath(resolveCap, '38.0.0', () => false)).toBe('cap');
  });
});

describe('privilege advice', () => {
  it('no document, script or source advises capabilities on Electron or node', () => {
    const files = spawnSync('git', ['ls-files', 'README.md', 'docs', 'scripts', 'src', 'resources'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    const offenders = files.filter(
      (f) => existsSync(f) && /setcap[^\n]*(electron|command -v node|execPath|\bnode\b)/i.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

const electronBinary = (() => {
  const pathFile = join('node_modules', 'electron', 'path.txt');
  return existsSync(pathFile) && existsSync(join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim()));
})();

describe.skipIf(!electronBinary)(
  `the Linux unpacked app${electronBinary ? '' : " (skipped: Electron's binary is not installed here; ELECTRON_SKIP_BINARY_DOWNLOAD)"}`,
  () => {
    it('builds, with cap unpacked from the archive', () => {
      const build = spawnSync('node', ['scripts/dist.mjs', '--linux', '--dir'], { encoding: 'utf8', timeout: 600_000 });
      expect(build.status, build.stderr).toBe(0);
      expect(existsSync('dist/linux-unpacked/socklab')).toBe(true);
      expect(existsSync('dist/linux-unpacked/resources/app.asar')).toBe(true);
      expect(existsSync('dist/linux-unpacked/resources/app.asar.unpacked/node_modules/cap/build/Release/cap.node')).toBe(true);
    }, 600_000);
  },
);
