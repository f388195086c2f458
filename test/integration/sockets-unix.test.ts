/**
 * AF_UNIX paths stay in the lab directory unless an instructor allows more: relative names
 * resolve there, paths elsewhere (and symlinks out) are refused with EACCES (abstract names, which begin with NUL, with EINVAL),
 * and the socket files the lab created are unlinked on close and on reset.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { createUnixPolicy, UNIX_ALLOW_ENV } from '../../src/main/lab/sockets/unix-paths';
import { call, failed, ok, openLab, steps, tempDir } from '../helpers/lab';

let lab: Lab;
let s: ReturnType<typeof steps>;
const tmp = tempDir();
beforeEach(() => {
  lab = openLab();
  s = steps(lab);
});
afterEach(async () => {
  await lab.close();
});
afterAll(() => tmp.remove());

const unix = (path: string) => ({ family: 'AF_UNIX' as const, path });

async function labDir(): Promise<string> {
  const info = ok(await call(lab, 'lab.info', {})).value;
  if (!info.unixDir) throw new Error('lab.info has no unixDir');
  return info.unixDir;
}

/** A socket some other program listens on, outside the lab directory. */
async function outsideServer(name: string): Promise<{ path: string; server: Server }> {
  const path = join(tmp.dir, name);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server };
}

describe('AF_UNIX paths', () => {
  it('a relative name resolves in the lab directory; close unlinks the file the lab created', async () => {
    const dir = await labDir();
    const listener = await s.socket('AF_UNIX', 'SOCK_STREAM');
    ok(await call(lab, 'socket.bind', { fd: listener, address: unix('server.sock') }));
    expect(ok(await call(lab, 'socket.getsockname', { fd: listener })).address).toEqual(unix(join(dir, 'server.sock')));
    ok(await call(lab, 'socket.listen', { fd: listener, backlog: 2 }));
    const client = await s.socket('AF_UNIX', 'SOCK_STREAM');
    ok(await call(lab, 'socket.connect', { fd: client, address: unix('server.sock') }));
    ok(await call(lab, 'socket.accept', { fd: listener }));
    expect(existsSync(join(dir, 'server.sock'))).toBe(true);
    ok(await call(lab, 'socket.close', { fd: listener }));
    expect(existsSync(join(dir, 'server.sock'))).toBe(false);
  });

  it('lab.reset unlinks the socket files too', async () => {
    const dir = await labDir();
    const fd = await s.socket('AF_UNIX', 'SOCK_STREAM');
    ok(await call(lab, 'socket.bind', { fd, address: unix('reset.sock') }));
    expect(existsSync(join(dir, 'reset.sock'))).toBe(true);
    ok(await call(lab, 'lab.reset', {}));
    expect(existsSync(join(dir, 'reset.sock'))).toBe(false);
  });

  it('bind or connect outside the lab directory is EACCES with a sentence; nothing is created', async () => {
    const elsewhere = join(tmp.dir, 'bind-here.sock');
    const fd = await s.socket('AF_UNIX', 'SOCK_STREAM');
    const refused = failed(await call(lab, 'socket.bind', { fd, address: unix(elsewhere) }));
    expect(refused.errno).toBe('EACCES');
    expect(refused.code).toBe(13);
    expect(refused.message).toMatch(/lab directory/);
    expect(refused.message).toMatch(UNIX_ALLOW_ENV);
    expect(existsSync(elsewhere)).toBe(false);
    expect(failed(await call(lab, 'socket.bind', { fd, address: unix('../escape.sock') })).errno).toBe('EACCES');

    const { path, server } = await outsideServer('daemon.sock');
    try {
      const client = await s.socket('AF_UNIX', 'SOCK_STREAM');
      expect(failed(await call(lab, 'socket.connect', { fd: client, address: unix(path) })).errno).toBe('EACCES');
      // Abstract names begin with a NUL byte, which no string reaching C may hold: refused at the door.
      expect(failed(await call(lab, 'socket.connect', { fd: client, address: unix('\0abstract') })).errno).toBe('EINVAL');
      // A symlink inside the lab directory does not lead out of it.
      const link = join(await labDir(), 'link.sock');
      symlinkSync(path, link);
      expect(failed(await call(lab, 'socket.connect', { fd: client, address: unix('link.sock') })).errno).toBe('EACCES');
      unlinkSync(link);
    } finally {
      server.close();
    }
  });

  it('an instructor allows a directory (lab option or SOCKLAB_UNIX_ALLOW), or any path with *', async () => {
    await lab.close();
    lab = openLab({ unixAllowedDirs: [tmp.dir] });
    s = steps(lab);
    const { path, server } = await outsideServer('allowed.sock');
    try {
      const client = await s.socket('AF_UNIX', 'SOCK_STREAM');
      ok(await call(lab, 'socket.connect', { fd: client, address: unix(path) }));
    } finally {
      server.close();
    }
    const options = { unixSocketDir: tmp.dir, unixAllowedDirs: [] };
    expect(createUnixPolicy(options, { [UNIX_ALLOW_ENV]: '/srv/lab:/opt/x' }).allowed).toEqual(['/srv/lab', '/opt/x']);
    expect(createUnixPolicy(options, { [UNIX_ALLOW_ENV]: '*' }).anywhere).toBe(true);
    expect(createUnixPolicy(options, {}).anywhere).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'works for an unprivileged user (nobody): lab directory, kernel-owned listen/accept/connect',
    () => {
      const probe = fileURLToPath(new URL('../helpers/unprivileged-probe.ts', import.meta.url));
      const child = spawnSync(process.execPath, ['--import', 'tsx', probe], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        env: { ...process.env, HOME: tmp.dir, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
        timeout: 30_000,
      });
      expect(child.status, child.stderr).toBe(0);
      expect(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? 'null')).toEqual({
        uid: 65534,
        bind: null,
        listen: null,
        connect: null,
        accept: null,
        outside: 'EACCES',
        port80: 'EACCES',
        nonblockingConnect: 'EINPROGRESS',
        connectAgain: null,
      });
    },
    40_000,
  );
});
