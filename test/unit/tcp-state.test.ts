import { describe, expect, it } from 'vitest';
import { inferTcpStates, TcpStateTracker, type TcpObservation, type TcpState } from '../../src/main/lab/flows/tcp-state';
import {
  ACK,
  CLIENT,
  CLIENT_ISN,
  classicConversation,
  FIN,
  PSH,
  RST,
  SERVER,
  SERVER_ISN,
  SYN,
  tcp,
  type TestPacket,
} from './ties.fixtures';

const C = CLIENT,
  S = SERVER,
  c = CLIENT_ISN,
  s = SERVER_ISN;

function observeAll(packets: TestPacket[]): { tracker: TcpStateTracker; obs: TcpObservation[] } {
  const tracker = new TcpStateTracker();
  return { tracker, obs: packets.map((p) => tracker.observe(p.flow) as TcpObservation) };
}

/** The states one side went through, starting with its state before the first segment. */
function path(obs: TcpObservation[], side: 'a' | 'b'): TcpState[] {
  const states: TcpState[] = [obs[0].before[side]];
  for (const o of obs) if (o.after[side] !== states[states.length - 1]) states.push(o.after[side]);
  return states;
}

const handshake = (): TestPacket[] => [
  tcp(1, 1, C, S, c, 0, SYN),
  tcp(2, 2, S, C, s, c + 1, SYN | ACK),
  tcp(3, 3, C, S, c + 1, s + 1, ACK),
];

