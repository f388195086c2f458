/**
 * The unprivileged path for real: a child process running as `nobody` (no CAP_NET_RAW) asks
 * for raw sockets and must get EPERM from the kernel, with the command that grants the right.
 * Needs root to switch user, which is how the tests run here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

function runAsNobody(body: string, modulePath = 'src/main/lab/raw/index.ts'): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'socklab-raw-'));
  try {
    chmodSync(dir, 0o755);
    const script = join(dir, 'probe.mts');
    const raw = resolve(modulePath);
    writeFileSync(
      script,
      `import * as raw from ${JSON.stringify(raw)};\nconsole.log(JSON.stringify(await (async () => { ${body} })()));\n`,
    );
    chmodSync(script, 0o644);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
      timeout: 15_000,
    });
    if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? 'null');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!isRoot)('without CAP_NET_RAW', () => {
  it('socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) answers EPERM, pointing at a lab-network host or root, never setcap', () => {
    const result = runAsNobody(`return raw.openRawSocket('AF_INET', 'IPPROTO_ICMP');`);
    expect(result).toMatchObject({ ok: false, errno: 'EPERM', code: 1 });
    expect((result as { message: string }).message).toContain(
      'Raw sockets on this machine need root: open the socket on a lab-network host',
    );
    expect((result as { message: string }).message).not.toContain('setcap');
  });

  it('ping answers EPERM instead of crashing, for IPv6 too; the pure builders still work', () => {
    const result = runAsNobody(`
      const v6 = await raw.ping({ family: 'AF_INET6', target: '::1', count: 1, intervalMs: 10, timeoutMs: 100, payloadSize: 8 });
      return { v6, checksum: raw.buildIcmpEcho({ type: 8, code: 0, identifier: 1, sequence: 1, payload: Buffer.alloc(0) }).checksum };
    `);
    expect(result).toMatchObject({ v6: { ok: false, errno: 'EPERM' }, checksum: 0xf7fd });
  });

  it('through the lab: socket(SOCK_RAW) and raw.ping answer EPERM with the command; UDP still works', () => {
    const result = runAsNobody(
      `
      const lab = raw.createLab({ captureLauncher: 'none' });
      const socket = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' });
      const ping = await lab.invoke('raw.ping', { family: 'AF_INET', target: '127.0.0.1', count: 1, intervalMs: 10, timeoutMs: 100, payloadSize: 8 });
      const udp = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
      const info = await lab.invoke('lab.info', {});
      await lab.close();
      return { socket, ping, udp, info };
    `,
      'src/main/lab/index.ts',
    );
    expect(result).toMatchObject({
      socket: { ok: false, ret: -1, errno: 'EPERM' },
      ping: { ok: false, errno: 'EPERM' },
      udp: { ok: true, ret: 3 },
      info: {
        ok: true,
        value: { privileges: { items: expect.arrayContaining([expect.objectContaining({ ability: 'hostRawSockets', ready: false })]) } },
      },
    });
    const { socket, ping, info } = result as {
      socket: { message: string };
      ping: { message: string };
      info: { value: { privileges: { items: { ability: string; command: string }[] } } };
    };
    const raw = info.value.privileges.items.find((i) => i.ability === 'hostRawSockets');
    expect(socket.message).toContain(raw?.command);
    expect(ping.message).toContain('lab-network host');
  });
});
