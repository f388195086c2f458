import { describe, expect, it } from 'vitest';
import { createPacketTies, tiePackets } from '../../src/main/lab/flows/ties';
import type { IcmpFacts } from '../../src/main/lab/flows/icmp-facts';
import {
  ACK,
  call,
  callEvents,
  CLIENT,
  CLIENT_ISN,
  classicConversation,
  data,
  FIN,
  icmp,
  inet,
  PSH,
  RST,
  runTimeline,
  SERVER,
  SERVER_ISN,
  sock,
  SYN,
  tcp,
  udp,
  type Event,
} from './ties.fixtures';

const C = CLIENT,
  S = SERVER,
  c = CLIENT_ISN,
  s = SERVER_ISN;

describe('tying the classic conversation', () => {
  const { events, ids } = classicConversation();
  const { byNo, ties } = runTimeline(events);
  const rows = [...byNo.entries()].map(([no, t]) => [no, t.fds, t.callId, t.cause]);

  it('ties each packet to both lab sockets and to the call that caused it', () => {
    expect(rows).toEqual([
      [1, [4, 3], ids.connect, 'call'], // SYN: connect; the listener receives it (no accepted socket yet)
      [2, [3, 4], null, 'kernel'], // SYN-ACK: the kernel, accept() sends nothing
      [3, [4, 3], null, 'kernel'], // the handshake's last ACK
      [4, [4, 5], ids.send, 'call'], // "hello": the bytes send wrote
      [5, [5, 4], null, 'kernel'],
      [6, [4, 5], ids.shutdown, 'call'], // FIN: shutdown(SHUT_WR)
      [7, [5, 4], null, 'kernel'],
      [8, [5, 4], ids.serverClose, 'call'], // FIN after close(): the closed socket is remembered
      [9, [4, 5], null, 'kernel'],
    ]);
  });

  it('gives the same ties when every record is noted again (a re-poll of the log)', () => {
    const again: Event[] = events.flatMap((e): Event[] => ('call' in e ? [e, { ...e }] : [e]));
    // Just before the FIN: every finished record again, socket() and accept() included.
    const repoll: Event[] = classicConversation()
      .calls.filter((r) => (r.endMonoUs ?? 0) <= 601)
      .map((record) => ({ at: 601, call: record }));
    const twice = runTimeline([...again, ...repoll]);
    expect([...twice.byNo.values()].map((t) => [t.fds, t.callId, t.cause])).toEqual(rows.map((r) => r.slice(1)));
  });

  it('gives each socket its inferred TCP state for the badge', () => {
    expect(ties.tcpState(3)).toBe('LISTEN');
    expect(ties.tcpState(4)).toBe('TIME_WAIT');
    expect(ties.tcpState(5)).toBe('CLOSED');
    expect(ties.tcpState(99)).toBeNull();
  });

  it('remembers the ephemeral port the SYN taught while the table did not know it yet', () => {
    const client = ties.knownSockets().find((k) => k.fd === 4);
    expect(client?.local).toEqual({ addr: '127.0.0.1', port: 40000 });
  });

  it('gives the same call ties when run in one batch with one table snapshot and the whole log', () => {
    const { calls } = classicConversation();
    const packets = events.flatMap((e) => ('packet' in e ? [e.packet] : []));
    const table = [
      sock(3, { state: 'listening', local: { family: 'AF_INET', address: '0.0.0.0', port: 8080 } }),
      sock(4, { state: 'connected', local: inet(C), peer: inet(S) }),
      sock(5, { state: 'connected', local: inet(S), peer: inet(C) }),
    ];
    const batch = tiePackets(packets, table, calls);
    expect(batch.map((t) => [t.callId, t.cause])).toEqual(rows.map((r) => [r[2], r[3]]));
    // With the accepted socket already in the snapshot, it (not the listener) takes the handshake.
    expect(batch[0].fds).toEqual([4, 5]);
    // Without it, the listener takes the server's FIN, and no close() on the listener caused it.
    const withoutAccepted = tiePackets(packets, table.slice(0, 2), calls);
    expect(withoutAccepted[7]).toMatchObject({ fds: [3, 4], callId: null, cause: null });
  });
});

