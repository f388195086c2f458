/**
 * Tunnels that carry packets SockLab decodes: MPLS, GRE (with ERSPAN and WCCP), VXLAN, Geneve
 * and PIM register. Only their headers are decoded, so that the inner packet can be.
 */
import { type Ctx, ETHERTYPES, handOff, IP_PROTOCOLS, UDP_PORTS } from './context';
import { dissectEthernet } from './eth';
import { field, protocol } from './fields';

export const TUNNEL = {
  mpls: protocol('mpls', 'MultiProtocol Label Switching Header'),
  mplsLabel: field('mpls.label', 'MPLS Label', 'uint'),
  mplsExp: field('mpls.exp', 'MPLS Experimental Bits', 'uint'),
  mplsBottom: field('mpls.bottom', 'MPLS Bottom Of Label Stack', 'uint'),
  mplsTtl: field('mpls.ttl', 'MPLS TTL', 'uint'),
  gre: protocol('gre', 'Generic Routing Encapsulation'),
  greFlags: field('gre.flags_and_version', 'Flags and Version', 'uint', { hexDigits: 4 }),
  greProto: field('gre.proto', 'Protocol Type', 'uint', { hexDigits: 4 }),
  greChecksum: field('gre.checksum', 'Checksum', 'uint', { hexDigits: 4 }),
  greKey: field('gre.key', 'Key', 'uint', { hexDigits: 8 }),
  greSeq: field('gre.sequence_number', 'Sequence Number', 'uint'),
  vxlan: protocol('vxlan', 'Virtual eXtensible Local Area Network'),
  vxlanFlags: field('vxlan.flags', 'Flags', 'uint', { hexDigits: 4 }),
  vxlanVni: field('vxlan.vni', 'VXLAN Network Identifier (VNI)', 'uint'),
  geneve: protocol('geneve', 'Generic Network Virtualization Encapsulation'),
  geneveVersion: field('geneve.version', 'Version', 'uint'),
  geneveFlags: field('geneve.flags', 'Flags', 'uint', { hexDigits: 2 }),
  geneveProto: field('geneve.proto_type', 'Protocol Type', 'uint', { hexDigits: 4 }),
  geneveVni: field('geneve.vni', 'Virtual Network Identifier (VNI)', 'uint', { hexDigits: 6 }),
  cmd: protocol('cmd', 'Cisco MetaData'),
  cmdSgt: field('cmd.sgt', 'SGT', 'uint'),
  cmdType: field('cmd.type', 'Type', 'uint', { hexDigits: 4 }),
  macsec: protocol('macsec', '802.1AE Security tag'),
  macsecTci: field('macsec.TCI', 'TCI', 'uint', { hexDigits: 2 }),
  macsecAn: field('macsec.AN', 'AN', 'uint', { hexDigits: 2 }),
  macsecSl: field('macsec.SL', 'Short length', 'uint'),
  macsecPn: field('macsec.PN', 'Packet number', 'uint'),
  macsecEtype: field('macsec.etype', 'Ethertype', 'uint', { hexDigits: 4 }),
  macsecIcv: field('macsec.ICV', 'ICV', 'bytes'),
  nsh: protocol('nsh', 'Network Service Header'),
  nshMdType: field('nsh.mdtype', 'MD Type', 'uint'),
  nshNextProto: field('nsh.nextproto', 'Next Protocol', 'uint'),
  nshSpi: field('nsh.spi', 'SPI', 'uint'),
  nshSi: field('nsh.si', 'SI', 'uint'),
  erspan: protocol('erspan', 'Encapsulated Remote Switch Packet ANalysis'),
  erspanVersion: field('erspan.version', 'Version', 'uint'),
  erspanVlan: field('erspan.vlan', 'Vlan', 'uint'),
  erspanSpanId: field('erspan.spanid', 'SpanID', 'uint'),
  erspanIndex: field('erspan.index', 'Index', 'uint'),
  erspanTimestamp: field('erspan.timestamp', 'Timestamp', 'uint'),
  erspanSgt: field('erspan.sgt', 'Security Group Tag', 'uint'),
  erspanFt: field('erspan.ft', 'Frame Type', 'uint'),
  erspanO: field('erspan.o', 'Optional Sub headers', 'uint'),
  pim: protocol('pim', 'Protocol Independent Multicast'),
  pimVersion: field('pim.version', 'Version', 'uint'),
  pimType: field('pim.type', 'Type', 'uint'),
} as const;

