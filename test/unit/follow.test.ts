import { describe, expect, it } from 'vitest';
import { followStream, followStreamBytes, payloadOf, streamFilter, type StreamPacket } from '../../src/main/lab/flows/follow';
import type { FieldLookup, FlowInfo } from '../../src/main/lab/dissect/types';
import { compileFilter } from '../../src/main/lab/filter';
import { FollowedStream } from '@shared/capture';

const FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10;
const CLIENT = { addr: '127.0.0.1', port: 40000 };
const SERVER = { addr: '127.0.0.2', port: 8080 };
const text = new TextEncoder();

/** A TCP packet; `toServer` picks the direction. */
function tcp(no: number, toServer: boolean, seq: number, ack: number, flags: number, data = ''): StreamPacket {
  const [src, dst] = toServer ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const payload = text.encode(data);
  const flow: FlowInfo = {
    proto: 'tcp',
    family: 4,
    src: src.addr,
    dst: dst.addr,
    srcPort: src.port,
    dstPort: dst.port,
    tcp: { seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535 },
    payloadOffset: 54,
    payloadLength: payload.length,
  };
  return { no, flow, payload };
}

function udp(no: number, toServer: boolean, data: string, family: 4 | 6 = 4): StreamPacket {
  const [src, dst] =
    family === 6 ? (toServer ? ['::1', 'fe80::1'] : ['fe80::1', '::1']) : toServer ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2', '10.0.0.1'];
  const [sport, dport] = toServer ? [5353, 53] : [53, 5353];
  const payload = text.encode(data);
  return {
    no,
    payload,
    flow: { proto: 'udp', family, src, dst, srcPort: sport, dstPort: dport, payloadOffset: 42, payloadLength: payload.length },
  };
}

/** The stream as [direction, frame, text, missing] rows, for readable expectations. */
function follow(packets: StreamPacket[], selected: number): [string, number, string, number][] {
  const result = followStreamBytes(packets, selected);
  if (!result.ok) throw new Error(result.message);
  return result.value.segments.map((s) => [s.direction, s.no, new TextDecoder().decode(s.data), s.missingBefore]);
}

/** A handshake, from the client's ISN 1000 and the server's ISN 5000. */
const handshake = (): StreamPacket[] => [tcp(1, true, 1000, 0, SYN), tcp(2, false, 5000, 1001, SYN | ACK), tcp(3, true, 1001, 5001, ACK)];

