/** IPv4: header fields, options, fragments and the header checksum (checked). */
import { complement, sum16 } from './checksum';
import { type Ctx, ETHERTYPES, handOff, IP_PROTOCOLS } from './context';
import { field, hex, protocol } from './fields';

export const IP_PROTO_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop Option',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'Routing Header for IPv6',
  44: 'Fragment Header for IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'IPv6 No Next Header',
  60: 'Destination Options for IPv6',
  103: 'PIM',
  132: 'SCTP',
  143: 'Ethernet',
};

export const IP = {
  proto: protocol('ip', 'Internet Protocol Version 4'),
  version: field('ip.version', 'Version', 'uint'),
  hdrLen: field('ip.hdr_len', 'Header Length', 'uint'),
  dsfield: field('ip.dsfield', 'Differentiated Services Field', 'uint', { hexDigits: 2 }),
  dscp: field('ip.dsfield.dscp', 'Differentiated Services Codepoint', 'uint'),
  ecn: field('ip.dsfield.ecn', 'Explicit Congestion Notification', 'uint'),
  len: field('ip.len', 'Total Length', 'uint'),
  id: field('ip.id', 'Identification', 'uint', { hexDigits: 4 }),
  flags: field('ip.flags', 'Flags', 'uint', { hexDigits: 2 }),
  rb: field('ip.flags.rb', 'Reserved bit', 'bool'),
  df: field('ip.flags.df', "Don't fragment", 'bool'),
  mf: field('ip.flags.mf', 'More fragments', 'bool'),
  fragOffset: field('ip.frag_offset', 'Fragment Offset', 'uint'),
  ttl: field('ip.ttl', 'Time to Live', 'uint'),
  protocol: field('ip.proto', 'Protocol', 'uint', { names: IP_PROTO_NAMES }),
  checksum: field('ip.checksum', 'Header Checksum', 'uint', { hexDigits: 4 }),
  checksumCalculated: field('ip.checksum_calculated', 'Calculated Checksum', 'uint', { hexDigits: 4 }),
  checksumStatus: field('ip.checksum.status', 'Header checksum status', 'uint', { names: { 0: 'Bad', 1: 'Good', 2: 'Unverified' } }),
  src: field('ip.src', 'Source Address', 'ipv4'),
  dst: field('ip.dst', 'Destination Address', 'ipv4'),
  addr: field('ip.addr', 'Source or Destination Address', 'ipv4', { hidden: true }),
  options: field('ip.options', 'Options', 'bytes'),
  optType: field('ip.opt.type', 'Type', 'uint'),
  optLen: field('ip.opt.len', 'Length', 'uint'),
  optPtr: field('ip.opt.ptr', 'Pointer', 'uint'),
  optRa: field('ip.opt.ra', 'Router Alert', 'uint'),
  optAddr: field('ip.opt.addr', 'IP Address', 'ipv4'),
} as const;

const OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Options List (EOL)',
  1: 'No Operation (NOP)',
  7: 'Record Route (RR)',
  68: 'Time Stamp (TS)',
  130: 'Security (SEC)',
  131: 'Loose Source Route (LSR)',
  137: 'Strict Source Route (SSR)',
  148: 'Router Alert (RA)',
};

/** IPv4 options between the fixed header and `end` (the header length). */
function options(ctx: Ctx, off: number, end: number): void {
  const { r, sink } = ctx;
  if (sink.wantsFields) sink.field(IP.options, off, end - off, r.hexBytes(off, end - off), `(${end - off} bytes)`);
  let o = off;
  while (o < end) {
    const type = r.u8(o);
    const name = OPTION_NAMES[type] ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
    if (type === 0 || type === 1) {
      sink.open(IP.optType, o, 1, `IP Option - ${name}`);
      sink.field(IP.optType, o, 1, type);
      sink.close();
      o += 1;
      if (type === 0) break;
      continue;
    }
    const len = o + 2 <= end ? r.u8(o + 1) : 0;
    if (o + 2 > end || len < 2 || o + len > end) {
      ctx.problem(`[IP option ${name}: length ${len} is bogus]`, o, end - o);
      return;
    }
    sink.open(IP.optType, o, len, `IP Option - ${name} (${len} bytes)`);
    sink.field(IP.optType, o, 1, type);
    sink.field(IP.optLen, o + 1, 1, len);
    if (type === 148 && len === 4) sink.field(IP.optRa, o + 2, 2, r.u16(o + 2));
    if (type === 68 && len >= 3) sink.field(IP.optPtr, o + 2, 1, r.u8(o + 2));
    if ((type === 7 || type === 131 || type === 137) && len >= 3) {
      sink.field(IP.optPtr, o + 2, 1, r.u8(o + 2));
      for (let a = o + 3; a + 4 <= o + len; a += 4) sink.field(IP.optAddr, a, 4, r.ipv4(a));
    }
    sink.close();
    o += len;
  }
}