/** After the label stack, the first nibble tells IPv4 from IPv6 (as Wireshark guesses). */
function dissectMpls(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  let o = off;
  for (;;) {
    if (!ctx.need(o, 4, 'MPLS label')) return end - off;
    const entry = r.u32(o);
    sink.open(TUNNEL.mpls, o, 4, `MultiProtocol Label Switching Header, Label: ${entry >>> 12}`);
    sink.field(TUNNEL.mplsLabel, o, 3, entry >>> 12);
    sink.field(TUNNEL.mplsExp, o + 2, 1, (entry >>> 9) & 7);
    sink.field(TUNNEL.mplsBottom, o + 2, 1, (entry >>> 8) & 1);
    sink.field(TUNNEL.mplsTtl, o + 3, 1, entry & 0xff);
    sink.close();
    o += 4;
    if ((entry >>> 8) & 1) break;
  }
  ctx.columns('MPLS', 'MPLS Label Switched Packet');
  const nibble = r.u8(o) >> 4;
  const rest = reported < 0 ? -1 : reported - (o - off);
  if (nibble === 4) handOff(ETHERTYPES, 0x0800, ctx, o, end, rest);
  else if (nibble === 6) handOff(ETHERTYPES, 0x86dd, ctx, o, end, rest);
  return end - off;
}

function dissectGre(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(TUNNEL.gre, off, Math.max(0, Math.min(4, end - off)), 'Generic Routing Encapsulation');
  if (!ctx.need(off, 4, 'GRE header')) {
    sink.close();
    return end - off;
  }
  const flags = r.u16(off);
  const proto = r.u16(off + 2);
  sink.field(TUNNEL.greFlags, off, 2, flags);
  sink.field(TUNNEL.greProto, off + 2, 2, proto);
  // Checksum (with its reserved half), key and sequence number are there when their flag is.
  const hdr = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
  if (!ctx.need(off, hdr, 'GRE header')) {
    sink.close();
    return end - off;
  }
  let o = off + 4;
  if (flags & 0x8000) {
    sink.field(TUNNEL.greChecksum, o, 2, r.u16(o));
    o += 4;
  }
  if (flags & 0x2000) {
    sink.field(TUNNEL.greKey, o, 4, r.u32(o));
    o += 4;
  }
  if (flags & 0x1000) {
    sink.field(TUNNEL.greSeq, o, 4, r.u32(o));
    o += 4;
  }
  sink.close();
  ctx.columns('GRE', `Encapsulated ${proto.toString(16).padStart(4, '0')}`);
  // Version 1 (PPTP) and source routing carry what SockLab does not decode.
  if ((flags & 7) !== 0 || flags & 0x4000) return end - off;
  const rest = reported < 0 ? -1 : reported - (o - off);
  if (proto === 0x6558) dissectEthernet(ctx, o, end);
  else if (proto === 0x88be) {
    // ERSPAN: type I has no header of its own (no sequence number in GRE); type II has 8 bytes.
    if (flags & 0x1000) dissectErspan(ctx, o, end);
    else dissectEthernet(ctx, o, end);
  } else if (proto === 0x22eb) dissectErspan(ctx, o, end);
  else if (proto === 0x883e) {
    // WCCP redirect header (4 bytes), then the redirected IPv4 packet.
    handOff(ETHERTYPES, 0x0800, ctx, o + 4, end, rest < 0 ? -1 : rest - 4);
  } else if (proto === 0x8909) {
    // Cisco MetaData inside GRE puts the inner ethertype first, then the 6-byte tag.
    if (!ctx.need(o, 8, 'Cisco MetaData header')) return end - off;
    const type = r.u16(o);
    sink.open(TUNNEL.cmd, o, 8, 'Cisco MetaData');
    sink.field(TUNNEL.cmdType, o, 2, type);
    sink.field(TUNNEL.cmdSgt, o + 6, 2, r.u16(o + 6));
    sink.close();
    handOff(ETHERTYPES, type, ctx, o + 8, end, rest < 0 ? -1 : rest - 8);
  } else handOff(ETHERTYPES, proto, ctx, o, end, rest);
  return end - off;
}

/**
 * ERSPAN type II (8-byte header) and type III (12 bytes, then 8 more when the O flag says a
 * platform sub-header follows), then the mirrored Ethernet frame.
 */