describe('TcpStateTracker: the classic conversation', () => {
  const packets = classicConversation().events.flatMap((e) => ('packet' in e ? [e.packet] : []));
  const { obs, tracker } = observeAll(packets);

  it('walks the client and the server through RFC 793 in order', () => {
    expect(path(obs, 'a')).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(path(obs, 'b')).toEqual(['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('reports the transitions each segment caused', () => {
    expect(obs.map((o) => o.transitions.map((t) => `${t.side}:${t.to}`).join(' '))).toEqual([
      'a:SYN_SENT',
      'a:ESTABLISHED b:SYN_RECEIVED',
      'b:ESTABLISHED',
      '',
      '',
      'a:FIN_WAIT_1 b:CLOSE_WAIT',
      'a:FIN_WAIT_2',
      'a:TIME_WAIT b:LAST_ACK',
      'b:CLOSED',
    ]);
  });

  it('gives relative sequence and acknowledgment numbers and stream offsets', () => {
    expect(obs.map((o) => [o.relSeq, o.relAck, o.payloadLength])).toEqual([
      [0, null, 0],
      [0, 1, 0],
      [1, 1, 0],
      [1, 1, 5],
      [1, 6, 0],
      [6, 1, 0],
      [1, 7, 0],
      [1, 7, 0],
      [7, 2, 0],
    ]);
    expect(obs[3].streamOffset).toBe(0);
    expect(obs[5].streamOffset).toBe(5);
    expect(obs.every((o) => o.connection === 1)).toBe(true);
    expect(obs.flatMap((o) => o.marks)).toEqual([]);
  });

  it('answers each end’s current state', () => {
    expect(tracker.stateOf(C, S)).toBe('TIME_WAIT');
    expect(tracker.stateOf(S, C)).toBe('CLOSED');
    expect(tracker.stateOf(C, { addr: '127.0.0.1', port: 1 })).toBeNull();
  });
});

describe('TcpStateTracker: other endings and what stands out', () => {
  it('follows a simultaneous close to TIME_WAIT on both ends', () => {
    const { obs } = observeAll([
      ...handshake(),
      tcp(4, 4, C, S, c + 1, s + 1, FIN | ACK),
      tcp(5, 5, S, C, s + 1, c + 1, FIN | ACK), // crossed: does not acknowledge the client's FIN
      tcp(6, 6, C, S, c + 2, s + 2, ACK),
      tcp(7, 7, S, C, s + 2, c + 2, ACK),
    ]);
    expect(path(obs, 'a')).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    expect(path(obs, 'b').slice(-2)).toEqual(['CLOSING', 'TIME_WAIT']);
  });

  it('closes both ends on RST', () => {
    const { obs } = observeAll([...handshake(), tcp(4, 4, C, S, c + 1, s + 1, RST | ACK)]);
    expect(obs[3].after).toEqual({ a: 'CLOSED', b: 'CLOSED' });
    expect(obs[3].marks).toEqual(['rst']);
  });

  it('shows a refused SYN: the far end was CLOSED, not LISTEN', () => {
    const far = { addr: '127.0.0.1', port: 9 };
    const { obs, tracker } = observeAll([tcp(1, 1, C, far, c, 0, SYN), tcp(2, 2, far, C, 0, c + 1, RST | ACK)]);
    expect(obs[1].before.b).toBe('CLOSED');
    expect(obs[1].after).toEqual({ a: 'CLOSED', b: 'CLOSED' });
    expect(tracker.connection(1)?.initial).toEqual({ a: 'CLOSED', b: 'CLOSED' });
  });

  it('flags zero window, window update, retransmission, duplicate ACK and keep-alive', () => {
    const { obs } = observeAll([
      ...handshake(),
      tcp(4, 4, C, S, c + 1, s + 1, PSH | ACK, 100),
      tcp(5, 5, S, C, s + 1, c + 101, ACK, 0, 0), // receiver full: window 0
      tcp(6, 6, S, C, s + 1, c + 101, ACK, 0, 4096), // reader drained: window update
      tcp(7, 7, C, S, c + 1, s + 1, PSH | ACK, 100), // the same bytes again
      tcp(8, 8, C, S, c + 201, s + 1, PSH | ACK, 100), // bytes 200-299 (100-199 not seen)
      tcp(9, 9, S, C, s + 1, c + 101, ACK, 0, 4096), // still asking for 100
      tcp(10, 10, S, C, s + 1, c + 101, ACK, 0, 4096), // and again
      tcp(11, 11, C, S, c + 300, s + 1, ACK, 0), // one below what was sent: keep-alive
    ]);
    expect(obs.slice(3).map((o) => o.marks)).toEqual([
      [],
      ['zero-window'],
      ['window-update'],
      ['retransmission'],
      [],
      ['dup-ack'],
      ['dup-ack'],
      ['keep-alive'],
    ]);
  });

  it('scales the window once both SYNs offered a shift, never the SYNs’ own', () => {
    const both = new TcpStateTracker();
    const seen = [
      both.observe(tcp(1, 1, C, S, c, 0, SYN, 0, 65495).flow, 7),
      both.observe(tcp(2, 2, S, C, s, c + 1, SYN | ACK, 0, 65483).flow, 10),
      both.observe(tcp(3, 3, C, S, c + 1, s + 1, ACK, 0, 512).flow),
      both.observe(tcp(4, 4, S, C, s + 1, c + 1, ACK, 0, 64).flow),
    ];
    expect(seen.map((o) => o?.calcWindow)).toEqual([65495, 65483, 65536, 65536]);
    const one = new TcpStateTracker();
    one.observe(tcp(1, 1, C, S, c, 0, SYN).flow, 7);
    one.observe(tcp(2, 2, S, C, s, c + 1, SYN | ACK).flow); // the server did not offer it
    expect(one.observe(tcp(3, 3, C, S, c + 1, s + 1, ACK, 0, 512).flow)?.calcWindow).toBe(512);
  });

  it('marks a retransmitted SYN without moving any state', () => {
    const { obs } = observeAll([tcp(1, 1, C, S, c, 0, SYN), tcp(2, 1_000_000, C, S, c, 0, SYN)]);
    expect(obs[1].marks).toEqual(['retransmission']);
    expect(obs[1].transitions).toEqual([]);
    expect(obs[1].connection).toBe(1);
  });

  it('starts a new connection when a 4-tuple is reused after TIME_WAIT', () => {
    const packets = classicConversation().events.flatMap((e) => ('packet' in e ? [e.packet] : []));
    const { obs } = observeAll([...packets, tcp(10, 10_000, C, S, 77_000, 0, SYN)]);
    expect(obs[9].connection).toBe(2);
    expect(obs[9].after).toEqual({ a: 'SYN_SENT', b: 'LISTEN' });
  });

  it('joins a connection already established when the capture missed the handshake', () => {
    const { obs } = observeAll([tcp(1, 1, C, S, 123_456, 9_999, PSH | ACK, 10), tcp(2, 2, S, C, 9_999, 123_466, ACK)]);
    expect(obs[0].before).toEqual({ a: 'ESTABLISHED', b: 'ESTABLISHED' });
    expect(obs[0].streamOffset).toBeNull();
    expect([obs[0].relSeq, obs[1].relAck]).toEqual([1, 11]);
  });

  it('handles sequence numbers that wrap past 2^32', () => {
    const isn = 0xffff_fff0;
    const { obs } = observeAll([
      tcp(1, 1, C, S, isn, 0, SYN),
      tcp(2, 2, S, C, s, isn + 1, SYN | ACK),
      tcp(3, 3, C, S, isn + 1, s + 1, PSH | ACK, 40), // crosses 2^32
      tcp(4, 4, S, C, s + 1, isn + 41, ACK),
      tcp(5, 5, C, S, isn + 41, s + 1, PSH | ACK, 10),
    ]);
    expect(obs.map((o) => o.marks.length)).toEqual([0, 0, 0, 0, 0]);
    expect([obs[3].relAck, obs[4].relSeq, obs[4].streamOffset]).toEqual([41, 41, 40]);
  });

  it('forgets the least recently active connections past its bound', () => {
    const tracker = new TcpStateTracker({ maxConnections: 2 });
    for (let port = 1; port <= 3; port++) tracker.observe(tcp(port, port, { addr: '10.0.0.1', port }, S, c, 0, SYN).flow);
    expect(tracker.connectionsView().map((v) => v.a.port)).toEqual([2, 3]);
    expect(tracker.observe(null)).toBeNull();
  });

  it('runs over a whole capture in one call, skipping what is not TCP', () => {
    const udpFlow = {
      proto: 'udp' as const,
      family: 4 as const,
      src: '127.0.0.1',
      dst: '127.0.0.1',
      srcPort: 1,
      dstPort: 2,
      payloadOffset: 42,
      payloadLength: 0,
    };
    const result = inferTcpStates([handshake()[0].flow, udpFlow, null, handshake()[1].flow]);
    expect(result.map((o) => o?.after.a ?? null)).toEqual(['SYN_SENT', null, null, 'ESTABLISHED']);
  });
});
