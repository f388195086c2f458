/** `npm run dissect`: one JSON object per packet, keyed and valued as tshark's fixtures are. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type CliOutput, dissectCli } from '../../src/main/lab/dissect/cli';
import { readCapture, writePcapng } from '../../src/main/lab/pcap';
import { fixturePath } from '../helpers/fixtures';

/** Runs the CLI in-process; returns its exit code, lines and error text. */
async function run(args: string[]): Promise<{ code: number; lines: string[]; errors: string }> {
  const lines: string[] = [];
  let errors = '';
  const out: CliOutput = { line: (t) => lines.push(t), closed: () => false, error: (t) => (errors += t + '\n') };
  const code = await dissectCli(args, out);
  return { code, lines, errors };
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('dissect CLI', () => {
  it('prints each packet with the fields and values tshark printed', async () => {
    for (const name of ['dns_tcp.pcap', 'icmpv6.pcap', 'ahcp.pcapng']) {
      const { code, lines } = await run([fixturePath(name)]);
      expect(code).toBe(0);
      const fixture = JSON.parse(readFileSync(fixturePath(`${name}.tshark.json`), 'utf8')) as { packets: Record<string, string>[] };
      expect(lines).toHaveLength(fixture.packets.length);
      lines.forEach((line, i) => {
        const record = JSON.parse(line) as Record<string, string>;
        for (const [field, value] of Object.entries(fixture.packets[i])) expect(record[field], `${name}#${i + 1} ${field}`).toBe(value);
      });
    }
  });

  it('restricts output to --fields and fails on a file that is not a capture', async () => {
    const { lines } = await run([fixturePath('dns_tcp.pcap'), '--fields', 'tcp.srcport,ip.src']);
    expect(Object.keys(JSON.parse(lines[0]) as object).sort()).toEqual(['ip.src', 'tcp.srcport']);
    expect((await run([fixturePath('README.md')])).code).toBe(1);
  });

  it('keeps the packets --filter matches and --count counts them', async () => {
    const file = fixturePath('dns_tcp.pcap');
    const fixture = JSON.parse(readFileSync(`${file}.tshark.json`, 'utf8')) as { packets: Record<string, string>[] };
    const fromServer = fixture.packets.filter((p) => p['tcp.srcport'] === '53');
    const listed = await run([file, '--filter', 'tcp.srcport == 53', '--fields', 'frame.number']);
    expect(listed.lines.map((l) => (JSON.parse(l) as Record<string, string>)['frame.number'])).toEqual(
      fromServer.map((p) => p['frame.number']),
    );
    expect((await run([file, '--filter', 'tcp.srcport == 53', '--count'])).lines).toEqual([String(fromServer.length)]);
    expect((await run([file, '--count'])).lines).toEqual([String(fixture.packets.length)]);
  });

  it('explains bad usage with exit code 2', async () => {
    const badFilter = await run([fixturePath('dns_tcp.pcap'), '--filter', 'tcp.port ==']);
    expect(badFilter.code).toBe(2);
    expect(badFilter.errors).toMatch(/--filter/);
    const unknown = await run([fixturePath('dns_tcp.pcap'), '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.errors).toMatch(/usage: npm run dissect/);
    expect((await run([])).code).toBe(2);
  });

  it('ends quietly with exit 0 when the reader closes the pipe (| head -1)', () => {
    // Far more output than a pipe buffers (64 KiB), so the CLI is still writing when head exits.
    const dir = mkdtempSync(join(tmpdir(), 'socklab-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const source = readCapture(readFileSync(fixturePath('dns_tcp.pcap'))).packets;
    const packets = Array.from({ length: 5000 }, (_, i) => ({ data: source[i % source.length].data, tsNs: BigInt(i) }));
    const file = join(dir, 'many.pcapng');
    writeFileSync(file, writePcapng(packets, { ifaceName: 'lo', linkType: source[0].linkType }));
    // A real pipe: head exits after one line, and the CLI gets EPIPE on a later write.
    const script = `set -o pipefail; node --import tsx scripts/dissect.ts ${JSON.stringify(file)} | head -1 >/dev/null`;
    const result = spawnSync('bash', ['-c', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  }, 60_000);
});
