/**
 * Memory per open lab socket: 1000 open sockets as 500 connected TCP pairs (client and
 * accepted), and 1000 sockets that socket() created and nothing else; heap and RSS growth
 * per socket after a full GC, next to 1000 plain node:net sockets (500 pairs).
 */
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLab } from '../src/main/lab/index';
import { must, type Figure } from './stats';

const SOCKETS = 1000;

/** A full GC without --expose-gc: enable the flag at run time and fetch gc() from a new context. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

interface Usage {
  heap: number;
  rss: number;
}

/** Memory in use once pending closes and timers from earlier work have run, after a full GC. */
async function usage(): Promise<Usage> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  collect();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heap: heapUsed + external, rss };
}

const perSocket = (before: Usage, after: Usage) => ({
  heap: (after.heap - before.heap) / SOCKETS / 1024,
  rss: (after.rss - before.rss) / SOCKETS / 1024,
});

async function labConnected(): Promise<{ heap: number; rss: number }> {
  const lab = createLab({ captureLauncher: 'none', checkContract: false });
  try {
    const server = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    await must(lab, 'socket.bind', { fd: server, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
    await must(lab, 'socket.listen', { fd: server, backlog: 1024 });
    const { address } = await must(lab, 'socket.getsockname', { fd: server });
    const before = await usage();
    for (let i = 0; i < SOCKETS / 2; i++) {
      const client = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
      await must(lab, 'socket.connect', { fd: client, address: address ?? { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
      await must(lab, 'socket.accept', { fd: server });
    }
    return perSocket(before, await usage());
  } finally {
    await lab.close();
  }
}

async function labCreated(): Promise<{ heap: number; rss: number }> {
  const lab = createLab({ captureLauncher: 'none', checkContract: false });
  try {
    const before = await usage();
    for (let i = 0; i < SOCKETS; i++) await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
    return perSocket(before, await usage());
  } finally {
    await lab.close();
  }
}

async function netConnected(): Promise<{ heap: number; rss: number }> {
  const server = createServer();
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const open: Socket[] = [];
  server.on('connection', (conn) => open.push(conn));
  const before = await usage();
  for (let i = 0; i < SOCKETS / 2; i++) {
    const client = createConnection(port, '127.0.0.1');
    await once(client, 'connect');
    open.push(client);
  }
  while (open.length < SOCKETS) await new Promise((resolve) => setImmediate(resolve));
  const result = perSocket(before, await usage());
  const closed = open.map((socket) => once(socket, 'close'));
  for (const socket of open) socket.destroy();
  await Promise.all(closed);
  await new Promise((resolve) => server.close(resolve));
  return result;
}

/** Each measurement runs twice and keeps the second: the first pays for code loading and JIT. */
export async function benchMemory(): Promise<Figure[]> {
  await netConnected();
  const net = await netConnected();
  await labConnected();
  const connected = await labConnected();
  await labCreated();
  const created = await labCreated();
  const bench = `memory (${SOCKETS} open sockets)`;
  return [
    { bench, figure: 'connected TCP, heap+external per socket', lab: connected.heap, reference: net.heap, unit: 'KiB' },
    { bench, figure: 'connected TCP, RSS per socket', lab: connected.rss, reference: net.rss, unit: 'KiB' },
    { bench, figure: 'socket() only, heap+external per socket', lab: created.heap, reference: null, unit: 'KiB' },
    { bench, figure: 'socket() only, RSS per socket', lab: created.rss, reference: null, unit: 'KiB' },
  ];
}
