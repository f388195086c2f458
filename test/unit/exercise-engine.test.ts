/**
 * The check engine over synthetic evidence: call checks with ret/errno/args/after/before/count,
 * socket checks, packet filters with role templates, sequences, all/any/not, and the failures
 * that say what to fix (a role nobody plays, a bad filter, no capture).
 */
import { describe, expect, it } from 'vitest';
import type { PacketRow } from '@shared/capture';
import type { Check, Exercise, ExerciseMark } from '@shared/exercise';
import type { CallRecord, SocketInfo } from '@shared/socket';
import { relevantFilter } from '../../src/main/lab/exercises/collect';
import { evaluateChecks } from '../../src/main/lab/exercises/engine';
import {
  callsOf,
  inferRoles,
  sinceMark,
  socketsFromCalls,
  type Evidence,
  type EvidencePacket,
} from '../../src/main/lab/exercises/evidence';

let nextId = 1;
/** A call record; unless `extra` says otherwise, each socket's id is its descriptor. */
function call(name: CallRecord['call'], fd: number | null, ret: number | null, extra: Partial<CallRecord> = {}): CallRecord {
  const id = nextId++;
  const made = (name === 'socket' || name === 'accept') && ret !== null && ret >= 0 ? ret : null;
  return {
    id,
    fd,
    socketId: fd,
    newSocketId: made,
    call: name,
    args: {},
    startMonoUs: id * 100,
    startWallUs: id * 100,
    endMonoUs: ret === null ? null : id * 100 + 10,
    durationUs: 10,
    ret,
    errno: null,
    message: null,
    ...extra,
  };
}
function info(fd: number, local: number, peer: number | null, extra: Partial<SocketInfo> = {}): SocketInfo {
  return {
    socketId: fd,
    fd,
    domain: 'AF_INET',
    type: 'SOCK_STREAM',
    protocol: 'IPPROTO_IP',
    state: 'connected',
    local: { family: 'AF_INET', address: '127.0.0.1', port: local },
    peer: peer === null ? null : { family: 'AF_INET', address: '127.0.0.1', port: peer },
    nonblocking: false,
    options: {},
    backlog: null,
    acceptQueue: [],
    bytesWaiting: 0,
    datagramsWaiting: 0,
    shutRd: false,
    shutWr: false,
    peerClosed: false,
    pendingError: null,
    blockedIn: null,
    counters: { bytesSent: 0, bytesReceived: 0, sendCalls: 0, recvCalls: 0, datagramsSent: 0, datagramsReceived: 0 },
    acceptedFrom: null,
    acceptedFromId: null,
    tcpState: null,
    createdAtUs: 0,
    ...extra,
  };
}
function packet(no: number, monoUs: number, fields: Record<string, string[]>): EvidencePacket {
  const row: PacketRow = {
    no,
    monoUs,
    tsUs: monoUs,
    caplen: 60,
    len: 60,
    src: '127.0.0.1',
    dst: '127.0.0.1',
    protocol: 'TCP',
    info: `frame ${no}`,
    mark: null,
    fds: [],
    socketIds: [],
    callId: null,
    cause: null,
  };
  return { row, fields: { frame: [''], ip: [''], tcp: [''], ...fields } };
}
const tcp = (src: number, dst: number, flags: { syn?: 0 | 1; ack?: 0 | 1; fin?: 0 | 1 }, win = 512) => ({
  'tcp.srcport': [String(src)],
  'tcp.dstport': [String(dst)],
  'tcp.port': [String(src), String(dst)],
  'tcp.flags.syn': [String(flags.syn ?? 0)],
  'tcp.flags.ack': [String(flags.ack ?? 0)],
  'tcp.flags.fin': [String(flags.fin ?? 0)],
  'tcp.window_size_value': [String(win)],
});