function dissectErspan(ctx: Ctx, off: number, end: number): number {
  const { r, sink } = ctx;
  sink.open(TUNNEL.erspan, off, Math.max(0, Math.min(8, end - off)), 'Encapsulated Remote Switch Packet ANalysis');
  if (!ctx.need(off, 8, 'ERSPAN header')) {
    sink.close();
    return end - off;
  }
  const word = r.u16(off);
  const version = word >> 12;
  sink.field(TUNNEL.erspanVersion, off, 2, version, `${version === 1 ? 'Type II' : version === 2 ? 'Type III' : 'Unknown'} (${version})`);
  sink.field(TUNNEL.erspanVlan, off, 2, word & 0xfff);
  sink.field(TUNNEL.erspanSpanId, off + 2, 2, r.u16(off + 2) & 0x3ff);
  let hdr = 8;
  if (version === 2) {
    if (!ctx.need(off, 12, 'ERSPAN type III header')) {
      sink.close();
      return end - off;
    }
    const tail = r.u16(off + 10);
    sink.field(TUNNEL.erspanTimestamp, off + 4, 4, r.u32(off + 4));
    sink.field(TUNNEL.erspanSgt, off + 8, 2, r.u16(off + 8));
    sink.field(TUNNEL.erspanFt, off + 10, 2, (tail >> 10) & 0x1f);
    sink.field(TUNNEL.erspanO, off + 10, 2, tail & 1);
    hdr = tail & 1 ? 20 : 12;
    // Frame type 0 is Ethernet; type 2 (IP) and the rest are not followed.
    if ((tail >> 10) & 0x1f) {
      sink.close(hdr);
      ctx.columns('ERSPAN', 'ERSPAN type III (not an Ethernet frame)');
      return end - off;
    }
  } else {
    sink.field(TUNNEL.erspanIndex, off + 4, 4, r.u32(off + 4) & 0xfffff);
  }
  sink.close(Math.min(hdr, end - off));
  if (!ctx.need(off, hdr, 'ERSPAN header')) return end - off;
  ctx.columns('ERSPAN', version === 2 ? 'ERSPAN type III' : 'ERSPAN type II');
  dissectEthernet(ctx, off + hdr, end);
  return end - off;
}

function dissectVxlan(ctx: Ctx, off: number, end: number): number {
  const { r, sink } = ctx;
  sink.open(TUNNEL.vxlan, off, Math.max(0, Math.min(8, end - off)), 'Virtual eXtensible Local Area Network');
  if (!ctx.need(off, 8, 'VXLAN header')) {
    sink.close();
    return end - off;
  }
  sink.field(TUNNEL.vxlanFlags, off, 2, r.u16(off));
  sink.field(TUNNEL.vxlanVni, off + 4, 3, r.u24(off + 4));
  sink.close();
  dissectEthernet(ctx, off + 8, end);
  return end - off;
}

function dissectGeneve(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  const optLen = r.has(off, 1) ? (r.u8(off) & 0x3f) * 4 : 0;
  sink.open(TUNNEL.geneve, off, Math.max(0, Math.min(8 + optLen, end - off)), 'Generic Network Virtualization Encapsulation');
  if (!ctx.need(off, 8 + optLen, 'Geneve header')) {
    sink.close();
    return end - off;
  }
  const proto = r.u16(off + 2);
  sink.field(TUNNEL.geneveVersion, off, 1, r.u8(off) >> 6);
  sink.field(TUNNEL.geneveFlags, off + 1, 1, r.u8(off + 1));
  sink.field(TUNNEL.geneveProto, off + 2, 2, proto);
  sink.field(TUNNEL.geneveVni, off + 4, 3, r.u24(off + 4));
  sink.close();
  const o = off + 8 + optLen;
  if (proto === 0x6558) dissectEthernet(ctx, o, end);
  else handOff(ETHERTYPES, proto, ctx, o, end, reported < 0 ? -1 : reported - 8 - optLen);
  return end - off;
}

/** PIM: only the Register message (type 1) is followed into the packet it carries. */
function dissectPim(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(TUNNEL.pim, off, Math.max(0, end - off), 'Protocol Independent Multicast');
  if (!ctx.need(off, 4, 'PIM header')) {
    sink.close();
    return end - off;
  }
  const type = r.u8(off) & 15;
  sink.field(TUNNEL.pimVersion, off, 1, r.u8(off) >> 4);
  sink.field(TUNNEL.pimType, off, 1, type);
  sink.close();
  ctx.columns('PIMv2', type === 1 ? 'Register' : `PIM type ${type}`);
  if (type === 1 && r.u8(off) >> 4 === 2 && ctx.need(off, 8, 'PIM register')) {
    const nibble = r.u8(off + 8) >> 4;
    const rest = reported < 0 ? -1 : reported - 8;
    if (nibble === 4) handOff(ETHERTYPES, 0x0800, ctx, off + 8, end, rest);
    else if (nibble === 6) handOff(ETHERTYPES, 0x86dd, ctx, off + 8, end, rest);
  }
  return end - off;
}

