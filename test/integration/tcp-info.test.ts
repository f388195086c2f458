/**
 * The kernel's view of lab TCP sockets: getsockopt(TCP_INFO) and TCP_CONGESTION on real
 * sockets on loopback, sampled while they live and no longer once they close.
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TcpInfoSample } from '../../src/shared/tcpinfo';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, socketIdOf, steps } from '../helpers/lab';
import { DEFAULT_OPTIONS, NO_NET, type LabContext } from '../../src/main/lab/context';
import { handleFd } from '../../src/main/lab/sockets/table';
import { createTcpInfoSampler, FAST_MS, IDLE_MS, type TcpSocketRef } from '../../src/main/lab/tcpinfo/sampler';

let lab: Lab;
let s: ReturnType<typeof steps>;
let samples: TcpInfoSample[];
beforeEach(() => {
  lab = openLab();
  s = steps(lab);
  samples = [];
  lab.on('tcpinfo.samples', ({ samples: fresh }) => samples.push(...fresh));
});
afterEach(async () => {
  await lab.close();
});

const sysctlCongestion = () => readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until a sample of this socket satisfies `test`. */
async function sampleOf(socketId: number, test: (sample: TcpInfoSample) => boolean, ms = 3000): Promise<TcpInfoSample> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
    const found = samples.find((sample) => sample.socketId === socketId && test(sample));
    if (found) return found;
  }
  throw new Error(`no sample of socket #${socketId} matched within ${ms} ms`);
}

describe('TCP_INFO on real loopback sockets', () => {
  it('an ESTABLISHED pair reads sane values: state, rtt, cwnd, mss, the sysctl congestion algorithm', async () => {
    const { client, server } = await s.pair();
    ok(await call(lab, 'socket.send', { fd: client, data: bin('hello kernel') }));
    ok(await call(lab, 'socket.recv', { fd: server, maxBytes: 100 }));
    const clientId = await socketIdOf(lab, client);
    const now = ok(await call(lab, 'socket.tcpInfo', { socketId: clientId })).value.now;
    expect(now).not.toBeNull();
    const info = now as TcpInfoSample;
    expect(info.state).toBe('ESTABLISHED');
    expect(info.stateNumber).toBe(1);
    expect(info.rtt).toBeGreaterThan(0);
    expect(info.rto).toBeGreaterThanOrEqual(200_000); // Linux's TCP_RTO_MIN is 200 ms
    expect(info.snd_cwnd).toBeGreaterThanOrEqual(10); // TCP_INIT_CWND
    expect(info.snd_mss).toBeGreaterThan(0);
    // lo's MTU, which the kernel clamps to IP_MAX_MTU: an IPv4 packet is at most 65,535 bytes.
    expect(info.pmtu).toBe(Math.min(Number(readFileSync('/sys/class/net/lo/mtu', 'utf8')), 65_535));
    expect(info.bytes_received ?? 0).toBe(0);
    expect(info.bytes_acked).toBeGreaterThanOrEqual(12);
    expect(info.total_retrans).toBe(0);
    expect(info.congestion).toBe(sysctlCongestion());
    expect(info.length).toBeGreaterThanOrEqual(104);

    const serverId = await socketIdOf(lab, server);
    const sampled = await sampleOf(serverId, (sample) => (sample.bytes_received ?? 0) >= 12);
    expect(sampled.state).toBe('ESTABLISHED');
  });

  it('a listening socket reads LISTEN; a socket not yet connected reads CLOSED', async () => {
    const { fd } = await s.listener();
    const listenerId = await socketIdOf(lab, fd);
    expect(ok(await call(lab, 'socket.tcpInfo', { socketId: listenerId })).value.now?.state).toBe('LISTEN');
    const fresh = await s.socket('AF_INET6', 'SOCK_STREAM');
    const freshId = await socketIdOf(lab, fresh);
    expect(ok(await call(lab, 'socket.tcpInfo', { socketId: freshId })).value.now?.state).toBe('CLOSED');
  });

  it('the kernel state follows a half-close: FIN_WAIT_2 on one side, CLOSE_WAIT on the other', async () => {
    const { client, server } = await s.pair();
    const clientId = await socketIdOf(lab, client);
    const serverId = await socketIdOf(lab, server);
    ok(await call(lab, 'socket.shutdown', { fd: client, how: 'SHUT_WR' }));
    expect((await sampleOf(clientId, (x) => x.state === 'FIN_WAIT_2')).state).toBe('FIN_WAIT_2');
    expect((await sampleOf(serverId, (x) => x.state === 'CLOSE_WAIT')).state).toBe('CLOSE_WAIT');
  });

  it('after close the sampler stops: no sample of that socket comes, its history stays readable', async () => {
    const { client, server, listener } = await s.pair();
    const clientId = await socketIdOf(lab, client);
    await sampleOf(clientId, () => true);
    ok(await call(lab, 'socket.close', { fd: client }));
    ok(await call(lab, 'socket.close', { fd: server }));
    ok(await call(lab, 'socket.close', { fd: listener }));
    const before = samples.length;
    await sleep(600);
    expect(samples.slice(before).filter((x) => x.socketId === clientId)).toEqual([]);
    const after = ok(await call(lab, 'socket.tcpInfo', { socketId: clientId, history: true })).value;
    expect(after.now).toBeNull();
    expect(after.history.length).toBeGreaterThan(0);
    expect(after.history.length).toBeLessThanOrEqual(600);
  });

  it('a UDP socket has no TCP_INFO (ENOPROTOOPT); an unknown socket is EBADF', async () => {
    const udp = await s.socket('AF_INET', 'SOCK_DGRAM');
    expect(failed(await call(lab, 'socket.tcpInfo', { socketId: await socketIdOf(lab, udp) })).errno).toBe('ENOPROTOOPT');
    expect(failed(await call(lab, 'socket.tcpInfo', { socketId: 9999 })).errno).toBe('EBADF');
  });
});

