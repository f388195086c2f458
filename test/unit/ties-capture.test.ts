/**
 * The flows layer over a REAL capture: a conversation made with real sockets on loopback
 * (Python, timing each call on the wall clock) and captured with tcpdump, embedded below.
 * Decoded with SockLab's own pcap reader and dissector, then tied, tracked and drawn.
 * Regenerate: run tcpdump -i lo -w conv.pcap 'tcp port 18089 or udp port 18099 or icmp' and the
 * socket script described in docs/ladder.md ("Checking against a real capture").
 */
import { describe, expect, it } from 'vitest';
import type { CallName, CallRecord, SocketInfo } from '@shared/socket';
import { readCapture } from '../../src/main/lab/pcap';
import { summarize } from '../../src/main/lab/dissect';
import { icmpFactsOf } from '../../src/main/lab/flows/icmp-facts';
import { tcpWindowShiftOf } from '../../src/main/lab/flows/tcp-state';
import { buildLadder, type LadderArrow, type LadderPacket } from '../../src/main/lab/flows/ladder';
import { ladderToSvg } from '../../src/main/lab/flows/ladder-svg';
import { callEvents, runTimeline, sock, type Event, type TestPacket } from './ties.fixtures';

const PCAP_BASE64 = [
  '1MOyoQIABAAAAAAAAAAAAAAABAABAAAACtgFa34/CwBKAAAASgAAAAAAAAAAAAAAAAAAAAgARQAAPBXgQABABibafwAAAX8AAAGOzEapkyZvNw',
  'AAAACgAv/X/jAAAAIE/9cEAggKd1EeZgAAAAABAwMKCtgFa44/CwBKAAAASgAAAAAAAAAAAAAAAAAAAAgARQAAPAAAQABABjy6fwAAAX8AAAFG',
  'qY7MGtDQAZMmbzigEv/L/jAAAAIE/9cEAggKsbTH8XdRHmYBAwMKCtgFaxxACwBCAAAAQgAAAAAAAAAAAAAAAAAAAAgARQAANBXhQABABibhfw',
  'AAAX8AAAGOzEapkyZvOBrQ0AKAEABA/igAAAEBCAp3UR5nsbTH8QrYBWtz5AsARwAAAEcAAAAAAAAAAAAAAAAAAAAIAEUAADkV4kAAQAYm238A',
  'AAF/AAABjsxGqZMmbzga0NACgBgAQP4tAAABAQgKd1EekbG0x/FoZWxsbwrYBWuD5AsAQgAAAEIAAAAAAAAAAAAAAAAAAAAIAEUAADSb0UAAQA',
  'ag8H8AAAF/AAABRqmOzBrQ0AKTJm89gBAAQP4oAAABAQgKsbTIHHdRHpEK2AVriIYMAEIAAABCAAAAAAAAAAAAAAAAAAAACABFAAA0FeNAAEAG',
  'Jt9/AAABfwAAAY7MRqmTJm89GtDQAoARAED+KAAAAQEICndRHrqxtMgcCtgFa2QkDQBCAAAAQgAAAAAAAAAAAAAAAAAAAAgARQAANJvSQABABq',
  'DvfwAAAX8AAAFGqY7MGtDQApMmbz6AEABA/igAAAEBCAqxtMhud1EeugrYBWtBJg0AQgAAAEIAAAAAAAAAAAAAAAAAAAAIAEUAADSb00AAQAag',
  '7n8AAAF/AAABRqmOzBrQ0AKTJm8+gBEAQP4oAAABAQgKsbTIbndRHroK2AVrTyYNAEIAAABCAAAAAAAAAAAAAAAAAAAACABFAAA0FeRAAEAGJt',
  '5/AAABfwAAAY7MRqmTJm8+GtDQA4AQAED+KAAAAQEICndRHuOxtMhuCtgFa3otDgBKAAAASgAAAAAAAAAAAAAAAAAAAAgARQAAPGBmQABABtxT',
  'fwAAAX8AAAGO2kapIQ0PxgAAAACgAv/X/jAAAAIE/9cEAggKMvTSdwAAAAABAwMKCtgFa4otDgBKAAAASgAAAAAAAAAAAAAAAAAAAAgARQAAPA',
  'AAQABABjy6fwAAAX8AAAFGqY7agFRTISEND8egEv/L/jAAAAIE/9cEAggKI7tCxzL00ncBAwMKCtgFa9gtDgBCAAAAQgAAAAAAAAAAAAAAAAAA',
  'AAgARQAANGBnQABABtxafwAAAX8AAAGO2kapIQ0Px4BUUyKAEABA/igAAAEBCAoy9NJ4I7tCxwrYBWtBKQ8AQgAAAEIAAAAAAAAAAAAAAAAAAA',
  'AIAEUAADRgaEAAQAbcWX8AAAF/AAABjtpGqSEND8eAVFMigBQAQP4oAAABAQgKMvTSuCO7QscL2AVraUQAAC4AAAAuAAAAAAAAAAAAAAAAAAAA',
  'CABFAAAgYEhAAEAR3IJ/AAABfwAAAYn0RrMADP4fcGluZwvYBWt4RAAASgAAAEoAAAAAAAAAAAAAAAAAAAAIAEXAADyN1gAAQAHuKH8AAAF/AA',
  'ABAwNPWAAAAABFAAAgYEhAAEAR3IJ/AAABfwAAAYn0RrMADP4fcGluZw==',
].join('');
const PORTS = { client: 36556, linger: 36570, udp: 35316 };
/** [id, fd, call, args, startUs, endUs, ret, errno number], wall-clock µs like the capture's stamps. */
const LOG: [number, number, CallName, Record<string, unknown>, number, number, number, number | null][] = [
  [1, 3, 'bind', { address: { family: 'AF_INET', address: '0.0.0.0', port: 18089 } }, 1795545098694741, 1795545098694821, 0, null],
  [2, 3, 'listen', { backlog: 5 }, 1795545098716258, 1795545098716293, 0, null],
  [3, 4, 'connect', { address: { family: 'AF_INET', address: '127.0.0.1', port: 18089 } }, 1795545098737076, 1795545098738768, 0, null],
  [4, 3, 'accept', {}, 1795545098758992, 1795545098759082, 5, null],
  [5, 4, 'send', { data: { length: 5 } }, 1795545098779274, 1795545098779413, 5, null],
  [6, 5, 'recv', { maxBytes: 4096 }, 1795545098800395, 1795545098800484, 5, null],
  [7, 4, 'shutdown', { how: 'SHUT_WR' }, 1795545098820812, 1795545098820896, 0, null],
  [8, 5, 'recv', { maxBytes: 4096 }, 1795545098841390, 1795545098841472, 0, null],
  [9, 5, 'close', {}, 1795545098861723, 1795545098861805, 0, null],
  [10, 4, 'close', {}, 1795545098908583, 1795545098908655, 0, null],
  [11, 6, 'connect', { address: { family: 'AF_INET', address: '127.0.0.1', port: 18089 } }, 1795545098929075, 1795545098929256, 0, null],
  [12, 3, 'accept', {}, 1795545098949635, 1795545098949726, 7, null],
  [
    13,
    6,
    'setsockopt',
    { level: 'SOL_SOCKET', option: 'SO_LINGER', value: { onoff: true, linger: 0 } },
    1795545098973297,
    1795545098973375,
    0,
    null,
  ],
  [14, 6, 'close', {}, 1795545098993529, 1795545098993648, 0, null],
  [
    15,
    8,
    'sendto',
    { data: { length: 4 }, address: { family: 'AF_INET', address: '127.0.0.1', port: 18099 } },
    1795545099017386,
    1795545099017535,
    4,
    null,
  ],
];

