/**
 * The same call sequences through Python's socket module (C's API on Linux) and through the
 * lab: return values and errno names must agree call by call. Where they cannot (the lab's
 * documented differences, docs/fidelity.md), the test says so and checks both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/main/lab/index';
import { runLab, runPython, type Step, type StepAddr } from '../helpers/compare';
import { call, ok, openLab, tempDir } from '../helpers/lab';

let lab: Lab;
const tmp = tempDir();
beforeAll(() => {
  lab = openLab();
});
afterAll(async () => {
  await lab.close();
  tmp.remove();
});

const v4 = (port: number | `$${string}`): StepAddr => ({ family: 'AF_INET', address: '127.0.0.1', port });
const v6 = (port: number | `$${string}`): StepAddr => ({ family: 'AF_INET6', address: '::1', port });
const tcp = (sock: string): Step => ({ op: 'socket', sock, domain: 'AF_INET', type: 'SOCK_STREAM' });
const udp = (sock: string): Step => ({ op: 'socket', sock, domain: 'AF_INET', type: 'SOCK_DGRAM' });
/** A connected TCP pair on loopback: l listens, c connects, a is accepted. */
const pair: Step[] = [
  tcp('l'),
  { op: 'bind', sock: 'l', addr: v4(0) },
  { op: 'listen', sock: 'l', backlog: 4 },
  tcp('c'),
  { op: 'connect', sock: 'c', addr: v4('$l') },
  { op: 'accept', sock: 'l', as: 'a' },
];

/** A loopback port nothing listens on (bound by the lab, then freed). */
async function freePort(): Promise<number> {
  const fd = ok(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' })).ret;
  ok(await call(lab, 'socket.bind', { fd, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } }));
  const name = ok(await call(lab, 'socket.getsockname', { fd })).address;
  ok(await call(lab, 'socket.close', { fd }));
  return name && name.family === 'AF_INET' ? name.port : 0;
}

/** Runs the steps on both sides, resetting the lab first, and returns both result lists. */
async function both(steps: Step[]) {
  ok(await call(lab, 'lab.reset', {}));
  const python = runPython(steps);
  const labResults = await runLab(lab, steps);
  ok(await call(lab, 'lab.reset', {}));
  return { python, lab: labResults };
}

