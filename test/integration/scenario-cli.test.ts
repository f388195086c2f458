/** `npm run scenario`: exit codes and output lines, through the real entry script. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'socklab-cli-test-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'scripts/scenario.ts', ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

// Each test starts npx + tsx + a lab: seconds on a loaded machine, so allow more than the default.
describe('npm run scenario', { timeout: 60_000 }, () => {
  it('exits 0 and prints one JSON line per step, then a summary', async () => {
    const run = await cli('resources/scenarios/tcp-server-flow.yaml', '--json-only');
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('✓');
    const out = lines(run.stdout);
    expect(out.at(-1)).toMatchObject({ type: 'summary', ok: true, failed: 0 });
    const bind = out.find((line) => line.call === 'bind');
    expect(bind).toMatchObject({
      type: 'step',
      step: 3,
      sock: 'server',
      ret: 0,
      pass: true,
      args: { address: { family: 'AF_INET', port: 0 } },
    });
    expect(typeof bind?.durationUs).toBe('number');
  });

  it('exits 1 when an expectation fails, and says which', async () => {
    const path = file(
      'fail.yaml',
      'name: f\nsteps:\n  - { call: socket, domain: AF_INET, type: SOCK_DGRAM, as: u }\n  - { call: recv, sock: u, flags: [MSG_DONTWAIT], expect: { ret: 0 } }\n',
    );
    const run = await cli(path);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('✗ step 2 (recv)');
    expect(run.stderr).toContain('ret should be 0, but it is -1');
    expect(run.stderr).toContain('FAIL: 1 of 2 steps passed');
    expect(lines(run.stdout).at(-1)).toMatchObject({ type: 'summary', ok: false, failed: 1 });
  });

  it('exits 2 for an invalid file, pointing at the step and field', async () => {
    const path = file(
      'bad.yaml',
      'name: b\nsteps:\n  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: s }\n  - { call: bind, sock: s, adress: "127.0.0.1:0" }\n',
    );
    const run = await cli(path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('step 2 (bind): unknown field "adress" (did you mean "address"?)');
    expect(lines(run.stdout)[0]).toMatchObject({ type: 'error', file: path });
  });

  it('exits 2 for a missing file', async () => {
    const missing = await cli(join(scratch, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the scenario file: no such file');
  });

  it('exits 2 without a file, showing the usage', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: npm run scenario -- FILE');
  });

  it("--capture writes the scenario's own packets, each naming the call that caused it", async () => {
    const out = join(scratch, 'flow.pcapng');
    const run = await cli('resources/scenarios/tcp-client-flow.yaml', '--json-only', '--capture', out);
    expect(run.code).toBe(0);
    const last = lines(run.stdout).at(-1);
    expect(last).toMatchObject({ type: 'capture', file: out });
    expect(Number(last?.packets)).toBeGreaterThanOrEqual(10);
    const rows = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'tcp.flags.str', '-e', 'frame.comment'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows.length).toBe(Number(last?.packets));
    // The handshake's SYN is connect()'s, the FINs are close()'s; nothing in the file is untied.
    expect(rows[0]?.[1]).toMatch(/^connect\(\d+, 127\.0\.0\.1:\d+\) = 0 → /);
    expect(rows.filter(([flags]) => flags?.includes('F')).map(([, comment]) => comment)).toEqual([
      expect.stringMatching(/^close\(\d+\) = 0/),
      expect.stringMatching(/^close\(\d+\) = 0/),
    ]);
    expect(rows.every(([, comment]) => comment !== undefined && comment !== '')).toBe(true);
  });

  it('exits 2 when --capture has no file', async () => {
    const run = await cli('resources/scenarios/tcp-client-flow.yaml', '--capture');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--capture needs the file to write');
  });
});
