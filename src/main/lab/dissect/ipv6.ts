/** IPv6 and its extension headers (hop-by-hop, routing, fragment, destination options). */
import { type Ctx, ETHERTYPES, handOff, IP_PROTOCOLS } from './context';
import { dissectEthernet } from './eth';
import { field, hex, protocol } from './fields';
import { IP, IP_PROTO_NAMES } from './ipv4';

export const IPV6 = {
  proto: protocol('ipv6', 'Internet Protocol Version 6'),
  version: field('ipv6.version', 'Version', 'uint'),
  tclass: field('ipv6.tclass', 'Traffic Class', 'uint', { hexDigits: 8 }),
  dscp: field('ipv6.tclass.dscp', 'Differentiated Services Codepoint', 'uint'),
  ecn: field('ipv6.tclass.ecn', 'Explicit Congestion Notification', 'uint'),
  flow: field('ipv6.flow', 'Flow Label', 'uint', { hexDigits: 6 }),
  plen: field('ipv6.plen', 'Payload Length', 'uint'),
  nxt: field('ipv6.nxt', 'Next Header', 'uint', { names: IP_PROTO_NAMES }),
  hlim: field('ipv6.hlim', 'Hop Limit', 'uint'),
  src: field('ipv6.src', 'Source Address', 'ipv6'),
  dst: field('ipv6.dst', 'Destination Address', 'ipv6'),
  addr: field('ipv6.addr', 'Source or Destination Address', 'ipv6', { hidden: true }),
  hopopts: protocol('ipv6.hopopts', 'IPv6 Hop-by-Hop Option'),
  hopNxt: field('ipv6.hopopts.nxt', 'Next Header', 'uint', { names: IP_PROTO_NAMES }),
  hopLen: field('ipv6.hopopts.len', 'Length', 'uint'),
  dstopts: protocol('ipv6.dstopts', 'Destination Options for IPv6'),
  dstNxt: field('ipv6.dstopts.nxt', 'Next Header', 'uint', { names: IP_PROTO_NAMES }),
  dstLen: field('ipv6.dstopts.len', 'Length', 'uint'),
  opt: protocol('ipv6.opt', 'IPv6 Option'),
  optType: field('ipv6.opt.type', 'Type', 'uint', { hexDigits: 2 }),
  optLength: field('ipv6.opt.length', 'Length', 'uint'),
  optPadn: field('ipv6.opt.padn', 'PadN', 'bytes'),
  optRouterAlert: field('ipv6.opt.router_alert', 'Router Alert', 'uint'),
  optJumbo: field('ipv6.opt.jumbo', 'Payload Length', 'uint'),
  routing: protocol('ipv6.routing', 'Routing Header for IPv6'),
  routingNxt: field('ipv6.routing.nxt', 'Next Header', 'uint', { names: IP_PROTO_NAMES }),
  routingLen: field('ipv6.routing.len', 'Length', 'uint'),
  routingType: field('ipv6.routing.type', 'Type', 'uint'),
  routingSegleft: field('ipv6.routing.segleft', 'Segments Left', 'uint'),
  routingData: field('ipv6.routing.unknown_data', 'Type-Specific Data', 'bytes'),
  fraghdr: protocol('ipv6.fraghdr', 'Fragment Header for IPv6'),
  fragNxt: field('ipv6.fraghdr.nxt', 'Next header', 'uint', { names: IP_PROTO_NAMES }),
  fragOffset: field('ipv6.fraghdr.offset', 'Offset', 'uint'),
  fragMore: field('ipv6.fraghdr.more', 'More Fragments', 'bool'),
  fragIdent: field('ipv6.fraghdr.ident', 'Identification', 'uint', { hexDigits: 8 }),
} as const;

const JUMBO_OPTION = 0xc2;
const OPTION_NAMES: Readonly<Record<number, string>> = { 0: 'Pad1', 1: 'PadN', 5: 'Router Alert', [JUMBO_OPTION]: 'Jumbo Payload' };

/**
 * The Jumbo Payload length (RFC 2675) of a packet whose payload length is 0: the option sits in
 * the hop-by-hop header right after the fixed header. Null when there is none.
 */
function jumboLength(ctx: Ctx, hop: number): number | null {
  const { r } = ctx;
  if (!r.has(hop, 2)) return null;
  const end = hop + (r.u8(hop + 1) + 1) * 8;
  if (!r.has(hop, end - hop)) return null;
  for (let o = hop + 2; o + 2 <= end;) {
    const type = r.u8(o);
    if (type === 0) {
      o++;
      continue;
    }
    const len = r.u8(o + 1);
    if (type === JUMBO_OPTION && len === 4 && o + 6 <= end) return r.u32(o + 2);
    o += 2 + len;
  }
  return null;
}