/** Cisco MetaData (security group tag), then an ethertype. */
function dissectCmd(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(TUNNEL.cmd, off, Math.max(0, Math.min(8, end - off)), 'Cisco MetaData');
  if (!ctx.need(off, 8, 'Cisco MetaData header')) {
    sink.close();
    return end - off;
  }
  const type = r.u16(off + 6);
  sink.field(TUNNEL.cmdSgt, off + 4, 2, r.u16(off + 4));
  sink.field(TUNNEL.cmdType, off + 6, 2, type);
  sink.close();
  return 8 + handOff(ETHERTYPES, type, ctx, off + 8, end, reported - 8);
}

/**
 * MACsec (802.1AE). Only integrity-protected frames (not encrypted) carry a readable payload:
 * an ethertype and the packet, followed by the 16-byte ICV.
 */
function dissectMacsec(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  const tci = r.has(off, 1) ? r.u8(off) : 0;
  const sciLen = tci & 0x20 ? 8 : 0;
  const hdr = 6 + sciLen;
  sink.open(TUNNEL.macsec, off, Math.max(0, Math.min(hdr, end - off)), '802.1AE Security tag');
  if (!ctx.need(off, hdr, 'MACsec header')) {
    sink.close();
    return end - off;
  }
  const sl = r.u8(off + 1);
  sink.field(TUNNEL.macsecTci, off, 1, tci >> 2);
  sink.field(TUNNEL.macsecAn, off, 1, tci & 3);
  sink.field(TUNNEL.macsecSl, off + 1, 1, sl);
  sink.field(TUNNEL.macsecPn, off + 2, 4, r.u32(off + 2));
  const icvLen = 16;
  const payloadLen = sl !== 0 ? sl : reported - hdr - icvLen;
  const encrypted = (tci & 0x0c) !== 0;
  if (encrypted || payloadLen < 2 || !ctx.need(off + hdr, 2, 'MACsec payload')) {
    sink.close();
    ctx.columns('MACSEC', encrypted ? 'MACsec frame (encrypted)' : 'MACsec frame');
    return end - off;
  }
  const type = r.u16(off + hdr);
  sink.field(TUNNEL.macsecEtype, off + hdr, 2, type);
  const icvOff = off + hdr + payloadLen;
  if (r.has(icvOff, icvLen)) sink.field(TUNNEL.macsecIcv, icvOff, icvLen, r.hexBytes(icvOff, icvLen));
  sink.close();
  handOff(ETHERTYPES, type, ctx, off + hdr + 2, Math.min(end, icvOff), payloadLen - 2);
  return end - off;
}

/** Network Service Header (service function chaining): the next protocol says what follows. */
function dissectNsh(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  const len = r.has(off, 2) ? (r.u16(off) & 0x3f) * 4 : 0;
  sink.open(TUNNEL.nsh, off, Math.max(0, Math.min(len, end - off)), 'Network Service Header');
  if (!ctx.need(off, 8, 'NSH header') || len < 8 || !ctx.need(off, len, 'NSH header')) {
    sink.close();
    return end - off;
  }
  const next = r.u8(off + 3);
  sink.field(TUNNEL.nshMdType, off + 2, 1, r.u8(off + 2) & 0x0f);
  sink.field(TUNNEL.nshNextProto, off + 3, 1, next);
  sink.field(TUNNEL.nshSpi, off + 4, 3, r.u24(off + 4));
  sink.field(TUNNEL.nshSi, off + 7, 1, r.u8(off + 7));
  sink.close();
  const rest = reported < 0 ? -1 : reported - len;
  if (next === 1) handOff(ETHERTYPES, 0x0800, ctx, off + len, end, rest);
  else if (next === 2) handOff(ETHERTYPES, 0x86dd, ctx, off + len, end, rest);
  else if (next === 3) dissectEthernet(ctx, off + len, end, rest < 0 ? end - off - len : rest);
  return end - off;
}

ETHERTYPES.set(0x894f, dissectNsh);
ETHERTYPES.set(0x8909, dissectCmd);
ETHERTYPES.set(0x88e5, dissectMacsec);
ETHERTYPES.set(0x8847, dissectMpls);
ETHERTYPES.set(0x8848, dissectMpls);
IP_PROTOCOLS.set(137, dissectMpls);
IP_PROTOCOLS.set(47, dissectGre);
IP_PROTOCOLS.set(103, dissectPim);
UDP_PORTS.set(4789, dissectVxlan);
UDP_PORTS.set(6081, dissectGeneve);
UDP_PORTS.set(6635, dissectMpls);
