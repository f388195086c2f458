/**
 * Child-process half of sockets-race.test.ts: races every socket call against `socket.close`
 * and `lab.reset` on the same descriptor, many rounds. It runs in its own process so that an
 * abort (SIGABRT from a descriptor closed under libuv) fails the test instead of killing vitest.
 * Prints one JSON line: rounds run, listeners that outlived their socket, and any escaped error.
 */
import { connect } from 'node:net';
import { createLab } from '../../src/main/lab/index';
import type { RouteInput, RouteName } from '@shared/routes';

const ROUNDS = Number(process.argv[2] ?? 20);
const lab = createLab({ captureLauncher: 'none' });
const escaped: string[] = [];
process.on('uncaughtException', (error) => escaped.push(String(error)));
process.on('unhandledRejection', (error) => escaped.push(String(error)));

const invoke = <N extends RouteName>(name: N, input: RouteInput<N>) => lab.invoke(name, input);
const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

async function newSocket(): Promise<number> {
  const made = await invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
  if (!made.ok) throw new Error(`socket: ${made.message}`);
  return made.ret;
}

async function portOf(fd: number): Promise<number> {
  const name = await invoke('socket.getsockname', { fd });
  return name.ok && name.address && name.address.family === 'AF_INET' ? name.address.port : 0;
}

/** Whether something still accepts connections on the port (it should not, once closed). */
function stillListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      probe.destroy();
      resolve(answer);
    };
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
    setTimeout(() => done(false), 1000).unref();
  });
}

/** Each call, started on `fd` without waiting for it. */
function fire(fd: number, port: number): Promise<unknown>[] {
  const data = Buffer.from('race');
  return [
    invoke('socket.listen', { fd, backlog: 4 }),
    invoke('socket.accept', { fd }),
    invoke('socket.connect', { fd, address: loopback(port) }),
    invoke('socket.send', { fd, data, flags: [] }),
    invoke('socket.recv', { fd, maxBytes: 16, flags: [] }),
    invoke('socket.shutdown', { fd, how: 'SHUT_RDWR' }),
    invoke('socket.getsockname', { fd }),
    invoke('socket.getpeername', { fd }),
    invoke('socket.setsockopt', { fd, option: 'SO_KEEPALIVE', value: 1 }),
    invoke('socket.getsockopt', { fd, option: 'SO_RCVBUF' }),
    invoke('socket.fcntl', { fd, cmd: 'F_SETFL', nonblock: true }),
    invoke('socket.bind', { fd, address: loopback(0) }),
    invoke('socket.sendto', { fd, data, address: loopback(port), flags: [] }),
    invoke('socket.recvfrom', { fd, maxBytes: 16, flags: [] }),
    invoke('socket.cancel', { fd }),
  ];
}

async function main(): Promise<void> {
  const survivors: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const byReset = round % 2 === 1;
    // listen() then close()/reset at once: the crash the issue reports.
    const fd = await newSocket();
    await invoke('socket.bind', { fd, address: loopback(0) });
    const port = await portOf(fd);
    const listening = invoke('socket.listen', { fd, backlog: 8 });
    const closing = byReset ? invoke('lab.reset', {}) : invoke('socket.close', { fd });
    await Promise.allSettled([listening, closing]);
    if (await stillListening(port)) survivors.push(port);

    // Every call against close/reset, on a listener, on a connected pair and on a fresh socket.
    const listener = await newSocket();
    await invoke('socket.bind', { fd: listener, address: loopback(0) });
    await invoke('socket.listen', { fd: listener, backlog: 8 });
    const listenPort = await portOf(listener);
    const client = await newSocket();
    await invoke('socket.connect', { fd: client, address: loopback(listenPort) });
    const accepted = await invoke('socket.accept', { fd: listener });
    const fresh = await newSocket();
    const udp = await invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
    // A raw socket needs CAP_NET_RAW: raced when the lab may open one (tests run as root).
    const raw = await invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' });
    const others = [udp, raw].flatMap((made) => (made.ok ? [made.ret] : []));
    const targets = [listener, client, fresh, ...others, ...(accepted.ok ? [accepted.ret] : [])];
    const calls = targets.flatMap((target) => fire(target, listenPort));
    const closes = byReset ? [invoke('lab.reset', {})] : targets.map((target) => invoke('socket.close', { fd: target }));
    await Promise.allSettled([...calls, ...closes]);
    await invoke('lab.reset', {});
    if (await stillListening(listenPort)) survivors.push(listenPort);
  }
  await lab.close();
  console.log(JSON.stringify({ rounds: ROUNDS, survivors, escaped }));
}

main().catch((error) => {
  console.log(JSON.stringify({ rounds: 0, survivors: [], escaped: [String(error)] }));
  process.exitCode = 1;
});