/** Type-length-value options of hop-by-hop and destination options headers. */
function tlvOptions(ctx: Ctx, off: number, end: number): void {
  const { r, sink } = ctx;
  let o = off;
  while (o < end) {
    const type = r.u8(o);
    const name = OPTION_NAMES[type] ?? `Unknown (${hex(type, 2)})`;
    if (type === 0) {
      sink.open(IPV6.opt, o, 1, 'IPv6 Option (Pad1)');
      sink.field(IPV6.optType, o, 1, type, `${name} (${hex(type, 2)})`);
      sink.close();
      o++;
      continue;
    }
    const len = o + 2 <= end ? r.u8(o + 1) : 0;
    if (o + 2 > end || o + 2 + len > end) {
      ctx.problem(`[IPv6 option ${name}: length ${len} runs past the header]`, o, end - o);
      return;
    }
    sink.open(IPV6.opt, o, 2 + len, `IPv6 Option (${name})`);
    sink.field(IPV6.optType, o, 1, type, `${name} (${hex(type, 2)})`);
    sink.field(IPV6.optLength, o + 1, 1, len);
    if (type === 1 && len > 0) sink.field(IPV6.optPadn, o + 2, len, r.hexBytes(o + 2, len));
    if (type === 5 && len === 2) sink.field(IPV6.optRouterAlert, o + 2, 2, r.u16(o + 2));
    if (type === JUMBO_OPTION && len === 4) sink.field(IPV6.optJumbo, o + 2, 4, r.u32(o + 2));
    sink.close();
    o += 2 + len;
  }
}

/** Hop-by-hop (0) and destination options (60): next header, length, options. */
function optionsHeader(hop: boolean) {
  return (ctx: Ctx, off: number, end: number, reported: number): number => {
    const { r, sink } = ctx;
    const len = r.has(off + 1, 1) ? (r.u8(off + 1) + 1) * 8 : 8;
    sink.open(
      hop ? IPV6.hopopts : IPV6.dstopts,
      off,
      Math.max(0, Math.min(len, end - off)),
      hop ? 'IPv6 Hop-by-Hop Option' : 'Destination Options for IPv6',
    );
    if (!ctx.need(off, 2, 'IPv6 extension header')) return close(ctx, end - off);
    const nxt = r.u8(off);
    sink.field(hop ? IPV6.hopNxt : IPV6.dstNxt, off, 1, nxt);
    sink.field(hop ? IPV6.hopLen : IPV6.dstLen, off + 1, 1, r.u8(off + 1), `${r.u8(off + 1)} (${len} bytes)`);
    if (!ctx.need(off, len, 'IPv6 extension header')) return close(ctx, end - off);
    tlvOptions(ctx, off + 2, off + len);
    sink.close();
    return len + next(ctx, nxt, off + len, end, reported - len);
  };
}

function dissectRouting(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  const len = r.has(off + 1, 1) ? (r.u8(off + 1) + 1) * 8 : 8;
  sink.open(IPV6.routing, off, Math.max(0, Math.min(len, end - off)), 'Routing Header for IPv6');
  if (!ctx.need(off, 4, 'IPv6 routing header')) return close(ctx, end - off);
  const nxt = r.u8(off);
  sink.field(IPV6.routingNxt, off, 1, nxt);
  sink.field(IPV6.routingLen, off + 1, 1, r.u8(off + 1), `${r.u8(off + 1)} (${len} bytes)`);
  sink.field(IPV6.routingType, off + 2, 1, r.u8(off + 2));
  sink.field(IPV6.routingSegleft, off + 3, 1, r.u8(off + 3));
  if (!ctx.need(off, len, 'IPv6 routing header')) return close(ctx, end - off);
  // Segment routing (type 4) has its own layout, not shown as opaque data by Wireshark.
  if (r.u8(off + 2) !== 4) sink.field(IPV6.routingData, off + 4, len - 4, r.hexBytes(off + 4, len - 4));
  sink.close();
  return len + next(ctx, nxt, off + len, end, reported - len);
}

function dissectFragment(ctx: Ctx, off: number, end: number): number {
  const { r, sink } = ctx;
  sink.open(IPV6.fraghdr, off, Math.max(0, Math.min(8, end - off)), 'Fragment Header for IPv6');
  if (!ctx.need(off, 8, 'IPv6 fragment header')) return close(ctx, end - off);
  const nxt = r.u8(off);
  const offMore = r.u16(off + 2);
  sink.field(IPV6.fragNxt, off, 1, nxt);
  sink.field(IPV6.fragOffset, off + 2, 2, offMore >> 3);
  sink.field(IPV6.fragMore, off + 2, 2, offMore & 1);
  sink.field(IPV6.fragIdent, off + 4, 4, r.u32(off + 4));
  sink.close();
  // Like tshark (which reassembles, and SockLab does not), fragments carry no decoded payload.
  ctx.columns(
    'IPv6',
    `IPv6 fragment (off=${(offMore >> 3) * 8} more=${(offMore & 1) === 1 ? 'y' : 'n'} ident=${hex(r.u32(off + 4), 8)} nxt=${nxt})`,
  );
  return 8;
}

