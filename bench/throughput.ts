/**
 * Bulk TCP throughput between two lab sockets (send/recv loops through lab.invoke, carrying raw
 * bytes both ways as the contract has them), against plain node:net moving the same bytes in
 * the same run. Goal: the lab reaches at least 80 % of node:net.
 */
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { createLab, type Lab } from '../src/main/lab/index';
import { must, usSince, type Figure } from './stats';

const CHUNK = 1024 * 1024;

/** Connects a client to a listener in the lab; returns the client and accepted descriptors. */
async function labPair(lab: Lab): Promise<{ server: number; client: number; conn: number }> {
  const server = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
  await must(lab, 'socket.bind', { fd: server, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
  await must(lab, 'socket.listen', { fd: server });
  const { address } = await must(lab, 'socket.getsockname', { fd: server });
  const client = (await must(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
  await must(lab, 'socket.connect', { fd: client, address: address ?? { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
  const conn = (await must(lab, 'socket.accept', { fd: server })).ret;
  return { server, client, conn };
}

/** Seconds to move `total` bytes client → accepted socket through the lab. */
async function labTransfer(total: number): Promise<{ seconds: number; recvCalls: number }> {
  const lab = createLab({ captureLauncher: 'none', checkContract: false });
  try {
    const { server, client, conn } = await labPair(lab);
    // Raw bytes, as in-process callers and Electron IPC carry them (only web mode's frames are text).
    const chunk = new Uint8Array(CHUNK).fill(0x61);
    const start = process.hrtime.bigint();
    const sender = (async () => {
      for (let sent = 0; sent < total; sent += CHUNK) await must(lab, 'socket.send', { fd: client, data: chunk });
    })();
    let received = 0;
    let recvCalls = 0;
    while (received < total) {
      const answer = await must(lab, 'socket.recv', { fd: conn, maxBytes: CHUNK });
      if (answer.ret === 0) throw new Error('the lab connection ended early');
      received += answer.data.byteLength;
      recvCalls++;
    }
    await sender;
    const seconds = usSince(start) / 1e6;
    for (const fd of [client, conn, server]) await must(lab, 'socket.close', { fd });
    return { seconds, recvCalls };
  } finally {
    await lab.close();
  }
}

/** Seconds to move `total` bytes over plain node:net with the same chunk size. */
async function netTransfer(total: number): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [conn] = await accepted;
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const start = process.hrtime.bigint();
  const done = new Promise<void>((resolve) => {
    let received = 0;
    conn.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= total) resolve();
    });
  });
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!client.write(chunk)) await once(client, 'drain');
  }
  await done;
  const seconds = usSince(start) / 1e6;
  client.destroy();
  conn.destroy();
  await new Promise((resolve) => server.close(resolve));
  return seconds;
}

/** Moves `megabytes` MiB each way (lab first, then node:net, then the lab again; best of each). */
export async function benchThroughput(megabytes = 256): Promise<Figure[]> {
  const total = megabytes * CHUNK;
  const lab1 = await labTransfer(total);
  const net1 = await netTransfer(total);
  const lab2 = await labTransfer(total);
  const net2 = await netTransfer(total);
  const labSeconds = Math.min(lab1.seconds, lab2.seconds);
  const netSeconds = Math.min(net1, net2);
  const bench = `TCP bulk (${megabytes} MiB, 1 MiB sends, best of 2)`;
  return [
    {
      bench,
      figure: 'throughput',
      lab: total / 1e6 / labSeconds,
      reference: total / 1e6 / netSeconds,
      unit: 'MB/s',
      goal: 'lab ≥ 80 % of node:net',
    },
    { bench, figure: 'bytes per recv() call', lab: total / lab2.recvCalls / 1024, reference: null, unit: 'KiB' },
  ];
}
