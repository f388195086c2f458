/** ICMPv6: echo, errors with the quoted packet, and neighbour discovery (RS/RA/NS/NA, options). */
import { complement, pseudoHeaderSum, sum16 } from './checksum';
import { type Ctx, IP_PROTOCOLS } from './context';
import { field, hex, protocol } from './fields';
import { dissectQuoted } from './icmp';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable',
  2: 'Packet Too Big',
  3: 'Time Exceeded',
  4: 'Parameter Problem',
  160: 'Extended Echo request',
  161: 'Extended Echo reply',
  128: 'Echo (ping) request',
  129: 'Echo (ping) reply',
  133: 'Router Solicitation',
  134: 'Router Advertisement',
  135: 'Neighbor Solicitation',
  136: 'Neighbor Advertisement',
  137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

const OPT_NAMES: Readonly<Record<number, string>> = {
  1: 'Source link-layer address',
  2: 'Target link-layer address',
  3: 'Prefix information',
  4: 'Redirected header',
  5: 'MTU',
};

export const ICMPV6 = {
  proto: protocol('icmpv6', 'Internet Control Message Protocol v6'),
  type: field('icmpv6.type', 'Type', 'uint', { names: TYPE_NAMES }),
  code: field('icmpv6.code', 'Code', 'uint'),
  checksum: field('icmpv6.checksum', 'Checksum', 'uint', { hexDigits: 4 }),
  checksumStatus: field('icmpv6.checksum.status', 'Checksum Status', 'uint', { names: { 0: 'Bad', 1: 'Good', 2: 'Unverified' } }),
  reserved: field('icmpv6.reserved', 'Reserved', 'bytes'),
  mtu: field('icmpv6.mtu', 'MTU', 'uint'),
  pointer: field('icmpv6.pointer', 'Pointer', 'uint'),
  echoId: field('icmpv6.echo.identifier', 'Identifier', 'uint', { hexDigits: 4 }),
  echoSeq: field('icmpv6.echo.sequence_number', 'Sequence', 'uint'),
  raHopLimit: field('icmpv6.nd.ra.cur_hop_limit', 'Cur hop limit', 'uint'),
  raFlag: field('icmpv6.nd.ra.flag', 'Flags', 'uint', { hexDigits: 2 }),
  raLifetime: field('icmpv6.nd.ra.router_lifetime', 'Router lifetime (s)', 'uint'),
  raReachable: field('icmpv6.nd.ra.reachable_time', 'Reachable time (ms)', 'uint'),
  raRetrans: field('icmpv6.nd.ra.retrans_timer', 'Retrans timer (ms)', 'uint'),
  nsTarget: field('icmpv6.nd.ns.target_address', 'Target Address', 'ipv6'),
  naFlag: field('icmpv6.nd.na.flag', 'Flags', 'uint', { hexDigits: 8 }),
  naRouter: field('icmpv6.nd.na.flag.r', 'Router', 'bool'),
  naSolicited: field('icmpv6.nd.na.flag.s', 'Solicited', 'bool'),
  naOverride: field('icmpv6.nd.na.flag.o', 'Override', 'bool'),
  naTarget: field('icmpv6.nd.na.target_address', 'Target Address', 'ipv6'),
  opt: protocol('icmpv6.opt', 'ICMPv6 Option'),
  optType: field('icmpv6.opt.type', 'Type', 'uint', { names: OPT_NAMES }),
  optLength: field('icmpv6.opt.length', 'Length', 'uint'),
  optLinkaddr: field('icmpv6.opt.linkaddr', 'Link-layer address', 'bytes'),
  optSrcLinkaddr: field('icmpv6.opt.src_linkaddr', 'Source Link-layer address', 'bytes'),
  optTargetLinkaddr: field('icmpv6.opt.target_linkaddr', 'Target Link-layer address', 'bytes'),
  optPrefixLength: field('icmpv6.opt.prefix.length', 'Prefix Length', 'uint'),
  optPrefixFlag: field('icmpv6.opt.prefix.flag', 'Flag', 'uint', { hexDigits: 2 }),
  optValid: field('icmpv6.opt.prefix.valid_lifetime', 'Valid Lifetime', 'uint'),
  optPreferred: field('icmpv6.opt.prefix.preferred_lifetime', 'Preferred Lifetime', 'uint'),
  optPrefix: field('icmpv6.opt.prefix', 'Prefix', 'ipv6'),
  optMtu: field('icmpv6.opt.mtu', 'MTU', 'uint'),
} as const;

