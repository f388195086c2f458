/**
 * The lab network for real: an engine process inside `unshare -Urn`, hosts A and B in their
 * own namespaces, the kernel's TCP/IP on each side, every frame carried by the lab's link.
 * Runs as root and as an unprivileged user (see docs/lab-network.md for the setpriv line).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { bin, call, failed, ok, openLab, steps } from '../helpers/lab';
import { A, B, hostSteps, openNetLab, rows, until } from '../helpers/net';

let lab: Lab;
let host: ReturnType<typeof hostSteps>;
const opened: number[] = [];

beforeAll(async () => {
  ({ lab } = await openNetLab());
  host = hostSteps(lab);
}, 30_000);
afterAll(async () => {
  await lab?.close();
});
afterEach(async () => {
  for (const fd of opened.splice(0)) await call(lab, 'socket.close', { fd });
  ok(await call(lab, 'net.link.set', { link: { lossPercent: 0, delayMs: 0, mtu: 1500 }, rules: [] }));
  await call(lab, 'capture.stop', {});
});

/** A connected TCP pair: client on A, accepted socket on B (port `port`). */
async function pair(port: number) {
  const listener = await host.listener('B', B, port);
  const client = await host.socket('A');
  opened.push(listener, client);
  ok(await call(lab, 'socket.connect', { fd: client, address: host.inet(B, port) }));
  const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
  opened.push(server);
  return { listener, client, server };
}

