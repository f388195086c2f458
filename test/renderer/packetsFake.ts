/**
 * Packet fixtures for the Packets view tests: rows, statuses, a TCP SYN frame with its field
 * tree, and a `capture.rows` answer over a store of any size (rows are made on demand, so a
 * million-packet store costs nothing until a window is asked for).
 */
import type { CaptureStatus, FieldNode, PacketRow } from '@shared/capture';
import { IDLE_STATUS } from '@renderer/stores/capture';
import type { FakeLab } from './fakeLab';

/** A packet-list row for frame `no` (its sockets' ids are their fds unless given). */
export function packetRow(no: number, patch: Partial<PacketRow> = {}): PacketRow {
  return {
    no,
    monoUs: no * 1000,
    tsUs: 1_700_000_000_000_000 + no * 1000,
    caplen: 54,
    len: 54,
    src: '127.0.0.1',
    dst: '127.0.0.1',
    protocol: 'TCP',
    info: `54321 → 8080 [ACK] Seq=${no}`,
    mark: null,
    fds: [],
    socketIds: patch.fds ?? [],
    callId: null,
    cause: null,
    ...patch,
  };
}

/** A capture status, idle unless patched. */
export function captureStatus(patch: Partial<CaptureStatus> = {}): CaptureStatus {
  return { ...IDLE_STATUS, ...patch };
}

/**
 * Makes the fake lab hold `held()` packets, frames `first()`.. (unfiltered), answering
 * `capture.rows` windows and `capture.status`; `filtered` answers filtered windows.
 */
export function holdPackets(
  fake: FakeLab,
  held: () => number,
  options: {
    first?: () => number;
    filtered?: (offset: number, limit: number, filter: string, socketId: number | null) => { total: number; rows: PacketRow[] };
  } = {},
): void {
  const first = options.first ?? (() => 1);
  fake.respond('capture.rows', (input) => {
    const filter = input.filter ?? '';
    const socketId = input.socketId ?? null;
    if ((filter !== '' || socketId !== null) && options.filtered) {
      return { ok: true, value: { ...options.filtered(input.offset, input.limit, filter, socketId), pending: 0 } };
    }
    const rows: PacketRow[] = [];
    for (let i = input.offset; i < Math.min(held(), input.offset + input.limit); i++) rows.push(packetRow(first() + i));
    return { ok: true, value: { total: held(), pending: 0, rows } };
  });
  fake.respond('capture.status', () => ({ ok: true, value: captureStatus({ held: held(), packets: held(), evicted: first() - 1 }) }));
  serveInterfaces(fake);
  fake.respond('capture.checkFilter', () => ({ ok: true, value: { valid: true, error: null, position: null } }));
}

/** Answers `capture.interfaces` with eth0 and lo (in that order, so sorting shows). */
export function serveInterfaces(fake: FakeLab): void {
  fake.respond('capture.interfaces', () => ({
    ok: true,
    value: [
      {
        name: 'eth0',
        description: null,
        addresses: [{ address: '10.0.0.2', netmask: '255.0.0.0' }],
        loopback: false,
        up: true,
        running: true,
      },
      {
        name: 'lo',
        description: null,
        addresses: [
          { address: '127.0.0.1', netmask: '255.0.0.0' },
          { address: '::1', netmask: null },
        ],
        loopback: true,
        up: true,
        running: true,
      },
    ],
  }));
}

/** Bytes of a 54-byte TCP SYN on loopback (Ethernet, IPv4, TCP), 127.0.0.1:54321 → :8080. */
export const SYN_FRAME = Uint8Array.from([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x08,
  0x00, // Ethernet
  0x45,
  0,
  0,
  40,
  0x12,
  0x34,
  0x40,
  0,
  64,
  6,
  0,
  0,
  127,
  0,
  0,
  1,
  127,
  0,
  0,
  1, // IPv4
  0xd4,
  0x31,
  0x1f,
  0x90,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x50,
  0x02,
  0xff,
  0xd7,
  0xfe,
  0x30,
  0,
  0, // TCP
]);

/** The field tree of SYN_FRAME, shaped as the lab's dissector builds it. */
export const SYN_TREE: FieldNode[] = [
  { name: 'frame', label: 'Frame 1: 54 bytes on wire', start: 0, length: 54 },
  {
    name: 'eth',
    label: 'Ethernet II',
    start: 0,
    length: 14,
    children: [
      { name: 'eth.dst', label: 'Destination: 00:00:00:00:00:00', start: 0, length: 6 },
      { name: 'eth.src', label: 'Source: 00:00:00:00:00:00', start: 6, length: 6 },
      { name: 'eth.type', label: 'Type: IPv4 (0x0800)', start: 12, length: 2 },
    ],
  },
  {
    name: 'ip',
    label: 'Internet Protocol Version 4, Src: 127.0.0.1, Dst: 127.0.0.1',
    start: 14,
    length: 20,
    children: [
      { name: 'ip.ttl', label: 'Time to Live: 64', start: 22, length: 1 },
      { name: 'ip.src', label: 'Source Address: 127.0.0.1', start: 26, length: 4, value: '127.0.0.1' },
      { name: 'ip.dst', label: 'Destination Address: 127.0.0.1', start: 30, length: 4, value: '127.0.0.1' },
    ],
  },
  {
    name: 'tcp',
    label: 'Transmission Control Protocol, Src Port: 54321, Dst Port: 8080',
    start: 34,
    length: 20,
    children: [
      { name: 'tcp.srcport', label: 'Source Port: 54321', start: 34, length: 2 },
      { name: 'tcp.dstport', label: 'Destination Port: 8080', start: 36, length: 2 },
      {
        name: 'tcp.flags',
        label: 'Flags: 0x002 (SYN)',
        start: 46,
        length: 2,
        children: [{ name: 'tcp.flags.syn', label: '.... .... ..1. = Syn: Set', start: 47, length: 1 }],
      },
      { name: 'tcp.checksum', label: 'Checksum: 0xfe30 [not computed (offload)]', start: 50, length: 2 },
      {
        name: '_ws.expert',
        label: 'Checksum not computed: offloaded to the network card (always the case on loopback)',
        start: 50,
        length: 2,
        severity: 'note',
      },
      { name: '_ws.malformed', label: 'Urgent pointer beyond the segment', start: 52, length: 2, severity: 'warn' },
    ],
  },
];

/** Answers `capture.packet` for any frame with SYN_FRAME and SYN_TREE. */
export function servePacket(fake: FakeLab): void {
  fake.respond('capture.packet', (input) => ({
    ok: true,
    value: { row: packetRow(input.no, { mark: 'syn' }), data: SYN_FRAME, tree: SYN_TREE },
  }));
}
