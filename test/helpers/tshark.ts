/**
 * Running Wireshark's tshark as the reference, for the `tshark` test project. A machine without
 * tshark skips those tests visibly, with the reason (`skipWithoutTshark`), never passes them.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'vitest';
import { writePcapng } from '../../src/main/lab/pcap';

/** Why tshark tests cannot run here, or null when tshark answers. */
export const TSHARK_MISSING: string | null = (() => {
  const probe = spawnSync('tshark', ['--version'], { stdio: 'ignore', timeout: 20_000 });
  if (probe.error)
    return `tshark is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}): apt-get install tshark`;
  return probe.status === 0 ? null : `tshark --version exited with ${probe.status}`;
})();

/** Skips the running test, with the reason, when tshark is missing. */
export function skipWithoutTshark(ctx: TestContext): void {
  if (TSHARK_MISSING !== null) ctx.skip(TSHARK_MISSING);
}

/** tshark's stdout (stderr dropped: it warns about running as root). */
export function tshark(args: string[]): string {
  return execFileSync('tshark', args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28, timeout: 120_000 }).toString();
}

/** tshark's stdout, without blocking the event loop. */
export async function tsharkAsync(args: string[], maxBuffer = 1 << 28): Promise<string> {
  const { stdout } = await promisify(execFile)('tshark', args, { maxBuffer, timeout: 120_000 });
  return stdout;
}

/**
 * Writes `frames` as a pcapng file in a fresh temporary directory, calls `use` with its path and
 * removes the directory afterwards.
 */
export function withCapture<T>(frames: readonly Uint8Array[], linkType: number, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'socklab-tshark-'));
  try {
    const file = join(dir, 'crafted.pcapng');
    const packets = frames.map((data, i) => ({ data, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n }));
    writeFileSync(file, writePcapng(packets, { ifaceName: 'crafted', linkType }));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * tshark's `-T fields -E occurrence=f` decode of a file: one record per frame, empty fields
 * left out (the reference format of test/fixtures/pcap).
 */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): Record<string, string>[] {
  const out = tshark([
    '-r',
    file,
    '-n',
    ...extra,
    '-T',
    'fields',
    '-E',
    'occurrence=f',
    '-E',
    'separator=/t',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      const record: Record<string, string> = {};
      fields.forEach((name, i) => {
        if (values[i]) record[name] = values[i];
      });
      return record;
    });
}