describe('followStreamBytes: TCP', () => {
  it('follows both directions in order, SYN and FIN each taking one sequence number', () => {
    const packets = [
      ...handshake(),
      tcp(4, true, 1001, 5001, PSH | ACK, 'hello'),
      tcp(5, false, 5001, 1006, PSH | ACK, 'HELLO'),
      tcp(6, true, 1006, 5006, FIN | ACK),
      tcp(7, false, 5006, 1007, FIN | ACK, 'bye'),
      tcp(8, true, 1007, 5010, ACK),
    ];
    expect(follow(packets, 1)).toEqual([
      ['a-to-b', 4, 'hello', 0],
      ['b-to-a', 5, 'HELLO', 0],
      ['b-to-a', 7, 'bye', 0],
    ]);
    const result = followStreamBytes(packets, 5);
    expect(result.ok && [result.value.protocol, result.value.a, result.value.b]).toEqual(['tcp', '127.0.0.1:40000', '127.0.0.2:8080']);
  });

  it('drops retransmitted and duplicate bytes, keeping the first copy', () => {
    const packets = [
      ...handshake(),
      tcp(4, true, 1001, 5001, ACK, 'abc'),
      tcp(5, true, 1001, 5001, ACK, 'abc'), // full retransmission
      tcp(6, true, 1004, 5001, ACK, 'def'),
      tcp(7, true, 1003, 5001, ACK, 'XXXXgh'), // overlaps c..f, brings gh
      tcp(8, true, 1009, 5001, FIN | ACK),
      tcp(9, true, 1009, 5001, FIN | ACK), // retransmitted FIN
      tcp(10, true, 1000, 0, SYN), // retransmitted SYN
    ];
    expect(follow(packets, 4)).toEqual([
      ['a-to-b', 4, 'abc', 0],
      ['a-to-b', 6, 'def', 0],
      ['a-to-b', 7, 'gh', 0],
    ]);
  });

  it('orders out-of-order segments once the bytes before them arrive', () => {
    const packets = [
      ...handshake(),
      tcp(4, true, 1007, 5001, ACK, 'ghi'),
      tcp(5, true, 1004, 5001, ACK, 'def'),
      tcp(6, false, 5001, 1001, ACK, 'srv'),
      tcp(7, true, 1001, 5004, ACK, 'abc'),
      tcp(8, true, 1005, 5004, ACK, 'ef'), // overlaps what already waits
    ];
    expect(follow(packets, 6)).toEqual([
      ['b-to-a', 6, 'srv', 0],
      ['a-to-b', 7, 'abc', 0],
      ['a-to-b', 5, 'def', 0],
      ['a-to-b', 4, 'ghi', 0],
    ]);
  });

  it('marks bytes the capture lost, when the peer acknowledges past them or at the end', () => {
    const acked = [
      ...handshake(),
      tcp(4, true, 1001, 5001, ACK, 'abc'),
      tcp(5, true, 1007, 5001, ACK, 'ghi'),
      tcp(6, false, 5001, 1010, ACK),
      tcp(7, false, 5001, 1010, ACK, 'ok'),
    ];
    expect(follow(acked, 4)).toEqual([
      ['a-to-b', 4, 'abc', 0],
      ['a-to-b', 5, 'ghi', 3],
      ['b-to-a', 7, 'ok', 0],
    ]);
    const unacked = [
      ...handshake(),
      tcp(4, true, 1001, 5001, ACK, 'abc'),
      tcp(5, true, 1010, 5001, ACK, 'jkl'),
      tcp(6, false, 5001, 1004, ACK, 'ok'),
    ];
    expect(follow(unacked, 4)).toEqual([
      ['a-to-b', 4, 'abc', 0],
      ['b-to-a', 6, 'ok', 0],
      ['a-to-b', 5, 'jkl', 6],
    ]);
  });

  it('starts from the lowest sequence number when the capture missed the handshake', () => {
    const packets = [tcp(10, true, 2004, 7000, ACK, 'def'), tcp(11, true, 2001, 7000, ACK, 'abc'), tcp(12, false, 7000, 2007, ACK, 'ok')];
    expect(follow(packets, 12)).toEqual([
      ['a-to-b', 11, 'abc', 0],
      ['a-to-b', 10, 'def', 0],
      ['b-to-a', 12, 'ok', 0],
    ]);
  });

  it('reassembles across sequence number wrap-around', () => {
    const isn = 0xfffffffd;
    const packets = [
      tcp(1, true, isn, 0, SYN),
      tcp(2, false, 9, isn + 1, SYN | ACK),
      tcp(3, true, isn + 1, 10, ACK, 'ab'),
      tcp(4, true, 0, 10, ACK, 'cd'),
      tcp(5, true, (isn + 1) >>> 0, 10, ACK, 'ab'),
    ];
    expect(follow(packets, 3)).toEqual([
      ['a-to-b', 3, 'ab', 0],
      ['a-to-b', 4, 'cd', 0],
    ]);
  });

  it('keeps only the connection of the selected frame when a port is reused', () => {
    const first = [...handshake(), tcp(4, true, 1001, 5001, ACK, 'one'), tcp(5, true, 1004, 5001, RST)];
    const second = [tcp(6, true, 9000, 0, SYN), tcp(7, false, 3000, 9001, SYN | ACK), tcp(8, true, 9001, 3001, ACK, 'two')];
    expect(follow([...first, ...second], 2)).toEqual([['a-to-b', 4, 'one', 0]]);
    expect(follow([...first, ...second], 8)).toEqual([['a-to-b', 8, 'two', 0]]);
    // The capture joined the first connection midway: its tail stays apart from the next one.
    const tail = [tcp(1, true, 1001, 5001, ACK, 'end'), tcp(2, true, 1004, 5001, FIN | ACK)];
    expect(follow([...tail, ...second.map((p) => ({ ...p, no: p.no - 3 }))], 1)).toEqual([['a-to-b', 1, 'end', 0]]);
    expect(follow([...tail, ...second.map((p) => ({ ...p, no: p.no - 3 }))], 5)).toEqual([['a-to-b', 5, 'two', 0]]);
    // A retransmitted SYN does not start a new connection.
    expect(
      follow([tcp(1, true, 1000, 0, SYN), ...handshake().map((p) => ({ ...p, no: p.no + 1 })), tcp(5, true, 1001, 5001, ACK, 'x')], 5),
    ).toEqual([['a-to-b', 5, 'x', 0]]);
  });

  it('ignores other conversations and names the endpoint that spoke first a', () => {
    const other = { ...tcp(5, true, 1001, 5001, ACK, 'other') };
    other.flow = { ...(other.flow as FlowInfo), srcPort: 40001 };
    const packets = [tcp(4, false, 5001, 1001, ACK, 'srv'), other, tcp(6, true, 1001, 5004, ACK, 'cli')];
    const result = followStreamBytes(packets, 6);
    expect(result.ok && [result.value.a, result.value.b]).toEqual(['127.0.0.2:8080', '127.0.0.1:40000']);
    expect(follow(packets, 6)).toEqual([
      ['a-to-b', 4, 'srv', 0],
      ['b-to-a', 6, 'cli', 0],
    ]);
  });
});

