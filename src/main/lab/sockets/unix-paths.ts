/**
 * Where AF_UNIX socket paths may live. A web page drives the lab, so by default its AF_UNIX
 * sockets stay inside one lab directory: a relative name resolves there, an absolute path
 * elsewhere is refused with EACCES (so a page cannot reach the machine's own daemons or leave
 * socket files around the disk), and abstract names (a leading NUL) are refused too. An
 * instructor allows more with the lab option `unixAllowedDirs` or the environment variable
 * SOCKLAB_UNIX_ALLOW (directories separated by ':'; '*' allows any path), which desktop and web
 * mode alike read. The lab unlinks the socket files it created on close and on reset.
 */
import { lstatSync, mkdtempSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { UnixAddr } from '@shared/socket';
import { UNIX_PATH_MAX } from './address';
import { fail, type CallFailure } from './errors';
import type { LabSocket } from './table';

/** The environment variable an instructor sets to allow AF_UNIX paths outside the lab directory. */
export const UNIX_ALLOW_ENV = 'SOCKLAB_UNIX_ALLOW';

export interface UnixPolicy {
  /** The lab directory (made at first use when the lab was given none). */
  dir(): string;
  /** Directories outside the lab directory where paths are allowed too. */
  readonly allowed: readonly string[];
  /** Any path is allowed ('*'). */
  readonly anywhere: boolean;
  /** Removes the lab directory if the lab made it (and it is empty). */
  dispose(): void;
}

/** The policy of one lab, from its options and SOCKLAB_UNIX_ALLOW. */
export function createUnixPolicy(options: { unixSocketDir: string; unixAllowedDirs: readonly string[] }, env = process.env): UnixPolicy {
  const fromEnv = (env[UNIX_ALLOW_ENV] ?? '').split(':').filter((entry) => entry !== '');
  const entries = [...options.unixAllowedDirs, ...fromEnv];
  let made: string | null = null;
  return {
    dir() {
      if (options.unixSocketDir) return options.unixSocketDir;
      made ??= mkdtempSync(join(tmpdir(), 'socklab-unix-')); // mode 0700
      return made;
    },
    allowed: entries.filter((entry) => entry !== '*').map((entry) => resolve(entry)),
    anywhere: entries.includes('*'),
    dispose() {
      if (!made) return;
      try {
        rmdirSync(made);
      } catch {
        // not empty: files someone else put there stay, and so does the directory
      }
      made = null;
    },
  };
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of the deepest existing part of `path` (symlinks resolved), or null. */
function realExisting(path: string): string | null {
  for (let probe = path; ; probe = dirname(probe)) {
    try {
      return join(realpathSync(probe), path.slice(probe.length));
    } catch {
      if (dirname(probe) === probe) return null;
    }
  }
}

/**
 * The path a call may use — relative names resolved in the lab directory — or EACCES (outside
 * the allowed directories, following symlinks), or ENAMETOOLONG once resolved.
 */
export function confineUnixPath(policy: UnixPolicy, address: UnixAddr, call: string): UnixAddr | CallFailure {
  if (policy.anywhere) return address;
  const outside = `${call}: AF_UNIX paths stay inside the lab directory ${policy.dir()} (a relative name like "server.sock" resolves there).`;
  const howToAllow = `An instructor can allow more directories with ${UNIX_ALLOW_ENV}.`;
  if (address.path.startsWith('\0'))
    return fail(
      'EACCES',
      `${call}: abstract AF_UNIX names (a leading NUL) reach sockets outside the lab directory; use a path. ${howToAllow}`,
    );
  const path = isAbsolute(address.path) ? resolve(address.path) : resolve(policy.dir(), address.path);
  const roots = [policy.dir(), ...policy.allowed].map((root) => realExisting(root) ?? root);
  const real = realExisting(path) ?? path;
  if (!roots.some((root) => inside(root, real))) return fail('EACCES', `${outside} ${address.path} is outside it. ${howToAllow}`);
  if (Buffer.byteLength(path) > UNIX_PATH_MAX) {
    return fail(
      'ENAMETOOLONG',
      `${call}: "${address.path}" resolves to ${path}, ${Buffer.byteLength(path)} bytes; sun_path holds at most ${UNIX_PATH_MAX}.`,
    );
  }
  return { family: 'AF_UNIX', path };
}

const created = new WeakMap<LabSocket, string>();

/** Notes the socket file a bind() created, so close and reset remove it. */
export function rememberUnixPath(sock: LabSocket, path: string): void {
  created.set(sock, path);
}

/** Unlinks the socket file this socket's bind() created (if it is still a socket file). */
export function removeUnixPath(sock: LabSocket): void {
  const path = created.get(sock);
  created.delete(sock);
  if (!path) return;
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // already gone
  }
}
