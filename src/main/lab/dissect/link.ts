/** Link layers other than Ethernet: Linux cooked (SLL, SLL2), BSD null/loopback and raw IP. */
import { type Ctx, ETHERTYPES, handOff } from './context';
import { dissectEthernet, ETHERTYPE_NAMES } from './eth';
import { field, protocol } from './fields';
import { LINKTYPE } from './types';

const PKTTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Unicast to us',
  1: 'Broadcast',
  2: 'Multicast',
  3: 'Unicast to another host',
  4: 'Sent by us',
};

export const SLL = {
  proto: protocol('sll', 'Linux cooked capture'),
  pkttype: field('sll.pkttype', 'Packet type', 'uint', { names: PKTTYPE_NAMES }),
  hatype: field('sll.hatype', 'Link-layer address type', 'uint'),
  halen: field('sll.halen', 'Link-layer address length', 'uint'),
  srcEth: field('sll.src.eth', 'Source', 'ether'),
  srcIpv4: field('sll.src.ipv4', 'Source', 'ipv4'),
  srcOther: field('sll.src.other', 'Source', 'bytes'),
  unused: field('sll.unused', 'Unused', 'bytes'),
  ltype: field('sll.ltype', 'Protocol', 'uint', { hexDigits: 4 }),
  gretype: field('sll.gretype', 'Protocol', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
  etype: field('sll.etype', 'Protocol', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
  ifindex: field('sll.ifindex', 'Interface index', 'uint'),
  reserved: field('sll.reserved', 'Reserved', 'uint', { hexDigits: 4 }),
} as const;

export const NULL = {
  proto: protocol('null', 'Null/Loopback'),
  family: field('null.family', 'Family', 'uint', { names: { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' } }),
  type: field('null.type', 'Type', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
} as const;

/** Source link-layer address of SLL/SLL2, typed by the address type as Wireshark does. */
function sllAddress(ctx: Ctx, off: number, hatype: number, halen: number, room: number): void {
  const n = Math.min(halen, room);
  if (n <= 0) return;
  if ((hatype === 1 || hatype === 772) && halen === 6) ctx.sink.field(SLL.srcEth, off, 6, ctx.r.mac(off));
  else if (halen === 4 && (hatype === 768 || hatype === 776 || hatype === 778)) ctx.sink.field(SLL.srcIpv4, off, 4, ctx.r.ipv4(off));
  else ctx.sink.field(SLL.srcOther, off, n, ctx.r.hexBytes(off, n));
}

/** Linux cooked capture v1: 16-byte header, protocol last. */
function dissectSll(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(SLL.proto, off, Math.min(16, end - off), 'Linux cooked capture v1');
  if (!ctx.need(off, 16, 'Linux cooked header')) {
    sink.close();
    return end - off;
  }
  const hatype = r.u16(off + 2);
  const halen = r.u16(off + 4);
  sink.field(SLL.pkttype, off, 2, r.u16(off));
  sink.field(SLL.hatype, off + 2, 2, hatype);
  sink.field(SLL.halen, off + 4, 2, halen);
  sllAddress(ctx, off + 6, hatype, halen, 8);
  if (halen < 8) sink.field(SLL.unused, off + 6 + halen, 8 - halen, r.hexBytes(off + 6 + halen, 8 - halen));
  const proto = r.u16(off + 14);
  ctx.columns('SLL', '');
  if (proto <= 1536) {
    // Linux puts pseudo-protocols (802.2, 802.3, CAN) here rather than an ethertype.
    sink.field(SLL.ltype, off + 14, 2, proto);
    sink.close();
    return end - off;
  }
  // On GRE tunnel devices the protocol is the GRE protocol type (an ethertype all the same).
  sink.field(hatype === 778 ? SLL.gretype : SLL.etype, off + 14, 2, proto);
  sink.close();
  return 16 + handOff(ETHERTYPES, proto, ctx, off + 16, end, reported - 16);
}

/** Linux cooked capture v2: 20-byte header, protocol first. */
function dissectSll2(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(SLL.proto, off, Math.min(20, end - off), 'Linux cooked capture v2');
  if (!ctx.need(off, 20, 'Linux cooked v2 header')) {
    sink.close();
    return end - off;
  }
  const proto = r.u16(off);
  const hatype = r.u16(off + 8);
  const halen = r.u8(off + 11);
  sink.field(SLL.etype, off, 2, proto);
  sink.field(SLL.reserved, off + 2, 2, r.u16(off + 2));
  sink.field(SLL.ifindex, off + 4, 4, r.u32(off + 4));
  sink.field(SLL.hatype, off + 8, 2, hatype);
  sink.field(SLL.pkttype, off + 10, 1, r.u8(off + 10));
  sink.field(SLL.halen, off + 11, 1, halen);
  sllAddress(ctx, off + 12, hatype, halen, 8);
  sink.close();
  ctx.columns('SLL', '');
  return 20 + handOff(ETHERTYPES, proto, ctx, off + 20, end, reported - 20);
}

/**
 * BSD null/loopback: a 4-byte address family in the byte order of the capturing host. Like
 * Wireshark, guess the order from which half holds the value; large values are ethertypes.
 */
function dissectNull(ctx: Ctx, off: number, end: number, reported: number, networkOrder: boolean): number {
  const { r, sink } = ctx;
  sink.open(NULL.proto, off, Math.min(4, end - off), 'Null/Loopback');
  if (!ctx.need(off, 4, 'loopback header')) {
    sink.close();
    return end - off;
  }
  let value = r.u32(off, !networkOrder);
  if (!networkOrder) {
    if ((value & 0xffff0000) !== 0) {
      if ((value & 0xff000000) === 0 && (value & 0x00ff0000) < 0x00060000) value >>>= 16;
      else value = r.u32(off, false);
    } else if ((value & 0xff) === 0 && (value & 0xff00) < 0x0600) {
      value >>>= 8;
    }
  }
  value >>>= 0;
  if (value > 1500) {
    sink.field(NULL.type, off, 4, value);
    sink.close();
    return 4 + handOff(ETHERTYPES, value, ctx, off + 4, end, reported - 4);
  }
  sink.field(NULL.family, off, 4, value);
  sink.close();
  ctx.columns('NULL', '');
  const ethertype = value === 2 ? 0x0800 : value === 24 || value === 28 || value === 30 || value === 10 ? 0x86dd : -1;
  return 4 + handOff(ETHERTYPES, ethertype, ctx, off + 4, end, reported - 4);
}

/** Raw IP: the version nibble says IPv4 or IPv6. */
function dissectRaw(ctx: Ctx, off: number, end: number, reported: number): number {
  if (!ctx.need(off, 1, 'IP header')) return 0;
  const version = ctx.r.u8(off) >> 4;
  // Wireshark's raw dissector sends anything that is not 6 to IPv4, which reports a bogus version.
  return handOff(ETHERTYPES, version === 6 ? 0x86dd : 0x0800, ctx, off, end, reported);
}

/** Decodes a whole frame of the given pcap link type. */
export function dissectLink(ctx: Ctx, linkType: number, wireLen: number): void {
  const end = ctx.r.length;
  // Lengths in headers are checked against the length on the wire, as tshark does.
  const reported = Math.max(wireLen, end);
  ctx.r.reportedEnd = reported;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      dissectEthernet(ctx, 0, end, reported);
      return;
    case LINKTYPE.LINUX_SLL:
      dissectSll(ctx, 0, end, reported);
      return;
    case LINKTYPE.LINUX_SLL2:
      dissectSll2(ctx, 0, end, reported);
      return;
    case LINKTYPE.NULL:
      dissectNull(ctx, 0, end, reported, false);
      return;
    case 108: // LINKTYPE_LOOP: like null, but always network byte order.
      dissectNull(ctx, 0, end, reported, true);
      return;
    case LINKTYPE.RAW:
    case 12:
    case 14:
      dissectRaw(ctx, 0, end, reported);
      return;
    case LINKTYPE.IPV4:
      handOff(ETHERTYPES, 0x0800, ctx, 0, end, reported);
      return;
    case LINKTYPE.IPV6:
      handOff(ETHERTYPES, 0x86dd, ctx, 0, end, reported);
      return;
    default:
      ctx.problem(`[Link type ${linkType} is not decoded by SockLab]`, 0, end, 'note');
      ctx.columns(`LINKTYPE ${linkType}`, `${end} bytes`);
  }
}