describe('followStreamBytes: UDP and errors', () => {
  it('lists datagrams in capture order, duplicates included, over IPv6 too', () => {
    const packets = [udp(1, true, 'q1', 6), udp(2, false, 'a1', 6), udp(3, true, 'q1', 6), udp(4, true, 'x'), udp(5, true, '', 6)];
    expect(follow(packets, 2)).toEqual([
      ['a-to-b', 1, 'q1', 0],
      ['b-to-a', 2, 'a1', 0],
      ['a-to-b', 3, 'q1', 0],
      ['a-to-b', 5, '', 0],
    ]);
    const result = followStreamBytes(packets, 1);
    expect(result.ok && [result.value.protocol, result.value.a, result.value.b]).toEqual(['udp', '[::1]:5353', '[fe80::1]:53']);
  });

  it('refuses frames that are missing or not TCP/UDP, with an errno', () => {
    const icmp: StreamPacket = {
      no: 1,
      payload: new Uint8Array(),
      flow: { proto: 'icmp', family: 4, src: '1.1.1.1', dst: '2.2.2.2', srcPort: 0, dstPort: 0, payloadOffset: 0, payloadLength: 0 },
    };
    const arp: StreamPacket = { no: 2, payload: new Uint8Array(), flow: null };
    const missing = followStreamBytes([icmp], 9);
    expect(missing.ok ? null : [missing.errno, missing.code, missing.message]).toEqual([
      'EINVAL',
      22,
      expect.stringContaining('Frame 9 is not in the capture'),
    ]);
    const notTcp = followStreamBytes([icmp], 1);
    expect(notTcp.ok ? null : notTcp.message).toBe('Frame 1 is ICMP: only TCP and UDP streams can be followed.');
    const noFlow = followStreamBytes([arp], 2);
    expect(noFlow.ok ? null : noFlow.message).toContain('has no TCP or UDP header');
  });

  it('gives the contract form with raw bytes, and the payload of a frame by its offsets', () => {
    const result = followStream([...handshake(), tcp(4, true, 1001, 5001, ACK, 'hi'), tcp(5, true, 1005, 5001, ACK, 'there')], 1);
    expect(result.ok && result.value.segments).toEqual([
      { direction: 'a-to-b', no: 4, data: new TextEncoder().encode('hi') },
      { direction: 'a-to-b', no: 5, data: new TextEncoder().encode('there'), missingBefore: 2 },
    ]);
    expect(result.ok && FollowedStream.safeParse(result.value).success).toBe(true);
    const frame = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    const flow = { ...(tcp(1, true, 0, 0, 0).flow as FlowInfo), payloadOffset: 2, payloadLength: 3 };
    expect([...payloadOf(frame, flow)]).toEqual([2, 3, 4]);
  });
});

describe('streamFilter', () => {
  /** The fields a filter sees for a packet, built from its flow. */
  function lookupOf(flow: FlowInfo): FieldLookup {
    const ip = flow.family === 6 ? 'ipv6' : 'ip';
    const fields: Record<string, string[]> = {
      [`${ip}.src`]: [flow.src],
      [`${ip}.dst`]: [flow.dst],
      [`${flow.proto}.srcport`]: [String(flow.srcPort)],
      [`${flow.proto}.dstport`]: [String(flow.dstPort)],
    };
    return (name) => fields[name];
  }

  it('selects both directions of the stream and nothing else', () => {
    for (const packet of [tcp(1, true, 0, 0, SYN), udp(1, true, 'x', 6)]) {
      const flow = packet.flow as FlowInfo;
      const compiled = compileFilter(streamFilter(flow));
      if (!compiled.ok) throw new Error(compiled.error);
      const reverse: FlowInfo = { ...flow, src: flow.dst, dst: flow.src, srcPort: flow.dstPort, dstPort: flow.srcPort };
      const crossed: FlowInfo = { ...flow, srcPort: flow.dstPort, dstPort: flow.srcPort };
      expect([compiled.test(lookupOf(flow)), compiled.test(lookupOf(reverse)), compiled.test(lookupOf(crossed))]).toEqual([
        true,
        true,
        false,
      ]);
    }
    expect(streamFilter(tcp(1, true, 0, 0, SYN).flow as FlowInfo)).toBe(
      '(ip.src == 127.0.0.1 && tcp.srcport == 40000 && ip.dst == 127.0.0.2 && tcp.dstport == 8080) || (ip.src == 127.0.0.2 && tcp.srcport == 8080 && ip.dst == 127.0.0.1 && tcp.dstport == 40000)',
    );
  });
});
