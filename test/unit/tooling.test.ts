/**
 * The project's tooling, as configured: one tsconfig base that the node and web configs extend
 * without repeating it, a typecheck that leaves no *.tsbuildinfo behind, and dev scripts with
 * hot reload for Electron and for web mode sharing one renderer config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const json = (name: string): unknown => JSON.parse(readFileSync(join(root, name), 'utf8'));

describe('tsconfig', () => {
  it('has one base the node and web configs extend, neither repeating its options', () => {
    const base = (json('tsconfig.base.json') as { compilerOptions: Record<string, unknown> }).compilerOptions;
    expect(base).toMatchObject({ strict: true, verbatimModuleSyntax: true, isolatedModules: true });
    for (const name of ['tsconfig.node.json', 'tsconfig.web.json']) {
      const config = json(name) as { extends: string; compilerOptions: Record<string, unknown> };
      expect(config.extends).toBe('./tsconfig.base.json');
      const repeated = Object.keys(config.compilerOptions).filter((key) => Object.hasOwn(base, key));
      expect(repeated, `${name} repeats the base's ${repeated.join(', ')}`).toEqual([]);
    }
  });

  it("typechecks without writing build info (composite is for editors' project references only)", () => {
    const { scripts } = json('package.json') as { scripts: Record<string, string> };
    const checks = scripts.typecheck.split('&&').map((part) => part.trim());
    expect(checks).toHaveLength(2);
    for (const check of checks) expect(check).toMatch(/^(tsc|vue-tsc) --noEmit --composite false -p tsconfig\.(node|web)\.json$/);
  });
});

describe('dev scripts', () => {
  it('reload on change: electron-vite dev --watch, and web mode under tsx watch beside Vite', () => {
    const { scripts } = json('package.json') as { scripts: Record<string, string> };
    expect(scripts.dev).toBe('electron-vite dev --watch');
    const devWeb = readFileSync(join(root, scripts['dev:web'].replace('node ', '')), 'utf8');
    expect(devWeb).toContain("'watch'");
    expect(devWeb).toContain('vite.renderer.config.ts');
    // Electron's build and web mode's dev server use the same renderer config.
    expect(readFileSync(join(root, 'electron.vite.config.ts'), 'utf8')).toContain("import rendererConfig from './vite.renderer.config'");
  });
});