const byFd = (fd: number) => LOG.filter((c) => c[1] === fd);
// No descriptor is reused in this script: each socket's id is its descriptor.
const records: CallRecord[] = LOG.map(([id, fd, call, args, start, end, ret]) => ({
  id,
  fd,
  socketId: fd,
  newSocketId: call === 'accept' || call === 'socket' ? ret : null,
  call,
  args: { fd, ...args },
  startMonoUs: start,
  startWallUs: start,
  endMonoUs: end,
  durationUs: end - start,
  ret,
  errno: null,
  message: null,
}));
const loop = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });
const SERVER_PORT = 18089;

/** The socket table as the lab would have shown it while the script ran. */
function tableEvents(): Event[] {
  const listener = sock(3, { state: 'listening', local: { family: 'AF_INET', address: '0.0.0.0', port: SERVER_PORT } });
  const fresh = [sock(4, {}), sock(6, {}), sock(8, { type: 'SOCK_DGRAM' })];
  const accepted = sock(5, { state: 'connected', local: loop(SERVER_PORT), peer: loop(PORTS.client) });
  const accepted2 = sock(7, { state: 'connected', local: loop(SERVER_PORT), peer: loop(PORTS.linger) });
  const at = (id: number) => (LOG[id - 1][5] as number) + 1; // just after call `id` returned
  const without = (list: SocketInfo[], ...fds: number[]) => list.filter((s) => !fds.includes(s.fd));
  const all = [listener, ...fresh];
  return [
    { at: 0, sockets: all },
    { at: at(4), sockets: [...all, accepted] },
    { at: at(9), sockets: without([...all], 5) },
    { at: at(10), sockets: without([...all], 4) },
    { at: at(12), sockets: [...without(all, 4), accepted2] },
    { at: at(14), sockets: [...without(all, 4, 6), accepted2] },
  ];
}

