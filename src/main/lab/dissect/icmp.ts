/** ICMP: echo, and errors (unreachable, time exceeded, ...) with the quoted packet decoded. */
import { complement, sum16 } from './checksum';
import { type Ctx, handOff, IP_PROTOCOLS, ETHERTYPES } from './context';
import { field, hex, protocol } from './fields';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply',
  3: 'Destination unreachable',
  4: 'Source quench (flow control)',
  5: 'Redirect',
  8: 'Echo (ping) request',
  9: 'Router advertisement',
  10: 'Router solicitation',
  11: 'Time-to-live exceeded',
  12: 'Parameter problem',
  13: 'Timestamp request',
  14: 'Timestamp reply',
  17: 'Address mask request',
  18: 'Address mask reply',
  42: 'Extended Echo request',
  43: 'Extended Echo reply',
};

const UNREACH_CODES: Readonly<Record<number, string>> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  5: 'Source route failed',
  6: 'Destination network unknown',
  7: 'Destination host unknown',
  9: 'Network administratively prohibited',
  10: 'Host administratively prohibited',
  13: 'Communication administratively filtered',
};
const TIME_EXCEEDED_CODES: Readonly<Record<number, string>> = {
  0: 'Time to live exceeded in transit',
  1: 'Fragment reassembly time exceeded',
};

export const ICMP = {
  proto: protocol('icmp', 'Internet Control Message Protocol'),
  type: field('icmp.type', 'Type', 'uint', { names: TYPE_NAMES }),
  code: field('icmp.code', 'Code', 'uint'),
  checksum: field('icmp.checksum', 'Checksum', 'uint', { hexDigits: 4 }),
  checksumStatus: field('icmp.checksum.status', 'Checksum Status', 'uint', { names: { 0: 'Bad', 1: 'Good', 2: 'Unverified' } }),
  ident: field('icmp.ident', 'Identifier (BE)', 'uint'),
  identLe: field('icmp.ident_le', 'Identifier (LE)', 'uint'),
  seq: field('icmp.seq', 'Sequence Number (BE)', 'uint'),
  seqLe: field('icmp.seq_le', 'Sequence Number (LE)', 'uint'),
  unused: field('icmp.unused', 'Unused', 'bytes'),
  mtu: field('icmp.mtu', 'MTU of next hop', 'uint'),
  pointer: field('icmp.pointer', 'Pointer', 'uint'),
  redirGw: field('icmp.redir_gw', 'Gateway Address', 'ipv4'),
  length: field('icmp.length', 'Length', 'uint'),
} as const;

const ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

function codeName(type: number, code: number): string | undefined {
  if (type === 3) return UNREACH_CODES[code];
  if (type === 11) return TIME_EXCEEDED_CODES[code];
  return undefined;
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >> 8);
}

/**
 * Decodes a quoted packet (the offending datagram an ICMP error carries) with the same
 * dissectors, but leaves the outer packet's columns and flow alone.
 */
export function dissectQuoted(ctx: Ctx, ethertype: number, off: number, end: number): void {
  if (off >= end) return;
  const wasQuoted = ctx.quoted;
  const net = ctx.net;
  ctx.quoted = true;
  handOff(ETHERTYPES, ethertype, ctx, off, end, end - off);
  ctx.quoted = wasQuoted;
  ctx.net = net;
}