describe('the sampler itself, on a real connection', () => {
  it('samples on a change, ticks fast while things change and slowly when idle, and stops once no TCP socket is left', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      const emitted: TcpInfoSample[] = [];
      // The sampler's only use of the context is emit; the rest is the lab's defaults.
      const ctx: LabContext = {
        options: DEFAULT_OPTIONS,
        tcpStates: new Map(),
        ownPorts: new Set(),
        net: NO_NET,
        emit: (name, payload) => name === 'tcpinfo.samples' && emitted.push(...(payload as { samples: TcpInfoSample[] }).samples),
      };
      const refs: TcpSocketRef[] = [{ socketId: 1, fd: handleFd(client) }];
      const sampler = createTcpInfoSampler(ctx, {
        socket: (id) => (refs.some((r) => r.socketId === id) ? { tcp: true, ref: refs[0] } : undefined),
        tcpSockets: () => refs,
      });
      expect(sampler.running()).toBe(false);
      sampler.changed(1);
      expect(emitted.map((x) => x.state)).toEqual(['ESTABLISHED']);
      expect(sampler.pace()).toBe(FAST_MS);
      // An idle connection changes nothing: after a second of quiet ticks the sampler slows down.
      for (const deadline = Date.now() + 3000; sampler.pace() !== IDLE_MS && Date.now() < deadline;) await sleep(50);
      expect(sampler.pace()).toBe(IDLE_MS);
      expect(emitted).toHaveLength(1); // nothing changed, nothing new was kept
      sampler.changed(1); // a change speeds it up again
      expect(sampler.pace()).toBe(FAST_MS);
      refs.length = 0; // the socket left the table
      await sleep(FAST_MS * 3);
      expect(sampler.running()).toBe(false);
      expect(emitted).toHaveLength(1);
      sampler.close();
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
