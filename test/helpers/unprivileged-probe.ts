/**
 * Run as `nobody` by sockets-unix.test.ts: the kernel-owned stream path (bind, listen, accept,
 * non-blocking connect) and the AF_UNIX lab directory work for an unprivileged user; a path
 * outside the lab directory and a port below 1024 are refused. Prints one JSON line.
 */
import { createLab } from '../../src/main/lab/index';
import type { RouteInput, RouteName } from '@shared/routes';

const lab = createLab({ captureLauncher: 'none' });
const invoke = <N extends RouteName>(name: N, input: RouteInput<N>) => lab.invoke(name, input);
const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });
const fdOf = async (domain: 'AF_UNIX' | 'AF_INET') => {
  const made = await invoke('socket.socket', { domain, type: 'SOCK_STREAM' });
  if (!made.ok) throw new Error(made.message);
  return made.ret;
};
const errnoOf = (answer: { ok: boolean; errno?: string }) => (answer.ok ? null : (answer.errno ?? null));

const listener = await fdOf('AF_UNIX');
const result: Record<string, unknown> = { uid: process.getuid?.() };
result.bind = errnoOf(await invoke('socket.bind', { fd: listener, address: { family: 'AF_UNIX', path: 'probe.sock' } }));
result.listen = errnoOf(await invoke('socket.listen', { fd: listener, backlog: 1 }));
const client = await fdOf('AF_UNIX');
result.connect = errnoOf(await invoke('socket.connect', { fd: client, address: { family: 'AF_UNIX', path: 'probe.sock' } }));
result.accept = errnoOf(await invoke('socket.accept', { fd: listener }));
result.outside = errnoOf(
  await invoke('socket.bind', { fd: await fdOf('AF_UNIX'), address: { family: 'AF_UNIX', path: '/tmp/probe-outside.sock' } }),
);
const tcp = await fdOf('AF_INET');
result.port80 = errnoOf(await invoke('socket.bind', { fd: tcp, address: loopback(80) }));
await invoke('socket.bind', { fd: tcp, address: loopback(0) });
await invoke('socket.listen', { fd: tcp, backlog: 1 });
const name = await invoke('socket.getsockname', { fd: tcp });
const port = name.ok && name.address?.family === 'AF_INET' ? name.address.port : 0;
const nb = await fdOf('AF_INET');
await invoke('socket.fcntl', { fd: nb, cmd: 'F_SETFL', nonblock: true });
result.nonblockingConnect = errnoOf(await invoke('socket.connect', { fd: nb, address: loopback(port) }));
await new Promise((resolve) => setTimeout(resolve, 50));
result.connectAgain = errnoOf(await invoke('socket.connect', { fd: nb, address: loopback(port) }));
await lab.close();
console.log(JSON.stringify(result));
