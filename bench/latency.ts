/**
 * Latency of one full call round through the facade: server socket, bind, listen,
 * getsockname; client socket, connect; accept; send/recv both ways; three closes. Prints the
 * median and p95 of the whole round and of a single call, next to the same conversation in
 * plain node:net (the reference: what the OS and Node cost without the lab).
 */
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { createLab, type Lab } from '../src/main/lab/index';
import { must, percentile, usSince, type Figure } from './stats';

const MESSAGE = Buffer.from('x'.repeat(64));

/** Durations (µs) of each call, by call name. */
type CallTimes = Map<string, number[]>;

/** One round through the lab; records each call's duration (µs) under its name. */
async function labRound(lab: Lab, calls: CallTimes): Promise<void> {
  const timed = async <T>(work: Promise<T>, name: string): Promise<T> => {
    const start = process.hrtime.bigint();
    const result = await work;
    calls.set(name, [...(calls.get(name) ?? []), usSince(start)]);
    return result;
  };
  const server = (await timed(must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }), 'socket')).ret;
  await timed(must(lab, 'socket.bind', { fd: server, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } }), 'bind');
  await timed(must(lab, 'socket.listen', { fd: server, backlog: 8 }), 'listen');
  const name = await timed(must(lab, 'socket.getsockname', { fd: server }), 'getsockname');
  const client = (await timed(must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }), 'socket')).ret;
  await timed(
    must(lab, 'socket.connect', { fd: client, address: name.address ?? { family: 'AF_INET', address: '127.0.0.1', port: 0 } }),
    'connect',
  );
  const conn = (await timed(must(lab, 'socket.accept', { fd: server }), 'accept')).ret;
  await timed(must(lab, 'socket.send', { fd: client, data: MESSAGE }), 'send');
  await timed(must(lab, 'socket.recv', { fd: conn, maxBytes: 4096 }), 'recv');
  await timed(must(lab, 'socket.send', { fd: conn, data: MESSAGE }), 'send');
  await timed(must(lab, 'socket.recv', { fd: client, maxBytes: 4096 }), 'recv');
  await timed(must(lab, 'socket.close', { fd: client }), 'close');
  await timed(must(lab, 'socket.close', { fd: conn }), 'close');
  await timed(must(lab, 'socket.close', { fd: server }), 'close');
}

/** The same conversation with plain node:net. */
async function netRound(): Promise<void> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [conn] = await accepted;
  const message = Buffer.alloc(64, 'x');
  client.write(message);
  await once(conn, 'data');
  conn.write(message);
  await once(client, 'data');
  client.destroy();
  conn.destroy();
  await new Promise((resolve) => server.close(resolve));
}

/** Runs `rounds` measured rounds (after a warm-up) of each. */
export async function benchLatency(rounds = 300): Promise<Figure[]> {
  const lab = createLab({ captureLauncher: 'none', checkContract: false });
  const labRounds: number[] = [];
  const labCalls: CallTimes = new Map();
  const netRounds: number[] = [];
  try {
    for (let i = 0; i < 30; i++) await labRound(lab, new Map());
    for (let i = 0; i < rounds; i++) {
      const start = process.hrtime.bigint();
      await labRound(lab, labCalls);
      labRounds.push(usSince(start));
    }
  } finally {
    await lab.close();
  }
  for (let i = 0; i < 30; i++) await netRound();
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await netRound();
    netRounds.push(usSince(start));
  }
  const bench = `latency (${rounds} rounds, 14 calls each)`;
  const allCalls = [...labCalls.values()].flat();
  return [
    { bench, figure: 'full round, median', lab: percentile(labRounds, 50) / 1000, reference: percentile(netRounds, 50) / 1000, unit: 'ms' },
    { bench, figure: 'full round, p95', lab: percentile(labRounds, 95) / 1000, reference: percentile(netRounds, 95) / 1000, unit: 'ms' },
    { bench, figure: 'one call, median', lab: percentile(allCalls, 50), reference: null, unit: 'µs' },
    { bench, figure: 'one call, p95', lab: percentile(allCalls, 95), reference: null, unit: 'µs' },
    ...[...labCalls].map(([call, times]) => ({
      bench,
      figure: `${call}(), median`,
      lab: percentile(times, 50),
      reference: null,
      unit: 'µs',
    })),
  ];
}