/** Neighbour discovery options from `off` to `end`; returns a short text for the Info column. */
function ndOptions(ctx: Ctx, off: number, end: number): string {
  const { r, sink } = ctx;
  let info = '';
  let o = off;
  while (o + 2 <= end) {
    const type = r.u8(o);
    const units = r.u8(o + 1);
    const len = units * 8;
    const name = OPT_NAMES[type] ?? `Unknown (${type})`;
    sink.open(ICMPV6.opt, o, Math.max(2, Math.min(len, end - o)), `ICMPv6 Option (${name})`);
    sink.field(ICMPV6.optType, o, 1, type);
    sink.field(ICMPV6.optLength, o + 1, 1, units, `${units} (${len} bytes)`);
    if (len === 0 || o + len > end) {
      sink.close();
      ctx.problem(`[ICMPv6 option length ${units} is ${len === 0 ? 'zero' : 'past the end of the message'}]`, o, end - o);
      return info;
    }
    if ((type === 1 || type === 2) && len >= 8) {
      const mac = r.mac(o + 2, len - 2);
      sink.field(ICMPV6.optLinkaddr, o + 2, len - 2, mac);
      sink.field(type === 1 ? ICMPV6.optSrcLinkaddr : ICMPV6.optTargetLinkaddr, o + 2, len - 2, mac);
      info += `${type === 1 ? ' from' : ' is at'} ${mac}`;
    } else if (type === 3 && len === 32) {
      sink.field(ICMPV6.optPrefixLength, o + 2, 1, r.u8(o + 2));
      sink.field(ICMPV6.optPrefixFlag, o + 3, 1, r.u8(o + 3));
      sink.field(ICMPV6.optValid, o + 4, 4, r.u32(o + 4));
      sink.field(ICMPV6.optPreferred, o + 8, 4, r.u32(o + 8));
      sink.field(ICMPV6.optPrefix, o + 16, 16, r.ipv6(o + 16));
      info += ` prefix ${r.ipv6(o + 16)}/${r.u8(o + 2)}`;
    } else if (type === 5 && len === 8) {
      sink.field(ICMPV6.optMtu, o + 4, 4, r.u32(o + 4));
    }
    sink.close();
    o += len;
  }
  return info;
}