function capturedPackets(): TestPacket[] {
  const file = readCapture(Uint8Array.from(Buffer.from(PCAP_BASE64, 'base64')));
  expect(file.errors).toEqual([]);
  return file.packets.map((p, i) => {
    const flow = summarize(p.data, p.linkType).flow;
    return {
      no: i + 1,
      monoUs: p.tsUs,
      flow,
      icmp: flow ? icmpFactsOf(p.data, flow) : null,
      windowShift: tcpWindowShiftOf(p.data, p.linkType, flow),
    };
  });
}

describe('flows over a real loopback capture', () => {
  const packets = capturedPackets();
  const { byNo, ties } = runTimeline([
    ...records.flatMap(callEvents),
    ...tableEvents(),
    ...packets.map((packet) => ({ at: packet.monoUs, packet })),
  ]);
  const callId = (fd: number, call: CallName) => byFd(fd).find((c) => c[2] === call)?.[0] ?? -1;

  it('ties every packet to its sockets and calls as Linux sent them', () => {
    const rows = packets.map((p) => {
      const t = byNo.get(p.no);
      return [p.no, t?.fds, t?.callId, t?.cause];
    });
    expect(rows).toEqual([
      [1, [4, 3], callId(4, 'connect'), 'call'],
      [2, [3, 4], null, 'kernel'],
      [3, [4, 3], null, 'kernel'],
      [4, [4, 5], callId(4, 'send'), 'call'],
      [5, [5, 4], null, 'kernel'],
      [6, [4, 5], callId(4, 'shutdown'), 'call'],
      [7, [5, 4], null, 'kernel'], // delayed ACK of the FIN
      [8, [5, 4], callId(5, 'close'), 'call'],
      [9, [4, 5], null, 'kernel'],
      [10, [6, 3], callId(6, 'connect'), 'call'],
      [11, [3, 6], null, 'kernel'],
      [12, [6, 3], null, 'kernel'],
      [13, [6, 7], callId(6, 'close'), 'call'], // SO_LINGER {on, 0}: close aborts with RST
      [14, [8], callId(8, 'sendto'), 'call'],
      [15, [8], null, 'kernel'], // port unreachable, tied to the socket whose datagram it quotes
    ]);
  });

  it('infers the states and draws the ladder of the first connection', () => {
    expect(ties.tcpState(4)).toBe('TIME_WAIT');
    expect(ties.tcpState(7)).toBe('CLOSED');
    const tied: LadderPacket[] = packets.slice(0, 9).map((p) => ({ ...p, ...byNo.get(p.no) }));
    const model = buildLadder(tied, records, { sockets: ties.knownSockets() });
    const arrows = model.rows.filter((r): r is LadderArrow => r.kind === 'packet');
    expect(arrows.map((a) => a.tcp?.flags)).toEqual(['SYN', 'SYN, ACK', 'ACK', 'PSH, ACK', 'ACK', 'FIN, ACK', 'ACK', 'FIN, ACK', 'ACK']);
    expect(arrows.map((a) => [a.tcp?.relSeq, a.tcp?.relAck, a.tcp?.len])).toEqual([
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
    expect(arrows.flatMap((a) => (a.changed[1] ? [a.states[1]] : []))).toEqual([
      'SYN_RECEIVED',
      'ESTABLISHED',
      'CLOSE_WAIT',
      'LAST_ACK',
      'CLOSED',
    ]);
    expect(model.columns).toEqual([
      { endpoint: `127.0.0.1:${PORTS.client}`, socketIds: [4], fds: [4] },
      { endpoint: `127.0.0.1:${SERVER_PORT}`, socketIds: [3, 5], fds: [3, 5] },
    ]);
    // Windows as tshark shows them: the SYNs' own, then scaled by the shift both SYNs offered (10).
    expect(arrows.map((a) => a.tcp?.win)).toEqual([65495, 65483, 65536, 65536, 65536, 65536, 65536, 65536, 65536]);
    expect(ladderToSvg(model)).toContain('[FIN, ACK] Seq=6 Ack=1 Win=65536 Len=0');
  });
});