describe('tying calls to packets, only where certain', () => {
  const listener = sock(3, { state: 'listening', local: { family: 'AF_INET', address: '0.0.0.0', port: 8080 } });
  const client = sock(4, { state: 'connected', local: inet(C), peer: inet(S) });
  const accepted = sock(5, { state: 'connected', local: inet(S), peer: inet(C) });
  const established = (): Event[] => [
    { at: 0, sockets: [listener, client, accepted] },
    { at: 1, packet: tcp(1, 1, C, S, c, 0, SYN) },
    { at: 2, packet: tcp(2, 2, S, C, s, c + 1, SYN | ACK) },
    { at: 3, packet: tcp(3, 3, C, S, c + 1, s + 1, ACK) },
  ];

  it('ties the RST of close() with SO_LINGER {on, 0} to that close', () => {
    const linger = call(20, 4, 'setsockopt', { level: 'SOL_SOCKET', option: 'SO_LINGER', value: { onoff: true, linger: 0 } }, 10, 11, 0);
    const close = call(21, 4, 'close', {}, 20, 22, 0);
    const { byNo, ties } = runTimeline([
      ...established(),
      ...callEvents(linger),
      ...callEvents(close),
      { at: 22.5, sockets: [listener, accepted] },
      { at: 23, packet: tcp(4, 23, C, S, c + 1, s + 1, RST | ACK) },
    ]);
    expect(byNo.get(4)).toMatchObject({ fds: [4, 5], callId: 21, cause: 'call' });
    expect(byNo.get(4)?.tcp?.marks).toContain('rst');
    expect(ties.tcpState(5)).toBe('CLOSED');
  });

  it('calls an RST without an abortive close the kernel’s, and a refused SYN’s answer too', () => {
    const lone = sock(4, {});
    const connect = call(30, 4, 'connect', { address: inet({ addr: '127.0.0.1', port: 9 }) }, 10, 12, -1, 'ECONNREFUSED');
    const { byNo } = runTimeline([
      { at: 0, sockets: [lone] },
      ...callEvents(connect),
      { at: 11, packet: tcp(1, 11, C, { addr: '127.0.0.1', port: 9 }, c, 0, SYN) },
      { at: 11.5, packet: tcp(2, 11.5, { addr: '127.0.0.1', port: 9 }, C, 0, c + 1, RST | ACK) },
    ]);
    expect(byNo.get(1)).toMatchObject({ fds: [4], callId: 30, cause: 'call' });
    expect(byNo.get(2)).toMatchObject({ fds: [4], callId: null, cause: 'kernel' });
  });

  it('does not tie a packet stamped before the call started', () => {
    const lone = sock(4, {});
    const connect = call(31, 4, 'connect', { address: inet(S) }, 100, 150, 0);
    const { byNo } = runTimeline([{ at: 0, sockets: [lone] }, ...callEvents(connect), { at: 99, packet: tcp(1, 99, C, S, c, 0, SYN) }]);
    expect(byNo.get(1)).toMatchObject({ callId: null, cause: null });
  });

  it('ties data by the bytes each send wrote: partial writes, two sends in one segment, retransmission', () => {
    const first = call(40, 4, 'send', { data: data(10), flags: [] }, 10, 12, 6); // partial write: 6 of 10
    const second = call(41, 4, 'send', { data: data(4), flags: [] }, 20, 21, 4);
    const third = call(42, 4, 'send', { data: data(3), flags: [] }, 30, 31, 3);
    const fourth = call(43, 4, 'send', { data: data(2), flags: [] }, 40, 41, 2);
    const { byNo } = runTimeline([
      ...established(),
      ...[first, second, third, fourth].flatMap(callEvents),
      { at: 11, packet: tcp(4, 11, C, S, c + 1, s + 1, PSH | ACK, 6) }, // bytes 0-5: send 40
      { at: 20.5, packet: tcp(5, 20.5, C, S, c + 7, s + 1, PSH | ACK, 4) }, // bytes 6-9: send 41
      { at: 25, packet: tcp(6, 25, C, S, c + 7, s + 1, PSH | ACK, 4) }, // same bytes again
      { at: 40.5, packet: tcp(7, 40.5, C, S, c + 11, s + 1, PSH | ACK, 5) }, // bytes of sends 42 and 43
    ]);
    expect(byNo.get(4)).toMatchObject({ callId: 40, cause: 'call' });
    expect(byNo.get(5)).toMatchObject({ callId: 41, cause: 'call' });
    expect(byNo.get(6)).toMatchObject({ callId: null, cause: 'kernel' });
    expect(byNo.get(6)?.tcp?.marks).toContain('retransmission');
    expect(byNo.get(7)).toMatchObject({ callId: null, cause: null });
  });

  it('ties data sent while send() is still blocked, by the length it asked for', () => {
    const blocked = call(44, 4, 'send', { data: data(100), flags: [] }, 10, 500, 100);
    const { byNo } = runTimeline([
      ...established(),
      callEvents(blocked)[0], // still running: only its start was logged
      { at: 12, packet: tcp(4, 12, C, S, c + 1, s + 1, ACK, 60) },
      { at: 13, packet: tcp(5, 13, C, S, c + 61, s + 1, PSH | ACK, 40) },
    ]);
    expect(byNo.get(4)).toMatchObject({ callId: 44, cause: 'call' });
    expect(byNo.get(5)).toMatchObject({ callId: 44, cause: 'call' });
  });

  it('ties a FIN to close() when no shutdown came first, and not when it came too late', () => {
    const close = call(50, 4, 'close', {}, 10, 11, 0);
    const late = runTimeline([
      ...established(),
      ...callEvents(close),
      { at: 10 + 300_000, packet: tcp(4, 10 + 300_000, C, S, c + 1, s + 1, FIN | ACK) },
    ]);
    expect(late.byNo.get(4)).toMatchObject({ callId: null, cause: null });
    const soon = runTimeline([...established(), ...callEvents(close), { at: 12, packet: tcp(4, 12, C, S, c + 1, s + 1, FIN | ACK) }]);
    expect(soon.byNo.get(4)).toMatchObject({ callId: 50, cause: 'call' });
  });

  it('ties IPv6 and IPv4-mapped endpoints of a dual-stack listener', () => {
    const v6listener = sock(3, { domain: 'AF_INET6', state: 'listening', local: { family: 'AF_INET6', address: '::', port: 8080 } });
    const v6client = sock(4, {
      domain: 'AF_INET6',
      state: 'connected',
      local: inet({ addr: '::1', port: 40000 }),
      peer: inet({ addr: '0:0:0:0:0:0:0:1', port: 8080 }),
    });
    const mapped = sock(5, {
      domain: 'AF_INET6',
      state: 'connected',
      local: { family: 'AF_INET6', address: '::ffff:127.0.0.1', port: 8080 },
      peer: { family: 'AF_INET6', address: '::ffff:127.0.0.1', port: 40001 },
    });
    const result = tiePackets(
      [
        tcp(1, 1, { addr: '::1', port: 40000 }, { addr: '::1', port: 8080 }, c, 0, SYN),
        tcp(2, 2, { addr: '127.0.0.1', port: 40001 }, { addr: '127.0.0.1', port: 8080 }, c, 0, SYN),
        tcp(3, 3, { addr: '127.0.0.1', port: 8080 }, { addr: '127.0.0.1', port: 40001 }, s, c + 1, ACK, 3),
      ],
      [v6listener, v6client, mapped],
      [],
    );
    expect(result.map((t) => t.fds)).toEqual([[4, 3], [5], [5]]);
  });
});

