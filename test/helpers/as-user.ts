/**
 * Runs a snippet of TypeScript as another user (`nobody` by default), the way the unprivileged
 * paths are tested here: `setpriv` switches user and groups, then `/bin/sh` execs node, so the
 * final exec is checked with the new user's rights (setpriv keeps root's capabilities across its
 * own exec, which would let `nobody` run a file only its group may run). Needs root.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

export interface AsUserOptions {
  uid?: number;
  gid?: number;
  /** Supplementary groups (none by default). */
  groups?: number[];
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Runs `body` (the inside of an async function; `mod` is the module at `modulePath`) as the
 * given user and returns what it returned, parsed from JSON. Throws with the child's stderr when
 * it fails.
 */
export function runAsUser(body: string, modulePath: string, options: AsUserOptions = {}): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'socklab-as-user-'));
  try {
    chmodSync(dir, 0o755);
    const script = join(dir, 'probe.mts');
    writeFileSync(
      script,
      `import * as mod from ${JSON.stringify(resolve(modulePath))};\nconsole.log(JSON.stringify(await (async () => { ${body} })()));\n`,
    );
    chmodSync(script, 0o644);
    const uid = options.uid ?? NOBODY;
    const gid = options.gid ?? NOBODY;
    const groups = options.groups?.length ? `--groups=${options.groups.join(',')}` : '--clear-groups';
    const child = spawnSync(
      'setpriv',
      [`--reuid=${uid}`, `--regid=${gid}`, groups, '/bin/sh', '-c', 'exec "$0" --import tsx "$1"', process.execPath, script],
      {
        cwd: process.cwd(),
        encoding: 'utf8',
        env: { ...process.env, HOME: dir, USER: 'nobody', TSX_TSCONFIG_PATH: 'tsconfig.node.json', ...options.env },
        timeout: options.timeoutMs ?? 20_000,
      },
    );
    if (child.status !== 0) throw new Error(`probe as uid ${uid} failed (${child.status ?? child.signal}): ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? 'null');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