const sequences: Record<string, () => Promise<Step[]> | Step[]> = {
  'bind twice (EINVAL)': () => [tcp('s'), { op: 'bind', sock: 's', addr: v4(0) }, { op: 'bind', sock: 's', addr: v4(0) }],
  'bind in use (EADDRINUSE)': () => [
    tcp('a'),
    { op: 'bind', sock: 'a', addr: v4(0) },
    { op: 'listen', sock: 'a' },
    tcp('b'),
    { op: 'bind', sock: 'b', addr: v4('$a') },
  ],
  'connect refused (ECONNREFUSED)': async () => [tcp('c'), { op: 'connect', sock: 'c', addr: v4(await freePort()) }],
  'listen on UDP (EOPNOTSUPP)': () => [udp('u'), { op: 'listen', sock: 'u' }],
  'accept on a non-listening socket (EINVAL)': () => [
    tcp('s'),
    { op: 'bind', sock: 's', addr: v4(0) },
    { op: 'accept', sock: 's', as: 'x' },
  ],
  'send, recv, shutdown, getpeername on an unconnected stream': () => [
    tcp('s'),
    { op: 'send', sock: 's', length: 1 },
    { op: 'recv', sock: 's', maxBytes: 1 },
    { op: 'shutdown', sock: 's', how: 'SHUT_WR' },
    { op: 'getpeername', sock: 's' },
    { op: 'socket', sock: 'u', domain: 'AF_UNIX', type: 'SOCK_STREAM' },
    { op: 'send', sock: 'u', length: 1 },
  ],
  'UDP oversize (EMSGSIZE) and the largest datagram': () => [
    udp('r'),
    { op: 'bind', sock: 'r', addr: v4(0) },
    udp('s'),
    { op: 'sendto', sock: 's', length: 65508, addr: v4('$r') },
    { op: 'sendto', sock: 's', length: 65507, addr: v4('$r') },
    { op: 'recv', sock: 'r', maxBytes: 70000 },
    { op: 'send', sock: 's', length: 1 },
  ],
  'recv after the peer shutdown (0) and send after SHUT_WR (EPIPE)': () => [
    ...pair,
    { op: 'send', sock: 'c', length: 5 },
    { op: 'shutdown', sock: 'c', how: 'SHUT_WR' },
    { op: 'recv', sock: 'a', maxBytes: 100 },
    { op: 'recv', sock: 'a', maxBytes: 100 },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'send', sock: 'a', length: 3 },
    { op: 'recv', sock: 'c', maxBytes: 100 },
  ],
  'shutdown(SHUT_RD): recv gives 0, the peer can still send': () => [
    ...pair,
    { op: 'shutdown', sock: 'c', how: 'SHUT_RD' },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'send', sock: 'c', length: 4 },
    { op: 'recv', sock: 'a', maxBytes: 10 },
  ],
  'bind to an address this machine does not have (EADDRNOTAVAIL)': () => [
    tcp('t'),
    { op: 'bind', sock: 't', addr: { family: 'AF_INET', address: '192.0.2.1', port: 0 } },
    udp('u'),
    { op: 'bind', sock: 'u', addr: { family: 'AF_INET', address: '192.0.2.1', port: 0 } },
  ],
  'getsockname after bind to port 0': () => [
    tcp('t'),
    { op: 'getsockname', sock: 't' },
    { op: 'bind', sock: 't', addr: v4(0) },
    { op: 'getsockname', sock: 't' },
    udp('u'),
    { op: 'bind', sock: 'u', addr: v6(0) },
  ],
  'wrong family: EAFNOSUPPORT on AF_INET, EINVAL on AF_INET6 (UDP takes IPv4 as v4-mapped)': () => [
    tcp('s'),
    { op: 'bind', sock: 's', addr: v6(0) },
    { op: 'socket', sock: 't', domain: 'AF_INET6', type: 'SOCK_STREAM' },
    { op: 'bind', sock: 't', addr: v4(0) },
    { op: 'socket', sock: 'u', domain: 'AF_INET6', type: 'SOCK_DGRAM' },
    { op: 'connect', sock: 'u', addr: v4(9) },
  ],
  'connect on a listening or connected socket (EISCONN), listen when connected (EINVAL)': () => [
    ...pair,
    { op: 'connect', sock: 'l', addr: v4('$l') },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'listen', sock: 'c' },
  ],
  'non-blocking accept and recv (EAGAIN)': () => [
    ...pair,
    { op: 'nonblock', sock: 'l' },
    { op: 'accept', sock: 'l', as: 'x' },
    { op: 'nonblock', sock: 'a' },
    { op: 'recv', sock: 'a', maxBytes: 10 },
  ],
  'non-blocking connect, asked at once while the SYN waits (EALREADY) — a full backlog holds it': () => [
    tcp('l'),
    { op: 'bind', sock: 'l', addr: v4(0) },
    { op: 'listen', sock: 'l', backlog: 0 },
    tcp('first'),
    { op: 'connect', sock: 'first', addr: v4('$l') }, // fills the accept queue (backlog 0 holds one)
    tcp('c'),
    { op: 'nonblock', sock: 'c' },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'sleep', ms: 50 },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'recv', sock: 'c', maxBytes: 1 },
    { op: 'nonblock', sock: 'l' },
    { op: 'accept', sock: 'l', as: 'a' },
    { op: 'accept', sock: 'l', as: 'b' },
  ],
  'non-blocking connect after a short wait: 0 once, then EISCONN': () => [
    tcp('l'),
    { op: 'bind', sock: 'l', addr: v4(0) },
    { op: 'listen', sock: 'l', backlog: 4 },
    tcp('c'),
    { op: 'nonblock', sock: 'c' },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'sleep', ms: 50 },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'connect', sock: 'c', addr: v4('$l') },
    { op: 'getpeername', sock: 'c' },
  ],
  'non-blocking connect refused: the next connect reports ECONNREFUSED once, then a new attempt': async () => {
    const port = await freePort();
    return [
      tcp('c'),
      { op: 'nonblock', sock: 'c' },
      { op: 'connect', sock: 'c', addr: v4(port) },
      { op: 'sleep', ms: 50 },
      { op: 'send', sock: 'c', length: 1 },
      { op: 'connect', sock: 'c', addr: v4(port) },
    ];
  },
  'recv(MSG_PEEK | MSG_DONTWAIT) sees bytes still in the kernel, without taking them': () => [
    ...pair,
    { op: 'send', sock: 'c', length: 5 },
    { op: 'sleep', ms: 30 },
    { op: 'recv', sock: 'a', maxBytes: 100, flags: ['MSG_PEEK', 'MSG_DONTWAIT'] },
    { op: 'recv', sock: 'a', maxBytes: 2, flags: ['MSG_PEEK', 'MSG_DONTWAIT'] },
    { op: 'nonblock', sock: 'a' },
    { op: 'recv', sock: 'a', maxBytes: 100, flags: ['MSG_PEEK'] },
    { op: 'recv', sock: 'a', maxBytes: 100 },
    { op: 'recv', sock: 'a', maxBytes: 100, flags: ['MSG_PEEK'] },
  ],
  'after the peer resets: send gives ECONNRESET once, then EPIPE; recv then 0': () => [
    ...pair,
    { op: 'setsockopt', sock: 'a', option: 'SO_LINGER', value: { onoff: true, linger: 0 } },
    { op: 'close', sock: 'a' },
    { op: 'sleep', ms: 30 },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'recv', sock: 'c', maxBytes: 10 },
  ],
  'after the peer resets: recv gives ECONNRESET once, then 0; send EPIPE': () => [
    ...pair,
    { op: 'setsockopt', sock: 'a', option: 'SO_LINGER', value: { onoff: true, linger: 0 } },
    { op: 'close', sock: 'a' },
    { op: 'sleep', ms: 30 },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'send', sock: 'c', length: 1 },
  ],
  'a reset after reading started: the first failing call says ECONNRESET, never twice': () => [
    ...pair,
    { op: 'nonblock', sock: 'c' },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'setsockopt', sock: 'a', option: 'SO_LINGER', value: { onoff: true, linger: 0 } },
    { op: 'close', sock: 'a' },
    { op: 'sleep', ms: 30 },
    { op: 'send', sock: 'c', length: 1 },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'send', sock: 'c', length: 1 },
  ],
  'after the peer resets: shutdown is ENOTCONN (the connection is closed), getpeername too': () => [
    ...pair,
    { op: 'setsockopt', sock: 'a', option: 'SO_LINGER', value: { onoff: true, linger: 0 } },
    { op: 'close', sock: 'a' },
    { op: 'sleep', ms: 30 },
    { op: 'shutdown', sock: 'c', how: 'SHUT_WR' },
    { op: 'getpeername', sock: 'c' },
    { op: 'recv', sock: 'c', maxBytes: 10 },
    { op: 'shutdown', sock: 'c', how: 'SHUT_RDWR' },
  ],
  'options: kernel values and refusals': () => [
    tcp('t'),
    { op: 'getsockopt', sock: 't', option: 'IP_TTL' },
    { op: 'setsockopt', sock: 't', option: 'SO_RCVBUF', value: 65536 },
    { op: 'getsockopt', sock: 't', option: 'SO_RCVBUF' },
    { op: 'setsockopt', sock: 't', option: 'IP_ADD_MEMBERSHIP', value: { multiaddr: '239.1.1.1', interface: '0.0.0.0' } },
    udp('u'),
    { op: 'setsockopt', sock: 'u', option: 'TCP_NODELAY', value: 1 },
    { op: 'bind', sock: 'u', addr: v4(0) },
    { op: 'setsockopt', sock: 'u', option: 'SO_BROADCAST', value: 1 },
    { op: 'getsockopt', sock: 'u', option: 'SO_BROADCAST' },
    { op: 'getsockopt', sock: 'u', option: 'IP_MULTICAST_TTL' },
  ],
};

describe('the lab answers as C (via Python) does', () => {
  for (const [name, build] of Object.entries(sequences)) {
    it(name, async () => {
      const { python, lab: labResults } = await both(await build());
      expect(labResults).toEqual(python);
      // Guard against two empty runs agreeing: every sequence produced results on both sides.
      expect(python.length).toBeGreaterThan(1);
    });
  }

  it('an AF_UNIX path too long: refused on both sides (C: EINVAL from the kernel; the lab: ENAMETOOLONG, as the issue asks)', async () => {
    const path = `${tmp.dir}/${'p'.repeat(120)}`;
    const steps: Step[] = [
      { op: 'socket', sock: 'x', domain: 'AF_UNIX', type: 'SOCK_STREAM' },
      { op: 'bind', sock: 'x', addr: { family: 'AF_UNIX', path } },
    ];
    const { python, lab: labResults } = await both(steps);
    expect(python[1]).toEqual({ ret: -1, errno: 'EINVAL' });
    expect(labResults[1]).toEqual({ ret: -1, errno: 'ENAMETOOLONG' });
  });
});