describe('lab network', () => {
  it('carries a TCP conversation between A and B at 0 % loss, and says which host each socket and call is on', async () => {
    ok(await call(lab, 'capture.start', { iface: 'link:A' }));
    const { client, server } = await pair(5001);
    const payload = randomBytes(100_000);
    const sending = call(lab, 'socket.send', { fd: client, data: bin(payload) });
    expect((await host.recvAll(server, payload.length)).equals(payload)).toBe(true);
    ok(await sending);

    const sockets = ok(await call(lab, 'lab.sockets', {})).value;
    expect(sockets.find((s) => s.fd === client)).toMatchObject({ host: 'A', state: 'connected', peer: { address: B, port: 5001 } });
    expect(sockets.find((s) => s.fd === server)).toMatchObject({ host: 'B', peer: { address: A } });
    const calls = ok(await call(lab, 'lab.calls', { sinceId: 0, limit: 10_000 })).value;
    expect(calls.find((c) => c.call === 'connect' && c.fd === client)?.host).toBe('A');

    const captured = await rows(lab);
    expect(captured.some((r) => r.protocol === 'ARP')).toBe(true);
    const syn = captured.find((r) => r.mark === 'syn' && r.src === A);
    expect(syn?.callId).toBe(calls.find((c) => c.call === 'connect' && c.fd === client)?.id);
    const ladder = ok(await call(lab, 'capture.ladder', { no: syn?.no ?? 0 })).value;
    expect(ladder.svg).toContain(`host A · ${A}:`);
    expect(ladder.svg).toContain(`host B · ${B}:5001`);
    const info = ok(await call(lab, 'net.info', {})).value;
    expect(info.counters.dropped).toBe(0);
    expect(info.counters.passed).toBeGreaterThan(20);
  });

  it('at 10 % loss the kernel retransmits, the data still arrives whole, and the capture shows the retransmissions', async () => {
    const { client, server } = await pair(5002);
    ok(await call(lab, 'capture.start', { iface: 'link:A' }));
    ok(await call(lab, 'net.link.set', { link: { lossPercent: 10 } }));
    const payload = randomBytes(300_000);
    // send() blocks until the kernel took every byte, which needs B to read: read meanwhile.
    const sending = call(lab, 'socket.send', { fd: client, data: bin(payload) });
    expect((await host.recvAll(server, payload.length, 30_000)).equals(payload)).toBe(true);
    ok(await sending);
    const info = ok(await call(lab, 'net.info', {})).value;
    expect(info.counters.droppedLoss).toBeGreaterThan(0);

    // A retransmission: a data segment from A whose sequence number A already sent.
    const data = await rows(lab, `ip.src == ${A} && tcp.len > 0`);
    const seen = new Set<string>();
    let repeated = 0;
    for (const row of data) {
      const seq = /Seq=(\d+)/.exec(row.info)?.[1] ?? '';
      if (seen.has(seq)) repeated++;
      seen.add(seq);
    }
    expect(repeated).toBeGreaterThan(0);
    const ladder = ok(await call(lab, 'capture.ladder', { no: data[data.length - 1].no })).value;
    expect(ladder.svg).toContain('retrans');
  }, 60_000);

  it('"drop the first SYN-ACK" makes connect() take about a second longer (the SYN or SYN-ACK is retried)', async () => {
    const listener = await host.listener('B', B, 5003);
    opened.push(listener);
    const timeConnect = async () => {
      const fd = await host.socket('A');
      opened.push(fd);
      const start = performance.now();
      ok(await call(lab, 'socket.connect', { fd, address: host.inet(B, 5003) }));
      return performance.now() - start;
    };
    const plain = await timeConnect();
    ok(await call(lab, 'net.link.set', { rules: [{ match: 'tcp.flags.syn == 1 && tcp.flags.ack == 1', nth: 1, action: 'drop' }] }));
    const dropped = await timeConnect();
    expect(ok(await call(lab, 'net.info', {})).value.counters.droppedRule).toBe(1);
    expect(dropped - plain).toBeGreaterThan(800);
    expect(dropped - plain).toBeLessThan(3500);
  }, 30_000);

  it('fragments a UDP datagram larger than the link MTU (IPv4) and B reassembles it', async () => {
    ok(await call(lab, 'net.link.set', { link: { mtu: 1280 } }));
    ok(await call(lab, 'capture.start', { iface: 'link:B' }));
    const receiver = await host.socket('B', 'SOCK_DGRAM');
    const sender = await host.socket('A', 'SOCK_DGRAM');
    opened.push(receiver, sender);
    ok(await call(lab, 'socket.bind', { fd: receiver, address: host.inet(B, 6000) }));
    const payload = randomBytes(4000);
    ok(await call(lab, 'socket.sendto', { fd: sender, data: bin(payload), address: host.inet(B, 6000) }));
    const got = ok(await call(lab, 'socket.recvfrom', { fd: receiver, maxBytes: 65536 }));
    expect(Buffer.from(got.data).equals(payload)).toBe(true);
    expect(got.from).toMatchObject({ address: A });
    const fragments = await rows(lab, 'ip.flags.mf == 1 || ip.frag_offset > 0');
    expect(fragments.length).toBe(4); // 4000 + 8 bytes in 1256-byte pieces
    expect(fragments.every((r) => r.len <= 1280 + 14)).toBe(true);
  });

  it("keeps hosts off the machine: connect() to the machine's loopback service or an outside address fails", async () => {
    const machine = openLab();
    try {
      const { fd: listener, port } = await steps(machine).listener();
      const fd = await host.socket('A');
      opened.push(fd);
      const toLoopback = failed(await call(lab, 'socket.connect', { fd, address: host.inet('127.0.0.1', port) }));
      expect(toLoopback.errno).toBe('ECONNREFUSED'); // A's own loopback: nothing listens there
      expect(ok(await call(machine, 'lab.sockets', {})).value.find((s) => s.fd === listener)?.acceptQueue).toEqual([]);
      const outside = await host.socket('A');
      opened.push(outside);
      expect(failed(await call(lab, 'socket.connect', { fd: outside, address: host.inet('192.0.2.1', 80) })).errno).toBe('ENETUNREACH');
    } finally {
      await machine.close();
    }
  });

  it("captures on a host's own interface (libpcap inside the host, no privileges needed)", async () => {
    const names = ok(await call(lab, 'capture.interfaces', {})).value.map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['link:A', 'link:B', 'A:eth0', 'B:eth0', 'A:lo', 'B:lo', 'lo']));
    ok(await call(lab, 'capture.start', { iface: 'B:eth0', filter: 'tcp port 5004' }));
    await pair(5004);
    expect(await until(async () => (await rows(lab)).some((r) => r.mark === 'syn' && r.src === A))).toBe(true);
    const status = ok(await call(lab, 'capture.status', {})).value;
    expect(status).toMatchObject({ running: true, iface: 'B:eth0', linkType: 1 });
  }, 30_000);

  it("refuses a host that does not exist and keeps this machine's sockets apart", async () => {
    expect(failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM', host: 'Z' })).errno).toBe('EINVAL');
    const local = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
    expect(local).toBeLessThan(1000);
    ok(await call(lab, 'socket.close', { fd: local }));
  });
});