/**
 * IPv4 header at `off`; hands the payload on by protocol number unless it is a non-first
 * fragment (SockLab does not reassemble). Returns the total length the header claims.
 */
export function dissectIpv4(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  const b0 = r.has(off, 1) ? r.u8(off) : 0;
  const version = b0 >> 4;
  const hlen = (b0 & 15) * 4;
  sink.open(IP.proto, off, Math.max(0, Math.min(hlen || 20, end - off)), 'Internet Protocol Version 4');
  if (!ctx.need(off, 1, 'IPv4 header')) return closeWith(ctx, end - off);
  if (version === 6 && ETHERTYPES.has(0x86dd)) {
    // Like Wireshark, an IPv6 packet where IPv4 was announced is decoded as IPv6.
    sink.close();
    return handOff(ETHERTYPES, 0x86dd, ctx, off, end, reported);
  }
  if (version !== 4) {
    sink.field(IP.version, off, 1, version, `${version} (bogus, must be 4)`, 'error');
    ctx.problem(`[Bogus IP version (${version}, must be 4)]`, off, 1);
    ctx.columns('IPv4', `Bogus IP version (${version})`);
    return closeWith(ctx, end - off);
  }
  sink.field(IP.version, off, 1, version);
  if (hlen < 20) {
    sink.field(IP.hdrLen, off, 1, hlen, `${hlen} bytes (bogus, must be at least 20)`, 'error');
    ctx.problem(`[Bogus IP header length (${hlen}, must be at least 20)]`, off, 1);
    ctx.columns('IPv4', `Bogus IPv4 header length (${hlen})`);
    return closeWith(ctx, end - off);
  }
  sink.field(IP.hdrLen, off, 1, hlen, `${hlen} bytes (${hlen / 4})`);
  if (!ctx.need(off, 2, 'IPv4 header')) return closeWith(ctx, end - off);
  const ds = r.u8(off + 1);
  sink.field(IP.dsfield, off + 1, 1, ds);
  sink.field(IP.dscp, off + 1, 1, ds >> 2);
  sink.field(IP.ecn, off + 1, 1, ds & 3);
  if (!ctx.need(off + 2, 2, 'IPv4 header')) return closeWith(ctx, end - off);
  let totalLen = r.u16(off + 2);
  if (totalLen === 0) {
    // TCP segmentation offload: the kernel leaves 0 here; the frame gives the length.
    totalLen = Math.max(0, reported);
    sink.field(
      IP.len,
      off + 2,
      2,
      totalLen,
      `${totalLen} (reported as 0, presumed to be because of "TCP segmentation offload" (TSO))`,
      'note',
    );
  } else if (totalLen < hlen) {
    sink.field(IP.len, off + 2, 2, totalLen, `${totalLen} (bogus, must be at least ${hlen})`, 'error');
    ctx.problem(`[Bogus IP length (${totalLen}, less than header length ${hlen})]`, off + 2, 2);
    return closeWith(ctx, end - off);
  } else {
    sink.field(IP.len, off + 2, 2, totalLen);
  }
  if (!ctx.need(off + 4, 2, 'IPv4 header')) return closeWith(ctx, end - off);
  const id = r.u16(off + 4);
  sink.field(IP.id, off + 4, 2, id, `${hex(id, 4)} (${id})`);
  if (!ctx.need(off + 6, 2, 'IPv4 header')) return closeWith(ctx, end - off);
  const ff = r.u16(off + 6);
  const mf = (ff >> 13) & 1;
  const fragOffset = ff & 0x1fff;
  sink.open(
    IP.flags,
    off + 6,
    1,
    `Flags: ${hex(ff >> 13, 2)}${ff & 0x4000 ? ", Don't fragment" : ''}${mf ? ', More fragments' : ''}`,
    ff >> 13,
  );
  sink.field(IP.rb, off + 6, 1, (ff >> 15) & 1);
  sink.field(IP.df, off + 6, 1, (ff >> 14) & 1);
  sink.field(IP.mf, off + 6, 1, mf);
  sink.close();
  sink.field(IP.fragOffset, off + 6, 2, fragOffset, `${fragOffset * 8} bytes (${fragOffset})`);
  if (!ctx.need(off + 8, 1, 'IPv4 header')) return closeWith(ctx, end - off);
  sink.field(IP.ttl, off + 8, 1, r.u8(off + 8));
  if (!ctx.need(off + 9, 1, 'IPv4 header')) return closeWith(ctx, end - off);
  const proto = r.u8(off + 9);
  sink.field(IP.protocol, off + 9, 1, proto);
  if (!ctx.need(off + 10, 2, 'IPv4 header')) return closeWith(ctx, end - off);
  const checksum = r.u16(off + 10);
  if (r.has(off, hlen)) {
    const computed = complement(sum16(r, off, hlen) - checksum);
    const good = computed === checksum;
    sink.field(
      IP.checksum,
      off + 10,
      2,
      checksum,
      `${hex(checksum, 4)} [${good ? 'correct' : `incorrect, should be ${hex(computed, 4)}`}]`,
      good ? undefined : 'warn',
    );
    sink.field(IP.checksumCalculated, off + 10, 2, computed);
    sink.field(IP.checksumStatus, off + 10, 0, good ? 1 : 0);
    if (!good) ctx.problem(`[Bad IPv4 header checksum: ${hex(checksum, 4)}, should be ${hex(computed, 4)}]`, off + 10, 2, 'warn');
  } else {
    sink.field(IP.checksum, off + 10, 2, checksum);
    sink.field(IP.checksumStatus, off + 10, 0, 2);
  }
  if (!ctx.need(off + 12, 4, 'IPv4 source address')) return closeWith(ctx, end - off);
  const src = r.ipv4(off + 12);
  sink.field(IP.src, off + 12, 4, src);
  sink.field(IP.addr, off + 12, 4, src);
  if (!ctx.need(off + 16, 4, 'IPv4 destination address')) return closeWith(ctx, end - off);
  const dst = r.ipv4(off + 16);
  sink.field(IP.dst, off + 16, 4, dst);
  sink.field(IP.addr, off + 16, 4, dst);
  ctx.addresses(src, dst);
  ctx.columns('IPv4', '');
  ctx.net = { family: 4, src, dst, srcOff: off + 12, dstOff: off + 16 };
  if (hlen > 20) {
    if (!ctx.need(off + 20, hlen - 20, 'IPv4 options')) return closeWith(ctx, end - off);
    options(ctx, off + 20, off + hlen);
  }
  if (totalLen > reported) ctx.problem(`[IPv4 total length exceeds packet length (${reported} bytes)]`, off + 2, 2);
  sink.close();
  const layerLen = Math.min(totalLen, reported);
  const payloadEnd = Math.min(end, off + layerLen);
  let payloadReported = layerLen - hlen;
  if (fragOffset !== 0 || mf) {
    ctx.columns(
      'IPv4',
      `Fragmented IP protocol (proto=${IP_PROTO_NAMES[proto] ?? proto} ${proto}, off=${fragOffset * 8}, ID=${id.toString(16).padStart(4, '0')})`,
    );
    // Like tshark: a fragment whose bytes are all here goes to reassembly (which SockLab does not
    // do, being stateless), and a later fragment is just data. A cut-short first fragment is
    // decoded as far as it goes, with its length unknown.
    if (fragOffset !== 0 || (totalLen > hlen && r.has(off + hlen, totalLen - hlen))) return layerLen;
    payloadReported = -1;
  }
  const before = ctx.protocol;
  // For a cut-short first fragment the payload's true length is unknown (-1): tshark then
  // gives no tcp.len either.
  const used = handOff(IP_PROTOCOLS, proto, ctx, off + hlen, payloadEnd, payloadReported);
  if (used === 0 && before === ctx.protocol && !IP_PROTOCOLS.has(proto)) {
    ctx.columns(IP_PROTO_NAMES[proto] ?? 'IPv4', `${IP_PROTO_NAMES[proto] ?? `IP protocol ${proto}`} (${layerLen - hlen} bytes)`);
  }
  return layerLen;
}

function closeWith(ctx: Ctx, n: number): number {
  ctx.sink.close();
  return n;
}

ETHERTYPES.set(0x0800, dissectIpv4);
IP_PROTOCOLS.set(4, dissectIpv4);
