/**
 * Helpers for integration tests that drive a real lab through its facade: open a lab without a
 * capture process, make calls with typed results, and narrow results to success or failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab, type LabOptions } from '../../src/main/lab/index';
import type { RouteInput, RouteName, RouteOutput } from '@shared/routes';

/** A fresh lab with no capture process (tests here exercise sockets only). */
export function openLab(options: LabOptions = {}): Lab {
  return createLab({ captureLauncher: 'none', ...options });
}

type Answer = { ok: boolean };
type Ok<T> = Extract<T, { ok: true }>;
type Failed<T> = Extract<T, { ok: false }>;

/** Calls a route and returns its answer. */
export function call<N extends RouteName>(lab: Lab, name: N, input: RouteInput<N>): Promise<RouteOutput<N>> {
  return lab.invoke(name, input);
}

/** Asserts a successful answer and returns it narrowed. */
export function ok<T extends Answer>(answer: T): Ok<T> {
  if (!answer.ok) throw new Error(`expected success, got ${JSON.stringify(answer)}`);
  return answer as Ok<T>;
}

/** Asserts a failed answer and returns it narrowed (errno, message). */
export function failed<T extends Answer>(answer: T): Failed<T> {
  if (answer.ok) throw new Error(`expected failure, got ${JSON.stringify(answer)}`);
  return answer as Failed<T>;
}

/** The identity of the socket open on `fd` now (SocketInfo.socketId). */
export async function socketIdOf(lab: Lab, fd: number): Promise<number> {
  const found = ok(await call(lab, 'lab.sockets', {})).value.find((info) => info.fd === fd);
  if (!found) throw new Error(`no socket is open on fd ${fd}`);
  return found.socketId;
}

/** Text as the bytes the routes carry. */
export const bin = (text: string | Buffer): Uint8Array => Buffer.from(text);
/** Bytes an answer carries, as text. */
export const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();

/** A temporary directory for Unix socket paths, removed by the returned function. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'socklab-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lab calls for the usual setup steps, each asserting success. */
export function steps(lab: Lab) {
  return {
    async socket(domain: 'AF_INET' | 'AF_INET6' | 'AF_UNIX', type: 'SOCK_STREAM' | 'SOCK_DGRAM'): Promise<number> {
      return ok(await call(lab, 'socket.socket', { domain, type })).ret;
    },
    /** A TCP listener on loopback with an ephemeral port; returns its fd and port. */
    async listener(domain: 'AF_INET' | 'AF_INET6' = 'AF_INET'): Promise<{ fd: number; port: number }> {
      const fd = await this.socket(domain, 'SOCK_STREAM');
      const address = domain === 'AF_INET' ? '127.0.0.1' : '::1';
      ok(await call(lab, 'socket.bind', { fd, address: { family: domain, address, port: 0 } }));
      ok(await call(lab, 'socket.listen', { fd, backlog: 16 }));
      return { fd, port: await this.port(fd) };
    },
    async port(fd: number): Promise<number> {
      const name = ok(await call(lab, 'socket.getsockname', { fd })).address;
      if (!name || name.family === 'AF_UNIX') throw new Error('no inet address');
      return name.port;
    },
    /** A connected pair on 127.0.0.1: client fd, accepted server fd, listener fd. */
    async pair(): Promise<{ client: number; server: number; listener: number; port: number }> {
      const { fd: listener, port } = await this.listener();
      const client = await this.socket('AF_INET', 'SOCK_STREAM');
      ok(await call(lab, 'socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } }));
      const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
      return { client, server, listener, port };
    },
  };
}
