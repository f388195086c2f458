/**
 * Runs one list of BSD call steps through Python's socket module (test/helpers/bsd_calls.py,
 * the C API underneath) and through the lab, with results in one shape, so a test can compare
 * return values and errno names call by call.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/main/lab/index';
import type { MsgFlag, OptionValue, SockAddr, SocketOption } from '@shared/socket';
import { call } from './lab';

/** An address whose port may be "$name": the port socket `name` is bound to. */
export type StepAddr =
  { family: 'AF_INET' | 'AF_INET6'; address: string; port: number | `$${string}` } | { family: 'AF_UNIX'; path: string };

export type Step =
  | { op: 'socket'; sock: string; domain: 'AF_INET' | 'AF_INET6' | 'AF_UNIX'; type: 'SOCK_STREAM' | 'SOCK_DGRAM' }
  | { op: 'bind' | 'connect'; sock: string; addr: StepAddr }
  | { op: 'listen'; sock: string; backlog?: number }
  | { op: 'accept'; sock: string; as: string }
  | { op: 'send'; sock: string; length: number }
  | { op: 'sendto'; sock: string; length: number; addr: StepAddr }
  | { op: 'recv'; sock: string; maxBytes: number; flags?: MsgFlag[] }
  /** Waits on both sides (a short wait lets the kernel finish a handshake or deliver a RST). */
  | { op: 'sleep'; ms: number }
  | { op: 'shutdown'; sock: string; how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR' }
  | { op: 'close' | 'nonblock' | 'getsockname' | 'getpeername'; sock: string }
  | { op: 'setsockopt'; sock: string; option: SocketOption; value: OptionValue }
  | { op: 'getsockopt'; sock: string; option: SocketOption };

/** One call's answer: C's return value ("fd" for a new descriptor) and errno name. */
export interface StepResult {
  ret: number | 'fd';
  errno: string | null;
  portAssigned?: boolean;
  value?: unknown;
}

const SCRIPT = fileURLToPath(new URL('./bsd_calls.py', import.meta.url));

/** Runs the steps in python3 and returns one result per step. */
export function runPython(steps: Step[]): StepResult[] {
  const output = execFileSync('python3', [SCRIPT], { input: JSON.stringify(steps), encoding: 'utf8', timeout: 15_000 });
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const { message: _message, ...result } = JSON.parse(line) as StepResult & { message?: string };
      return result;
    });
}

/** Runs the same steps through the lab facade. */
export async function runLab(lab: Lab, steps: Step[]): Promise<StepResult[]> {
  const fds = new Map<string, number>();
  const fd = (name: string) => fds.get(name) ?? 999;
  const results: StepResult[] = [];

  async function resolve(addr: StepAddr): Promise<SockAddr> {
    if (addr.family === 'AF_UNIX' || typeof addr.port === 'number') return addr as SockAddr;
    const name = await call(lab, 'socket.getsockname', { fd: fd(addr.port.slice(1)) });
    const port = name.ok && name.address && name.address.family !== 'AF_UNIX' ? name.address.port : 0;
    return { ...addr, port };
  }
  const shape = (answer: { ok: boolean; ret: number; errno?: string }, isFd = false): StepResult =>
    answer.ok ? { ret: isFd ? 'fd' : answer.ret, errno: null } : { ret: -1, errno: answer.errno ?? null };
  const data = (length: number) => Buffer.alloc(length, 'x');

  for (const step of steps) {
    switch (step.op) {
      case 'socket': {
        const answer = await call(lab, 'socket.socket', { domain: step.domain, type: step.type });
        if (answer.ok) fds.set(step.sock, answer.ret);
        results.push(shape(answer, true));
        break;
      }
      case 'bind':
      case 'connect':
        results.push(shape(await call(lab, `socket.${step.op}`, { fd: fd(step.sock), address: await resolve(step.addr) })));
        break;
      case 'listen':
        results.push(shape(await call(lab, 'socket.listen', { fd: fd(step.sock), backlog: step.backlog ?? 1 })));
        break;
      case 'accept': {
        const answer = await call(lab, 'socket.accept', { fd: fd(step.sock) });
        if (answer.ok) fds.set(step.as, answer.ret);
        results.push(shape(answer, true));
        break;
      }
      case 'send':
        results.push(shape(await call(lab, 'socket.send', { fd: fd(step.sock), data: data(step.length) })));
        break;
      case 'sendto':
        results.push(
          shape(await call(lab, 'socket.sendto', { fd: fd(step.sock), data: data(step.length), address: await resolve(step.addr) })),
        );
        break;
      case 'recv':
        results.push(shape(await call(lab, 'socket.recv', { fd: fd(step.sock), maxBytes: step.maxBytes, flags: step.flags ?? [] })));
        break;
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        results.push({ ret: 0, errno: null });
        break;
      case 'shutdown':
        results.push(shape(await call(lab, 'socket.shutdown', { fd: fd(step.sock), how: step.how })));
        break;
      case 'close':
        results.push(shape(await call(lab, 'socket.close', { fd: fd(step.sock) })));
        break;
      case 'nonblock':
        results.push(shape(await call(lab, 'socket.fcntl', { fd: fd(step.sock), cmd: 'F_SETFL', nonblock: true })));
        break;
      case 'getsockname': {
        const answer = await call(lab, 'socket.getsockname', { fd: fd(step.sock) });
        const address = answer.ok ? answer.address : null;
        results.push(
          answer.ok ? { ret: 0, errno: null, portAssigned: !!address && address.family !== 'AF_UNIX' && address.port > 0 } : shape(answer),
        );
        break;
      }
      case 'getpeername':
        results.push(shape(await call(lab, 'socket.getpeername', { fd: fd(step.sock) })));
        break;
      case 'setsockopt':
        results.push(shape(await call(lab, 'socket.setsockopt', { fd: fd(step.sock), option: step.option, value: step.value })));
        break;
      case 'getsockopt': {
        const answer = await call(lab, 'socket.getsockopt', { fd: fd(step.sock), option: step.option });
        results.push(answer.ok ? { ret: 0, errno: null, value: answer.value } : shape(answer));
        break;
      }
    }
  }
  return results;
}