describe('datagrams and ICMP', () => {
  const sender = sock(6, { type: 'SOCK_DGRAM' });
  const receiver = sock(7, { type: 'SOCK_DGRAM', state: 'bound', local: { family: 'AF_INET', address: '0.0.0.0', port: 9999 } });
  const from = { addr: '127.0.0.1', port: 51000 };
  const to = { addr: '127.0.0.1', port: 9999 };
  const closed = { addr: '127.0.0.1', port: 9998 };

  it('ties a datagram to its sendto on an unbound socket and to the bound receiver', () => {
    const sendto = call(60, 6, 'sendto', { data: data(4), address: inet(to), flags: [] }, 100, 102, 4);
    const { byNo, ties } = runTimeline([
      { at: 0, sockets: [sender, receiver] },
      ...callEvents(sendto),
      { at: 101, packet: udp(1, 101, from, to, 4) },
      { at: 103, packet: udp(2, 103, from, to, 4) },
    ]);
    expect(byNo.get(1)).toMatchObject({ fds: [6, 7], callId: 60, cause: 'call' });
    // The same sendto is not tied twice; the socket's port was learned from the first datagram.
    expect(byNo.get(2)).toMatchObject({ fds: [6, 7], callId: null, cause: null });
    expect(ties.knownSockets().find((k) => k.fd === 6)?.local).toEqual(from);
  });

  it('does not tie a datagram of another length or to another destination', () => {
    const sendto = call(61, 6, 'sendto', { data: data(4), address: inet(to), flags: [] }, 100, 102, 4);
    const { byNo } = runTimeline([
      { at: 0, sockets: [sender] },
      ...callEvents(sendto),
      { at: 101, packet: udp(1, 101, from, to, 5) },
      { at: 101.5, packet: udp(2, 101.5, from, closed, 4) },
    ]);
    expect(byNo.get(1)?.callId).toBeNull();
    expect(byNo.get(2)?.callId).toBeNull();
  });

  it('ties an ICMP port unreachable to the UDP socket whose datagram it quotes', () => {
    const sendto = call(62, 6, 'sendto', { data: data(4), address: inet(closed), flags: [] }, 100, 102, 4);
    const unreachable: IcmpFacts = {
      type: 3,
      code: 3,
      isError: true,
      echo: null,
      quoted: { proto: 'udp', family: 4, src: '127.0.0.1', dst: '127.0.0.1', srcPort: from.port, dstPort: closed.port },
    };
    const { byNo } = runTimeline([
      { at: 0, sockets: [sender, receiver] },
      ...callEvents(sendto),
      { at: 101, packet: udp(1, 101, from, closed, 4) },
      { at: 101.2, packet: icmp(2, 101.2, '127.0.0.1', '127.0.0.1', unreachable, 32) },
    ]);
    expect(byNo.get(1)).toMatchObject({ fds: [6], callId: 62, cause: 'call' });
    expect(byNo.get(2)).toMatchObject({ fds: [6], callId: null, cause: 'kernel' });
  });

  it('ties an echo request to the raw socket’s sendto and the reply to the same socket', () => {
    const raw = sock(8, { type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' });
    const sendto = call(
      70,
      8,
      'sendto',
      { data: data(64), address: { family: 'AF_INET', address: '127.0.0.1', port: 0 }, flags: [] },
      100,
      101,
      64,
    );
    const request: IcmpFacts = { type: 8, code: 0, isError: false, echo: { id: 77, seq: 1, request: true }, quoted: null };
    const reply: IcmpFacts = { type: 0, code: 0, isError: false, echo: { id: 77, seq: 1, request: false }, quoted: null };
    const { byNo } = runTimeline([
      { at: 0, sockets: [raw] },
      ...callEvents(sendto),
      { at: 100.5, packet: icmp(1, 100.5, '127.0.0.1', '127.0.0.1', request, 56) },
      { at: 100.6, packet: icmp(2, 100.6, '127.0.0.1', '127.0.0.1', reply, 56) },
    ]);
    expect(byNo.get(1)).toMatchObject({ fds: [8], callId: 70, cause: 'call' });
    expect(byNo.get(2)).toMatchObject({ fds: [8], callId: null, cause: 'kernel' });
  });

  it('returns an empty tie for a packet without a flow', () => {
    expect(createPacketTies().tie({ monoUs: 1, flow: null })).toEqual({ socketIds: [], fds: [], callId: null, cause: null, tcp: null });
  });

  it('ties a truncated TCP header (no flags) to its sockets without a cause', () => {
    const ties = createPacketTies();
    ties.updateSockets([sock(4, { state: 'connected', local: inet(C), peer: inet(S) })]);
    const truncated = { ...tcp(1, 1, C, S, c, 0, SYN).flow!, tcp: undefined };
    expect(ties.tie({ monoUs: 1, flow: truncated })).toEqual({ socketIds: [4], fds: [4], callId: null, cause: null, tcp: null });
  });
});

describe('descriptor reuse', () => {
  it('starts a new socket on a reused descriptor without the old one’s calls', () => {
    const oldConnect = call(1, 4, 'connect', { address: inet(S) }, 10, 11, 0, null, { socketId: 1 });
    const oldClose = call(2, 4, 'close', {}, 12, 13, 0, null, { socketId: 1 });
    const reborn = call(3, null, 'socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }, 20, 21, 4, null, { newSocketId: 2 });
    const { byNo } = runTimeline([
      { at: 0, sockets: [sock(4, { socketId: 1 })] },
      ...callEvents(oldConnect),
      ...callEvents(oldClose),
      ...callEvents(reborn),
      { at: 22, sockets: [sock(4, { socketId: 2 })] },
      { at: 23, packet: tcp(1, 23, C, S, c, 0, SYN) },
    ]);
    expect(byNo.get(1)).toMatchObject({ callId: null });
  });

  it('keeps a closed socket’s late packets on it, not on the new socket that got its number', () => {
    // fd 4 was a TCP client (socket 1); after close() fd 4 is a UDP socket (socket 2).
    const connect = call(1, 4, 'connect', { address: inet(S) }, 10, 11, 0, null, { socketId: 1 });
    const close = call(2, 4, 'close', {}, 30, 31, 0, null, { socketId: 1 });
    const udpSocket = call(3, null, 'socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' }, 40, 41, 4, null, { newSocketId: 2 });
    const client = sock(4, { socketId: 1, state: 'connected', local: inet(C), peer: inet(S) });
    const { byNo } = runTimeline([
      { at: 0, sockets: [client, sock(3, { socketId: 3, state: 'listening', local: inet(S) })] },
      ...callEvents(connect),
      { at: 12, packet: tcp(1, 12, C, S, c, 0, SYN) },
      ...callEvents(close),
      { at: 32, sockets: [sock(3, { socketId: 3, state: 'listening', local: inet(S) })] },
      { at: 33, packet: tcp(2, 33, C, S, c + 1, 0, FIN | ACK) },
      ...callEvents(udpSocket),
      { at: 42, sockets: [sock(3, { socketId: 3, state: 'listening', local: inet(S) }), sock(4, { socketId: 2, type: 'SOCK_DGRAM' })] },
      { at: 43, packet: tcp(3, 43, S, C, s + 1, c + 2, ACK) },
    ]);
    expect(byNo.get(1)).toMatchObject({ socketIds: [1, 3], fds: [4, 3], callId: 1, cause: 'call' });
    expect(byNo.get(2)).toMatchObject({ socketIds: [1, 3], fds: [4, 3], callId: 2 });
    // After fd 4 went to the UDP socket, the old connection's ACK is still socket 1's.
    expect(byNo.get(3)?.socketIds).toEqual([3, 1]);
    expect(byNo.get(3)?.fds).toEqual([3, 4]);
  });
});

describe('tie windows for kernel-stamped captures', () => {
  const sender = sock(6, { type: 'SOCK_DGRAM' });
  const from = { addr: '127.0.0.1', port: 51000 };
  const to = { addr: '127.0.0.1', port: 9999 };

  it('ties a datagram stamped just after its sendto returned, not one 100 ms later', async () => {
    const { CAPTURE_SLACK_US } = await import('../../src/main/lab/capture/ties');
    const capture = () => createPacketTies({ slackUs: CAPTURE_SLACK_US });
    const sendto = call(70, 6, 'sendto', { data: data(4), address: inet(to), flags: [] }, 100, 102, 4);
    // Measured on lo: a datagram's kernel stamp is at most ~55 µs after the logged end.
    const soon = runTimeline(
      [{ at: 0, sockets: [sender] }, ...callEvents(sendto), { at: 157, packet: udp(1, 157, from, to, 4) }],
      capture(),
    );
    expect(soon.byNo.get(1)).toMatchObject({ callId: 70, cause: 'call' });
    // 100 ms later the same bytes are not that call's (with stamps taken in the capture process
    // the window was 2 s and tied it).
    const late = runTimeline(
      [{ at: 0, sockets: [sender] }, ...callEvents(sendto), { at: 100_102, packet: udp(1, 100_102, from, to, 4) }],
      capture(),
    );
    expect(late.byNo.get(1)?.callId).toBeNull();
  });
});