function next(ctx: Ctx, nxt: number, off: number, end: number, reported: number): number {
  if (nxt === 59) return 0;
  const before = ctx.protocol;
  const used = handOff(IP_PROTOCOLS, nxt, ctx, off, end, reported);
  if (!IP_PROTOCOLS.has(nxt) && before === ctx.protocol) {
    ctx.columns(IP_PROTO_NAMES[nxt] ?? 'IPv6', `${IP_PROTO_NAMES[nxt] ?? `IPv6 next header ${nxt}`} (${Math.max(0, reported)} bytes)`);
  }
  return used;
}

function close(ctx: Ctx, n: number): number {
  ctx.sink.close();
  return n;
}

/** IPv6 fixed header at `off`, then the chain of next headers. Returns the length it claims. */
export function dissectIpv6(ctx: Ctx, off: number, end: number, claimed: number): number {
  const { r, sink } = ctx;
  const reported = claimed < 0 ? end - off : claimed;
  sink.open(IPV6.proto, off, Math.max(0, Math.min(40, end - off)), 'Internet Protocol Version 6');
  if (!ctx.need(off, 1, 'IPv6 header')) return close(ctx, end - off);
  const version = r.u8(off) >> 4;
  sink.field(IP.version, off, 1, version);
  if (version !== 6) {
    sink.field(IPV6.version, off, 1, version, `${version} (bogus, must be 6)`, 'error');
    ctx.problem(`[Bogus IPv6 version (${version}, must be 6)]`, off, 1);
    return close(ctx, end - off);
  }
  sink.field(IPV6.version, off, 1, version);
  if (!ctx.need(off, 40, 'IPv6 header')) return close(ctx, end - off);
  const first = r.u32(off);
  const tclass = (first >>> 20) & 0xff;
  sink.field(IPV6.tclass, off, 4, tclass);
  sink.field(IPV6.dscp, off, 4, tclass >> 2);
  sink.field(IPV6.ecn, off, 4, tclass & 3);
  sink.field(IPV6.flow, off + 1, 3, first & 0xfffff);
  const plen = r.u16(off + 4);
  const nxt = r.u8(off + 6);
  // A jumbogram says 0 here and carries its length in a hop-by-hop Jumbo Payload option.
  const jumbo = plen === 0 && nxt === 0 ? jumboLength(ctx, off + 40) : null;
  const payloadLength = jumbo ?? plen;
  if (jumbo !== null) sink.field(IPV6.plen, off + 4, 2, plen, `0 (Jumbogram: ${jumbo} bytes)`);
  else sink.field(IPV6.plen, off + 4, 2, plen);
  sink.field(IPV6.nxt, off + 6, 1, nxt);
  sink.field(IPV6.hlim, off + 7, 1, r.u8(off + 7));
  const src = r.ipv6(off + 8);
  const dst = r.ipv6(off + 24);
  sink.field(IPV6.src, off + 8, 16, src);
  sink.field(IPV6.addr, off + 8, 16, src);
  sink.field(IPV6.dst, off + 24, 16, dst);
  sink.field(IPV6.addr, off + 24, 16, dst);
  if (40 + payloadLength > reported) ctx.problem(`[IPv6 payload length exceeds framing length (${reported - 40} bytes)]`, off + 4, 2);
  sink.close();
  ctx.addresses(src, dst);
  ctx.columns('IPv6', '');
  ctx.net = { family: 6, src, dst, srcOff: off + 8, dstOff: off + 24 };
  const layerPayload = Math.min(payloadLength, reported - 40);
  next(ctx, nxt, off + 40, Math.min(end, off + 40 + layerPayload), layerPayload);
  return 40 + layerPayload;
}

ETHERTYPES.set(0x86dd, dissectIpv6);
IP_PROTOCOLS.set(41, dissectIpv6);
IP_PROTOCOLS.set(0, optionsHeader(true));
IP_PROTOCOLS.set(60, optionsHeader(false));
IP_PROTOCOLS.set(43, dissectRouting);
IP_PROTOCOLS.set(44, dissectFragment);
// Next header 143: an Ethernet frame (SRv6 L2 services, RFC 8986).
IP_PROTOCOLS.set(143, (ctx, off, end, reported) => dissectEthernet(ctx, off, end, reported < 0 ? end - off : reported));
