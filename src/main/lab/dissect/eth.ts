/** Ethernet II (and 802.3 length frames), 802.1Q VLAN tags and 802.1ad service tags. */
import { type Ctx, ETHERTYPES, handOff } from './context';
import { field, hex, protocol } from './fields';

export const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x8035: 'RARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q Virtual LAN',
  0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
};

export const ETH = {
  proto: protocol('eth', 'Ethernet II'),
  dst: field('eth.dst', 'Destination', 'ether'),
  src: field('eth.src', 'Source', 'ether'),
  addr: field('eth.addr', 'Address', 'ether', { hidden: true }),
  type: field('eth.type', 'Type', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
  len: field('eth.len', 'Length', 'uint'),
} as const;

export const VLAN = {
  proto: protocol('vlan', '802.1Q Virtual LAN'),
  priority: field('vlan.priority', 'Priority', 'uint'),
  dei: field('vlan.dei', 'DEI', 'bool'),
  id: field('vlan.id', 'ID', 'uint'),
  etype: field('vlan.etype', 'Type', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
  len: field('vlan.len', 'Length', 'uint'),
} as const;

export const QINQ = {
  proto: protocol('ieee8021ad', 'IEEE 802.1ad'),
  priority: field('ieee8021ad.priority', 'Priority', 'uint'),
  dei: field('ieee8021ad.dei', 'DEI', 'uint'),
  id: field('ieee8021ad.id', 'ID', 'uint'),
} as const;

/** Ethernet II frame from `off` (the start of the frame). */
export function dissectEthernet(ctx: Ctx, off: number, end: number, reported = end - off): number {
  const { r, sink } = ctx;
  // MAC strings cost time; the summary path only needs them when no IP layer follows.
  if (!r.has(off, 14)) {
    // Like Wireshark, no address is shown unless the whole 14-byte header was captured.
    sink.open(ETH.proto, off, Math.max(0, end - off), 'Ethernet II');
    ctx.need(off, 14, 'Ethernet header');
    sink.close();
    return end - off;
  }
  const dst = sink.wantsFields ? r.mac(off) : '';
  const src = sink.wantsFields ? r.mac(off + 6) : '';
  sink.open(ETH.proto, off, 14, `Ethernet II, Src: ${src}, Dst: ${dst}`);
  sink.field(ETH.dst, off, 6, dst);
  sink.field(ETH.addr, off, 6, dst);
  sink.field(ETH.src, off + 6, 6, src);
  sink.field(ETH.addr, off + 6, 6, src);
  if (!ctx.quoted && ctx.src === '') ctx.macAt = off;
  ctx.columns('Ethernet', '');
  const type = r.u16(off + 12);
  if (type <= 1500) {
    sink.field(ETH.len, off + 12, 2, type);
    sink.close();
    ctx.columns('LLC', `802.3 frame, length ${type}`);
    return 14;
  }
  sink.field(ETH.type, off + 12, 2, type);
  sink.close();
  handOff(ETHERTYPES, type, ctx, off + 14, end, reported - 14);
  return end - off;
}

/** 802.1Q tag: TCI then the inner ethertype. */
function dissectVlan(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  if (!r.has(off, 4)) {
    sink.open(VLAN.proto, off, Math.max(0, end - off), '802.1Q Virtual LAN');
    ctx.need(off, 4, '802.1Q tag');
    sink.close();
    return end - off;
  }
  const tci = r.u16(off);
  sink.open(VLAN.proto, off, 4, `802.1Q Virtual LAN, PRI: ${tci >> 13}, DEI: ${(tci >> 12) & 1}, ID: ${tci & 0xfff}`);
  sink.field(VLAN.priority, off, 2, tci >> 13);
  sink.field(VLAN.dei, off, 2, (tci >> 12) & 1);
  sink.field(VLAN.id, off, 2, tci & 0xfff);
  const type = r.u16(off + 2);
  if (type <= 1500) {
    sink.field(VLAN.len, off + 2, 2, type);
    sink.close();
    return 4;
  }
  sink.field(VLAN.etype, off + 2, 2, type);
  sink.close();
  return 4 + handOff(ETHERTYPES, type, ctx, off + 4, end, reported - 4);
}

/** 802.1ad service tag (Q-in-Q outer tag). */
function dissectQinQ(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  if (!r.has(off, 4)) {
    sink.open(QINQ.proto, off, Math.max(0, end - off), 'IEEE 802.1ad');
    ctx.need(off, 4, '802.1ad tag');
    sink.close();
    return end - off;
  }
  const tci = r.u16(off);
  sink.open(QINQ.proto, off, 4, `IEEE 802.1ad, ID: ${tci & 0xfff}`);
  sink.field(QINQ.priority, off, 2, tci >> 13);
  sink.field(QINQ.dei, off, 2, (tci >> 12) & 1);
  sink.field(QINQ.id, off, 2, tci & 0xfff);
  const type = r.u16(off + 2);
  sink.field(VLAN.etype, off + 2, 2, type, `${ETHERTYPE_NAMES[type] ?? 'Unknown'} (${hex(type, 4)})`);
  sink.close();
  return 4 + handOff(ETHERTYPES, type, ctx, off + 4, end, reported - 4);
}

ETHERTYPES.set(0x8100, dissectVlan);
ETHERTYPES.set(0x88a8, dissectQinQ);
