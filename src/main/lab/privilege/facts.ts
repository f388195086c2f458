/**
 * Reads, from the running system, the facts the privilege plan is decided from: who we are,
 * which capabilities this process holds, whether Wireshark's dumpcap is installed and usable,
 * whether unprivileged user namespaces work (tried for real), and what would install things.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { libc } from '../libc/load';
import { readSysctl } from '../net/userns';
import type { DumpcapFacts, PrivilegeFacts, UsernsBlock } from './plan';

const CAP_NET_RAW = 13;

/** Whether the effective capability set of this process holds CAP_NET_RAW. */
export function hasNetRaw(): boolean {
  if (process.platform !== 'linux') return process.getuid?.() === 0;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('CapEff:'));
    if (!line) return false;
    const mask = BigInt(`0x${line.slice('CapEff:'.length).trim()}`);
    return (mask & (1n << BigInt(CAP_NET_RAW))) !== 0n;
  } catch {
    return process.getuid?.() === 0;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Whether a file's capability xattr (struct vfs_cap_data: magic, then permitted/inheritable
 * words) grants CAP_NET_RAW in its permitted set. dumpcap raises what it is permitted itself.
 */
export function fileCapsGrantNetRaw(xattr: Uint8Array): boolean {
  if (xattr.length < 12) return false;
  const view = new DataView(xattr.buffer, xattr.byteOffset, xattr.byteLength);
  const permittedLow = view.getUint32(4, true);
  return (permittedLow & (1 << CAP_NET_RAW)) !== 0;
}

function readCapabilityXattr(path: string): Uint8Array | null {
  const c = libc();
  if (!c) return null;
  const buffer = Buffer.alloc(64);
  const n = c.getxattr(path, 'security.capability', buffer, buffer.length);
  return n > 0 ? buffer.subarray(0, n) : null;
}

function groupName(gid: number): string {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (Number(id) === gid && name) return name;
    }
  } catch {
    // No /etc/group: fall through to the number.
  }
  return String(gid);
}

/** Where dumpcap is: SOCKLAB_DUMPCAP when set (a dumpcap installed elsewhere), else the usual places. */
function dumpcapPath(): string | null {
  return process.env.SOCKLAB_DUMPCAP || (['/usr/bin/dumpcap', '/usr/sbin/dumpcap'].find((p) => existsSync(p)) ?? onPath('dumpcap'));
}

/** Wireshark's dumpcap: where it is, whether we may run it, and whether it can capture. */
export function dumpcapFacts(path = dumpcapPath()): DumpcapFacts | null {
  if (!path) return null;
  try {
    const st = statSync(path);
    let executable = true;
    try {
      accessSync(path, constants.X_OK);
    } catch {
      executable = false;
    }
    const setuidRoot = (st.mode & 0o4000) !== 0 && st.uid === 0;
    const xattr = readCapabilityXattr(path);
    const capable = setuidRoot || (xattr !== null && fileCapsGrantNetRaw(xattr));
    return { path, executable, capable, group: groupName(st.gid) };
  } catch {
    return null;
  }
}

let usernsCache: PrivilegeFacts['userns'] | null = null;

/**
 * Whether an unprivileged user + network namespace can be made, tried for real with util-linux
 * `unshare -Urn true` (cached); when refused, which setting refuses it.
 */
export function usernsFacts(): PrivilegeFacts['userns'] {
  if (process.platform !== 'linux') return { allowed: false, block: null };
  if (usernsCache) return usernsCache;
  const tried = spawnSync('unshare', ['-Urn', 'true'], { stdio: 'ignore', timeout: 5000 });
  if (tried.error) return (usernsCache = { allowed: null, block: null });
  if (tried.status === 0) return (usernsCache = { allowed: true, block: null });
  let block: UsernsBlock | null = null;
  if (readSysctl('kernel/unprivileged_userns_clone') === '0') block = 'cloneOff';
  else if (readSysctl('user/max_user_namespaces') === '0') block = 'maxZero';
  else if (readSysctl('kernel/apparmor_restrict_unprivileged_userns') === '1') block = 'apparmor';
  return (usernsCache = { allowed: false, block });
}

function packageManager(): PrivilegeFacts['packageManager'] {
  if (onPath('apt-get')) return 'apt';
  if (onPath('dnf')) return 'dnf';
  if (onPath('pacman')) return 'pacman';
  return null;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? 'you');
  }
}

/** How to start this same SockLab as root (Electron as root also needs --no-sandbox). */
function relaunchAsRoot(): string {
  return process.versions.electron ? `sudo "${process.execPath}" --no-sandbox` : 'sudo npm run serve';
}

/** Every fact the plan needs, read from this system now. */
export function gatherFacts(): PrivilegeFacts {
  const platform = process.platform;
  const isRoot = process.getuid?.() === 0;
  return {
    platform,
    isRoot,
    hasNetRaw: platform === 'linux' ? hasNetRaw() : isRoot,
    user: currentUser(),
    dumpcap: platform === 'linux' ? dumpcapFacts() : null,
    userns: usernsFacts(),
    packageManager: platform === 'linux' ? packageManager() : null,
    bpfReadable: platform === 'darwin' && canRead('/dev/bpf0'),
    npcap: platform === 'win32' && existsSync(join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'Npcap', 'wpcap.dll')),
    relaunchAsRoot: relaunchAsRoot(),
    apparmorProfileSource: packagedAppArmorProfile(),
  };
}

/** The AppArmor profile an installed SockLab carries beside its resources, or null. */
function packagedAppArmorProfile(): string | null {
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const path = resources ? join(resources, 'apparmor-profile') : null;
  return path && existsSync(path) ? path : null;
}

function canRead(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