function dissectIcmp(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(ICMP.proto, off, Math.max(0, end - off), 'Internet Control Message Protocol');
  // An echo's identifier and sequence number are part of its header: like tshark, a shorter
  // echo shows no field at all, only that it is malformed.
  const echo = r.has(off, 1) && (r.u8(off) === 0 || r.u8(off) === 8);
  if (!ctx.need(off, echo ? 8 : 4, echo ? 'ICMP echo header' : 'ICMP header')) {
    sink.close();
    return end - off;
  }
  const type = r.u8(off);
  const code = r.u8(off + 1);
  const checksum = r.u16(off + 2);
  sink.field(ICMP.type, off, 1, type);
  const cname = codeName(type, code);
  sink.field(ICMP.code, off + 1, 1, code, cname ? `${code} (${cname})` : undefined);
  const length = reported < 0 ? end - off : reported;
  if (r.has(off, length) && !ctx.quoted) {
    const computed = complement(sum16(r, off, length) - checksum);
    const good = computed === checksum;
    sink.field(
      ICMP.checksum,
      off + 2,
      2,
      checksum,
      `${hex(checksum, 4)} [${good ? 'correct' : `incorrect, should be ${hex(computed, 4)}`}]`,
      good ? undefined : 'warn',
    );
    sink.field(ICMP.checksumStatus, off + 2, 0, good ? 1 : 0);
  } else {
    sink.field(ICMP.checksum, off + 2, 2, checksum);
    sink.field(ICMP.checksumStatus, off + 2, 0, 2);
  }
  let info = `${TYPE_NAMES[type] ?? `Type ${type}`}${cname ? ` (${cname})` : ''}`;
  if (type === 0 || type === 8 || type === 13 || type === 14 || type === 17 || type === 18) {
    if (ctx.need(off + 4, 4, 'ICMP echo header')) {
      const id = r.u16(off + 4);
      const seq = r.u16(off + 6);
      sink.field(ICMP.ident, off + 4, 2, id, `${id} (${hex(id, 4)})`);
      sink.field(ICMP.identLe, off + 4, 2, swap16(id), `${swap16(id)} (${hex(swap16(id), 4)})`);
      sink.field(ICMP.seq, off + 6, 2, seq, `${seq} (${hex(seq, 4)})`);
      sink.field(ICMP.seqLe, off + 6, 2, swap16(seq), `${swap16(seq)} (${hex(swap16(seq), 4)})`);
      info = `${type === 8 ? 'Echo (ping) request ' : type === 0 ? 'Echo (ping) reply   ' : info} id=${hex(id, 4)}, seq=${seq}/${swap16(seq)}`;
      if (ctx.net && !ctx.quoted && (type === 0 || type === 8)) info += `, ttl=${r.u8(ctx.net.srcOff - 4)}`;
    }
  } else if (type === 42 || type === 43) {
    if (ctx.need(off + 4, 2, 'ICMP extended echo header')) {
      const id = r.u16(off + 4);
      sink.field(ICMP.ident, off + 4, 2, id, `${id} (${hex(id, 4)})`);
      sink.field(ICMP.identLe, off + 4, 2, swap16(id), `${swap16(id)} (${hex(swap16(id), 4)})`);
      info += ` id=${hex(id, 4)}`;
    }
  } else if (ERROR_TYPES.has(type)) {
    ctx.setMark('icmp-error');
    if (ctx.need(off + 4, 4, 'ICMP header')) {
      if (type === 3 && code === 4) {
        sink.field(ICMP.unused, off + 4, 2, r.hexBytes(off + 4, 2));
        sink.field(ICMP.mtu, off + 6, 2, r.u16(off + 6));
      } else if (type === 5) {
        sink.field(ICMP.redirGw, off + 4, 4, r.ipv4(off + 4));
      } else if (type === 12) {
        sink.field(ICMP.pointer, off + 4, 1, r.u8(off + 4));
        sink.field(ICMP.unused, off + 5, 3, r.hexBytes(off + 5, 3));
      } else {
        sink.field(ICMP.unused, off + 4, 4, r.hexBytes(off + 4, 4));
      }
      dissectQuoted(ctx, 0x0800, off + 8, end);
    }
  }
  sink.close();
  ctx.columns('ICMP', info);
  // The flow's payload starts after the 8-byte header, which must be in this layer: a shorter
  // message gives no flow, so nothing reads its identifier or quote from bytes after it.
  if (!ctx.quoted && ctx.net && r.has(off, 8)) {
    ctx.flow = {
      proto: 'icmp',
      family: 4,
      src: ctx.net.src,
      dst: ctx.net.dst,
      srcPort: 0,
      dstPort: 0,
      payloadOffset: off + 8,
      payloadLength: Math.max(0, end - off - 8),
    };
  }
  return end - off;
}

IP_PROTOCOLS.set(1, dissectIcmp);