/** A server on port 5000 (fd 3), client on 40000 (fd 4), accepted conn (fd 5); client half-closes. */
function lifecycle(): Evidence {
  nextId = 1;
  const calls = [
    call('socket', null, 3, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' } }),
    call('bind', 3, 0),
    call('listen', 3, 0),
    call('socket', null, 4, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' } }),
    call('connect', 4, 0),
    call('accept', 3, 5),
    call('shutdown', 4, 0, { args: { fd: 4, how: 'SHUT_WR' } }),
    call('recv', 5, 0),
    call('send', 4, -1, { errno: 'EPIPE' }),
  ];
  const cache = new Map<number, SocketInfo>([
    [3, info(3, 5000, null, { state: 'listening' })],
    [4, info(4, 40000, 5000, { shutWr: true })],
    [5, info(5, 5000, 40000, { peerClosed: true, acceptedFrom: 3, acceptedFromId: 3 })],
  ]);
  const packets = [
    packet(1, 450, tcp(40000, 5000, { syn: 1 })),
    packet(2, 460, tcp(5000, 40000, { syn: 1, ack: 1 })),
    packet(3, 470, tcp(40000, 5000, { ack: 1 })),
    packet(4, 710, tcp(40000, 5000, { fin: 1, ack: 1 }, 0)),
  ];
  return { calls, sockets: socketsFromCalls(calls, cache), packets, roles: { server: 3, client: 4, conn: 5 }, captureProblem: null };
}

const roles: Exercise['roles'] = {
  server: { title: { en: 's', zh: 's' }, made: 'listen' },
  client: { title: { en: 'c', zh: 'c' }, made: 'connect' },
  conn: { title: { en: 'a', zh: 'a' }, acceptedFrom: 'server' },
};
const run = (checks: Check[], evidence = lifecycle()) => evaluateChecks({ roles, checks }, evidence);
const one = (check: Check, evidence?: Evidence) => run([check], evidence)[0];

describe('call checks', () => {
  it('finds a call on a role by ret, errno and args', () => {
    expect(one({ call: 'recv', role: 'conn', ret: 0 }).passed).toBe(true);
    expect(one({ call: 'send', role: 'client', errno: 'EPIPE' }).passed).toBe(true);
    expect(one({ call: 'shutdown', role: 'client', args: { how: 'SHUT_WR' } }).passed).toBe(true);
    const wrong = one({ call: 'shutdown', role: 'client', args: { how: 'SHUT_RD' } });
    expect(wrong.passed).toBe(false);
    expect(wrong.detail).toContain('#7 shutdown(fd 4) → 0');
  });
  it('orders calls with after and before', () => {
    expect(one({ call: 'recv', role: 'conn', ret: 0, after: { call: 'shutdown', role: 'client' } }).passed).toBe(true);
    expect(one({ call: 'recv', role: 'conn', ret: 0, before: { call: 'shutdown', role: 'client' } }).passed).toBe(false);
    expect(one({ call: 'connect', role: 'client', before: { call: 'accept', role: 'server' } }).passed).toBe(true);
    const missing = one({ call: 'recv', role: 'conn', after: { call: 'close', role: 'client' } });
    expect(missing.passed).toBe(false);
    expect(missing.detail).toContain('no close() on client was made');
  });
  it('counts calls and compares ret with templates', () => {
    expect(one({ call: 'socket', count: 2 }).passed).toBe(true);
    expect(one({ call: 'socket', count: 3 }).passed).toBe(false);
    expect(one({ call: 'accept', role: 'server', ret: '${conn.fd}' }).passed).toBe(true);
  });
});

describe('socket checks', () => {
  it('checks states reached, peers, accept origin and flags', () => {
    expect(one({ socket: 'server', reached: 'listening' }).passed).toBe(true);
    expect(one({ socket: 'conn', acceptedFrom: 'server', peerIs: 'client', peerClosed: true }).passed).toBe(true);
    expect(one({ socket: 'client', shutWr: true, reached: 'connected' }).passed).toBe(true);
    const peer = one({ socket: 'conn', peerIs: 'server' });
    expect(peer.passed).toBe(false);
    expect(peer.detail).toContain("conn's peer is 127.0.0.1:40000, but server is at 127.0.0.1:5000");
  });
  it('says which as: name to use when a role is missing', () => {
    const evidence = lifecycle();
    evidence.roles.conn = null;
    const result = one({ socket: 'conn', reached: 'connected' }, evidence);
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('name it with "as: conn"');
  });
});

describe('packet checks', () => {
  it('matches display filters with role templates, counts and after', () => {
    const syn = one({ packets: 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == ${server.port}' });
    expect(syn.passed).toBe(true);
    expect(syn.evidence.packets.map((p) => p.no)).toEqual([1]);
    expect(one({ packets: 'tcp.srcport == ${server.port}', count: 1 }).passed).toBe(true);
    expect(one({ packets: 'tcp.flags.fin == 1', after: { call: 'shutdown', role: 'client' } }).passed).toBe(true);
    expect(one({ packets: 'tcp.flags.syn == 1', after: { call: 'shutdown', role: 'client' } }).passed).toBe(false);
    expect(one({ packets: 'tcp.window_size_value == 0 && tcp.srcport == ${client.port}' }).passed).toBe(true);
  });
  it('checks a sequence in frame order', () => {
    const handshake = one({
      sequence: [
        'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == ${server.port}',
        'tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.srcport == ${server.port}',
        'tcp.flags.syn == 0 && tcp.flags.ack == 1 && tcp.dstport == ${server.port}',
      ],
    });
    expect(handshake.passed).toBe(true);
    expect(handshake.evidence.packets.map((p) => p.no)).toEqual([1, 2, 3]);
    const reversed = one({ sequence: ['tcp.flags.fin == 1', 'tcp.flags.syn == 1'] });
    expect(reversed.passed).toBe(false);
    expect(reversed.detail).toContain('after frame 4');
  });
  it('fails with the reason when the filter is bad or nothing was captured', () => {
    const bad = one({ packets: 'tcp.flags.syn ==' });
    expect(bad.passed).toBe(false);
    expect(bad.detail).toContain('is not valid');
    const evidence = lifecycle();
    evidence.packets = [];
    evidence.captureProblem = 'socket: Operation not permitted';
    expect(one({ packets: 'tcp' }, evidence).detail).toContain('Operation not permitted');
  });
});

describe('composition', () => {
  it('combines with all, any and not', () => {
    expect(
      one({
        all: [
          { socket: 'server', reached: 'listening' },
          { call: 'recv', role: 'conn', ret: 0 },
        ],
      }).passed,
    ).toBe(true);
    expect(
      one({
        all: [
          { socket: 'server', reached: 'listening' },
          { call: 'recv', role: 'conn', ret: 5 },
        ],
      }).passed,
    ).toBe(false);
    expect(
      one({
        any: [
          { call: 'recv', role: 'conn', ret: 5 },
          { call: 'recv', role: 'conn', ret: 0 },
        ],
      }).passed,
    ).toBe(true);
    expect(one({ not: { packets: 'tcp.flags.reset == 1' } }).passed).toBe(true);
    expect(one({ not: { packets: 'tcp.flags.fin == 1' } }).passed).toBe(false);
  });
  it('keeps ids, titles and explanations of top-level checks', () => {
    const [result] = run([
      { id: 'eof', title: { en: 'EOF', zh: '结束' }, explain: { en: 'why', zh: '为什么' }, call: 'recv', role: 'conn', ret: 0 },
    ]);
    expect(result).toMatchObject({ id: 'eof', title: { en: 'EOF', zh: '结束' }, passed: true });
  });
});

describe('roles in the app', () => {
  it('infers roles from the calls each socket made when the UI names none', () => {
    const evidence = lifecycle();
    expect(inferRoles({ roles }, evidence.calls, evidence.sockets)).toEqual({ server: 3, client: 4, conn: 5 });
  });
  it('tracks sockets by identity across a reused descriptor', () => {
    nextId = 1;
    const calls = [
      call('socket', null, 3, { args: { domain: 'AF_INET', type: 'SOCK_DGRAM' }, newSocketId: 1 }),
      call('close', 3, 0, { socketId: 1 }),
      call('socket', null, 3, { args: { domain: 'AF_INET6', type: 'SOCK_STREAM' }, newSocketId: 2 }),
      call('listen', 3, 0, { socketId: 2 }),
    ];
    const sockets = socketsFromCalls(calls, new Map());
    expect(sockets.map((s) => [s.socketId, s.fd, s.createdBy, s.closedBy, s.domain, s.statesSeen.join('>')])).toEqual([
      [1, 3, 1, 2, 'AF_INET', 'created>closed'],
      [2, 3, 3, null, 'AF_INET6', 'created>listening'],
    ]);
    expect(inferRoles({ roles: { server: { title: { en: 's', zh: 's' }, made: 'listen' } } }, calls, sockets)).toEqual({ server: 2 });
  });
  it('keeps an accepted socket on its own calls when accept() hands out a closed one’s number again', () => {
    nextId = 1;
    // listener (socket 1, fd 3); accept → fd 4 (socket 2): recv, send, close; accept → fd 4 again (socket 3).
    const calls = [
      call('socket', null, 3, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' }, newSocketId: 1 }),
      call('listen', 3, 0, { socketId: 1 }),
      call('accept', 3, 4, { socketId: 1, newSocketId: 2 }),
      call('recv', 4, 5, { socketId: 2 }),
      call('send', 4, 5, { socketId: 2 }),
      call('close', 4, 0, { socketId: 2 }),
      call('accept', 3, 4, { socketId: 1, newSocketId: 3 }),
    ];
    const sockets = socketsFromCalls(calls, new Map());
    const second = sockets.find((s) => s.socketId === 3)!;
    expect(second).toMatchObject({ fd: 4, acceptedFrom: 1, closedBy: null, statesSeen: ['connected'] });
    expect(callsOf(calls, second).map((c) => c.call)).toEqual(['accept']);
    const evidence: Evidence = { calls, sockets, packets: [], roles: { server: 1, conn: 3 }, captureProblem: null };
    const result = evaluateChecks(
      {
        roles,
        checks: [
          { call: 'recv', role: 'conn' },
          { call: 'close', role: 'conn' },
        ],
      },
      evidence,
    );
    expect(result.map((r) => r.passed)).toEqual([false, false]);
  });
});

describe('an exercise begun on a lab with history', () => {
  /** Before the mark: a whole lifecycle (sockets 3, 4, 5) and a listener left open (socket 6, port 6000). */
  function leftovers(): { evidence: Evidence; mark: ExerciseMark } {
    const old = lifecycle();
    const listener = [
      call('socket', null, 6, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' } }),
      call('bind', 6, 0),
      call('listen', 6, 0),
    ];
    const calls = [...old.calls, ...listener];
    const cache = new Map(old.sockets.map((socket) => [socket.socketId, socket.info!]));
    cache.set(6, info(6, 6000, null, { state: 'listening' }));
    const evidence = { ...old, calls, sockets: socketsFromCalls(calls, cache), roles: {} };
    return { evidence, mark: { callId: calls.at(-1)!.id, monoUs: 1000 } };
  }
  const lifecycleChecks: Check[] = [
    { id: 'accepted', socket: 'conn', acceptedFrom: 'server', peerIs: 'client' },
    { id: 'eof', call: 'recv', role: 'conn', ret: 0 },
    { id: 'handshake', sequence: ['tcp.flags.syn == 1 && tcp.dstport == ${server.port}'] },
    {
      id: 'no-synack-after-accept',
      not: { packets: 'tcp.flags.syn == 1 && tcp.srcport == ${server.port}', after: { call: 'accept', role: 'server' } },
    },
  ];

  it('passes nothing before the student did anything', () => {
    const { evidence, mark } = leftovers();
    const fresh = sinceMark(evidence, mark);
    fresh.roles = inferRoles({ roles }, fresh.calls, fresh.sockets);
    expect(fresh.roles).toEqual({ server: null, client: null, conn: null });
    expect(evaluateChecks({ roles, checks: lifecycleChecks }, fresh).map((r) => r.passed)).toEqual([false, false, false, false]);
    // Without the mark the old sockets would play the roles and pass.
    const stale = { ...evidence, roles: inferRoles({ roles }, evidence.calls, evidence.sockets) };
    expect(evaluateChecks({ roles, checks: lifecycleChecks }, stale).map((r) => r.passed)).toEqual([true, true, true, true]);
  });

  it('binds the new sockets, not the old listener still open, and passes a correct run', () => {
    const { evidence, mark } = leftovers();
    const calls = [
      ...evidence.calls,
      call('socket', null, 7, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' } }),
      call('bind', 7, 0),
      call('listen', 7, 0),
      call('socket', null, 8, { args: { domain: 'AF_INET', type: 'SOCK_STREAM' } }),
      call('connect', 8, 0),
      call('accept', 7, 9),
      call('close', 8, 0),
      call('recv', 9, 0),
    ];
    const cache = new Map([
      [6, info(6, 6000, null, { state: 'listening' })],
      [7, info(7, 7000, null, { state: 'listening' })],
      [8, info(8, 41000, 7000)],
      [9, info(9, 7000, 41000, { acceptedFrom: 7, acceptedFromId: 7 })],
    ]);
    // connect() is call 17 (at 1700 µs), accept() call 18 (1800 µs): the handshake comes between.
    const packets = [packet(5, 1750, tcp(41000, 7000, { syn: 1 })), packet(6, 1760, tcp(7000, 41000, { syn: 1, ack: 1 }))];
    const all: Evidence = {
      calls,
      sockets: socketsFromCalls(calls, cache),
      packets: [...evidence.packets, ...packets],
      roles: {},
      captureProblem: null,
    };
    const fresh = sinceMark(all, mark);
    fresh.roles = inferRoles({ roles }, fresh.calls, fresh.sockets);
    expect(fresh.roles).toEqual({ server: 7, client: 8, conn: 9 });
    expect(fresh.packets.map((p) => p.row.no)).toEqual([5, 6]);
    expect(evaluateChecks({ roles, checks: lifecycleChecks }, fresh).map((r) => r.passed)).toEqual([true, true, true, true]);
    // Choosing a socket from before the mark is not possible: it is not evidence.
    expect(inferRoles({ roles }, fresh.calls, fresh.sockets, { server: 6 })).toEqual({ server: 7, client: 8, conn: 9 });
    // The student may bind a role by hand to a socket made since.
    expect(inferRoles({ roles }, fresh.calls, fresh.sockets, { client: 7, server: 8 })).toMatchObject({ client: 7, server: 8 });
  });

  it('never passes `not` of a check about a role no socket plays', () => {
    const evidence = lifecycle();
    evidence.roles.server = null;
    const result = one(
      { not: { packets: 'tcp.flags.syn == 1 && tcp.srcport == ${server.port}', after: { call: 'accept', role: 'server' } } },
      evidence,
    );
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('no socket plays the role "server"');
    expect(
      one(
        {
          not: {
            any: [
              { socket: 'server', reached: 'listening' },
              { call: 'recv', role: 'conn', ret: 99 },
            ],
          },
        },
        evidence,
      ).passed,
    ).toBe(false);
    expect(
      one(
        {
          not: {
            all: [
              { socket: 'server', reached: 'listening' },
              { call: 'recv', role: 'conn', ret: 99 },
            ],
          },
        },
        evidence,
      ).passed,
    ).toBe(true);
  });
});

describe('evidence gathering', () => {
  it("keeps only packets on the lab's ports, and ICMP", () => {
    const evidence = lifecycle();
    const filter = relevantFilter(evidence.sockets, [
      call('connect', 9, 0, { args: { address: { family: 'AF_INET', address: '127.0.0.1', port: 6000 } } }),
    ]);
    expect(filter).toBe('tcp.port in {5000 6000 40000} || udp.port in {5000 6000 40000} || icmp || icmpv6');
    expect(relevantFilter([])).toBe('icmp || icmpv6');
  });
});