function dissectIcmpv6(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(ICMPV6.proto, off, Math.max(0, end - off), 'Internet Control Message Protocol v6');
  if (!ctx.need(off, 4, 'ICMPv6 header')) {
    sink.close();
    return end - off;
  }
  const type = r.u8(off);
  const code = r.u8(off + 1);
  const checksum = r.u16(off + 2);
  sink.field(ICMPV6.type, off, 1, type);
  sink.field(ICMPV6.code, off + 1, 1, code);
  const length = reported < 0 ? end - off : reported;
  const net = ctx.net;
  if (net && r.has(off, length) && !ctx.quoted) {
    const pseudo = pseudoHeaderSum(r, net.family, net.srcOff, net.dstOff, 58, length);
    const computed = complement(sum16(r, off, length, pseudo) - checksum);
    const good = computed === checksum;
    sink.field(
      ICMPV6.checksum,
      off + 2,
      2,
      checksum,
      `${hex(checksum, 4)} [${good ? 'correct' : `incorrect, should be ${hex(computed, 4)}`}]`,
      good ? undefined : 'warn',
    );
    sink.field(ICMPV6.checksumStatus, off + 2, 0, good ? 1 : 0);
  } else {
    sink.field(ICMPV6.checksum, off + 2, 2, checksum);
    sink.field(ICMPV6.checksumStatus, off + 2, 0, 2);
  }
  let info = TYPE_NAMES[type] ?? `Unknown ICMPv6 type ${type}`;
  if (type >= 1 && type <= 4) {
    ctx.setMark('icmp-error');
    if (ctx.need(off + 4, 4, 'ICMPv6 header')) {
      if (type === 2) sink.field(ICMPV6.mtu, off + 4, 4, r.u32(off + 4));
      else if (type === 4) sink.field(ICMPV6.pointer, off + 4, 4, r.u32(off + 4));
      else sink.field(ICMPV6.reserved, off + 4, 4, r.hexBytes(off + 4, 4));
      dissectQuoted(ctx, 0x86dd, off + 8, end);
    }
  } else if (type === 128 || type === 129 || type === 160 || type === 161) {
    if (ctx.need(off + 4, 4, 'ICMPv6 echo header')) {
      const id = r.u16(off + 4);
      const seq = r.u16(off + 6);
      sink.field(ICMPV6.echoId, off + 4, 2, id);
      sink.field(ICMPV6.echoSeq, off + 6, 2, seq);
      info += ` id=${hex(id, 4)}, seq=${seq}`;
      if (net && !ctx.quoted) info += `, hop limit=${r.u8(net.srcOff - 1)}`;
    }
  } else if (type === 133) {
    if (ctx.need(off + 4, 4, 'Router Solicitation')) {
      sink.field(ICMPV6.reserved, off + 4, 4, r.hexBytes(off + 4, 4));
      info += ndOptions(ctx, off + 8, end);
    }
  } else if (type === 134) {
    if (ctx.need(off + 4, 12, 'Router Advertisement')) {
      sink.field(ICMPV6.raHopLimit, off + 4, 1, r.u8(off + 4));
      sink.field(ICMPV6.raFlag, off + 5, 1, r.u8(off + 5));
      sink.field(ICMPV6.raLifetime, off + 6, 2, r.u16(off + 6));
      sink.field(ICMPV6.raReachable, off + 8, 4, r.u32(off + 8));
      sink.field(ICMPV6.raRetrans, off + 12, 4, r.u32(off + 12));
      info += ndOptions(ctx, off + 16, end);
    }
  } else if (type === 135) {
    if (ctx.need(off + 4, 20, 'Neighbor Solicitation')) {
      sink.field(ICMPV6.reserved, off + 4, 4, r.hexBytes(off + 4, 4));
      const target = r.ipv6(off + 8);
      sink.field(ICMPV6.nsTarget, off + 8, 16, target);
      info += ` for ${target}${ndOptions(ctx, off + 24, end)}`;
    }
  } else if (type === 136) {
    if (ctx.need(off + 4, 20, 'Neighbor Advertisement')) {
      const flags = r.u32(off + 4);
      sink.open(ICMPV6.naFlag, off + 4, 4, `Flags: ${hex(flags, 8)}`, flags);
      sink.field(ICMPV6.naRouter, off + 4, 1, flags >>> 31);
      sink.field(ICMPV6.naSolicited, off + 4, 1, (flags >>> 30) & 1);
      sink.field(ICMPV6.naOverride, off + 4, 1, (flags >>> 29) & 1);
      sink.close();
      const target = r.ipv6(off + 8);
      sink.field(ICMPV6.naTarget, off + 8, 16, target);
      info += ` ${target} (${[flags >>> 31 ? 'rtr' : '', (flags >>> 30) & 1 ? 'sol' : '', (flags >>> 29) & 1 ? 'ovr' : ''].filter(Boolean).join(', ')})${ndOptions(ctx, off + 24, end)}`;
    }
  }
  sink.close();
  ctx.columns('ICMPv6', info);
  // As for ICMP: no flow unless the 8-byte header is in this layer.
  if (!ctx.quoted && net && r.has(off, 8)) {
    ctx.flow = {
      proto: 'icmpv6',
      family: 6,
      src: net.src,
      dst: net.dst,
      srcPort: 0,
      dstPort: 0,
      payloadOffset: off + 8,
      payloadLength: Math.max(0, end - off - 8),
    };
  }
  return end - off;
}

IP_PROTOCOLS.set(58, dissectIcmpv6);
