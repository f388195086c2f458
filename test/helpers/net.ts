/**
 * Helpers for lab-network integration tests: a real lab whose network (engine process inside
 * `unshare -Urn`, hosts A 10.0.0.1 and B 10.0.0.2) is created for the test, calls on hosts,
 * and proof that a destroyed network left nothing behind.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Lab } from '../../src/main/lab/index';
import type { LinkRuleIn, LinkSettingsIn } from '@shared/net';
import { call, ok, openLab } from './lab';

export const A = '10.0.0.1';
export const B = '10.0.0.2';

/** A lab (with capture) and its lab network, created with the given link and rules. */
export async function openNetLab(
  setup: { link?: LinkSettingsIn; rules?: LinkRuleIn[]; step?: boolean } = {},
): Promise<{ lab: Lab; enginePid: number }> {
  const lab = openLab({ captureLauncher: 'fork' });
  const created = ok(await call(lab, 'net.create', { link: setup.link ?? {}, rules: setup.rules ?? [], step: setup.step ?? false }));
  return { lab, enginePid: created.value.enginePid as number };
}

/** Calls on lab-network hosts, each asserting success. */
export function hostSteps(lab: Lab) {
  const inet = (address: string, port: number) => ({ family: 'AF_INET' as const, address, port });
  return {
    inet,
    async socket(host: string, type: 'SOCK_STREAM' | 'SOCK_DGRAM' = 'SOCK_STREAM'): Promise<number> {
      return ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type, host })).ret;
    },
    /** A TCP listener on `host` at address:port. */
    async listener(host: string, address: string, port: number): Promise<number> {
      const fd = await this.socket(host);
      ok(await call(lab, 'socket.bind', { fd, address: inet(address, port) }));
      ok(await call(lab, 'socket.listen', { fd, backlog: 16 }));
      return fd;
    },
    /** Reads exactly `bytes` bytes from a stream socket (bounded by `timeoutMs`). */
    async recvAll(fd: number, bytes: number, timeoutMs = 15_000): Promise<Buffer> {
      const parts: Buffer[] = [];
      let got = 0;
      const deadline = Date.now() + timeoutMs;
      while (got < bytes && Date.now() < deadline) {
        const answer = ok(await call(lab, 'socket.recv', { fd, maxBytes: bytes - got }));
        if (answer.ret === 0) break;
        parts.push(Buffer.from(answer.data));
        got += answer.ret;
      }
      return Buffer.concat(parts);
    },
  };
}

/** Packet rows of the current capture, optionally display-filtered. */
export async function rows(lab: Lab, filter = '') {
  return ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter })).value.rows;
}

/** Waits until `check` holds (polling every 20 ms), at most `timeoutMs`; returns whether it did. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

/** The network namespaces (net:[inode]) a process holds: its own and those open as descriptors. */
export function namespacesOf(pid: number): Set<string> {
  const held = new Set<string>();
  try {
    held.add(readlinkSync(`/proc/${pid}/ns/net`));
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('net:[')) held.add(target);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return held;
}

/** Every process (that this user can see) still holding one of `namespaces`, as "pid: ns". */
export function holdersOf(namespaces: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const ns of namespacesOf(Number(entry))) if (namespaces.has(ns)) found.push(`${entry}: ${ns}`);
  }
  return found;
}

/** Whether a process is still alive (a zombie counts as gone). */
export function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
