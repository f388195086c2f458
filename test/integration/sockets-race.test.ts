/**
 * One owner per descriptor: every call raced against close and reset on the same descriptor
 * (stream listener, client, accepted, fresh, UDP and — as root — raw sockets) must settle, must
 * not crash the process, and must not leave a listener the lab no longer tracks. The races run
 * in a child process (test/helpers/race-close.ts) so an abort fails this test, not vitest.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../helpers/race-close.ts', import.meta.url));

describe('calls raced against close and reset', () => {
  it('never abort the process and leave no listener behind', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '20'], { encoding: 'utf8', timeout: 90_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    // No summary line: the child's event loop emptied while a raced call was still pending (it never settled).
    expect(child.stdout, 'every raced call settles').toMatch(/"rounds"/);
    const summary = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { rounds: number; survivors: number[]; escaped: string[] };
    expect(summary).toEqual({ rounds: 20, survivors: [], escaped: [] });
  }, 100_000);
});
