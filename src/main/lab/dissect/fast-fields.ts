/**
 * A fast field reader for display filters over many packets: the common fields (protocol
 * presence, addresses, ports, TCP flags, lengths) read at computed offsets straight from the
 * stored bytes, with no tree, no field map and, for repeated values, no allocation per packet.
 *
 * It gives EXACTLY what `fieldValues` gives for those fields, or declines: `load` returns false
 * for every packet whose shape it does not fully follow (VLAN tags, tunnels, fragments, ICMPv6
 * errors, an ICMP error quoted inside another, IPv6 extension headers, truncated or bogus
 * headers, ...), and
 * the caller then runs the full dissector. test/unit/fast-fields.test.ts compares both over
 * every fixture packet.
 */
import { ETHERTYPES, IP_PROTOCOLS, UDP_PORTS } from './context';
import { hex } from './fields';
import { ByteReader } from './reader';
import { LINKTYPE, type FieldLookup } from './types';

type Values = readonly string[];

/** Field names the fast reader answers; a filter may use it only when all its fields are here. */
export const FAST_FIELDS: ReadonlySet<string> = new Set([
  'frame.len',
  'eth',
  'eth.src',
  'eth.dst',
  'eth.type',
  'arp',
  'arp.opcode',
  'ip',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.ttl',
  'ip.len',
  'ip.hdr_len',
  'ipv6',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.plen',
  'ipv6.hlim',
  'tcp',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.len',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.hdr_len',
  'tcp.flags',
  'tcp.flags.res',
  'tcp.flags.ae',
  'tcp.flags.cwr',
  'tcp.flags.ece',
  'tcp.flags.urg',
  'tcp.flags.ack',
  'tcp.flags.push',
  'tcp.flags.reset',
  'tcp.flags.syn',
  'tcp.flags.fin',
  'tcp.window_size_value',
  'udp',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp',
  'icmp.type',
  'icmp.code',
  'icmpv6',
  'icmpv6.type',
  'icmpv6.code',
]);

/** Whether every one of `fields` (a compiled filter's field list) is answered by the fast reader. */
export function fastFieldsCover(fields: readonly string[]): boolean {
  return fields.every((name) => FAST_FIELDS.has(name));
}

const PRESENT: Values = Object.freeze(['']);
const BOOL: readonly Values[] = [Object.freeze(['0']), Object.freeze(['1'])];

// Value texts are interned: a capture repeats a few addresses and ports millions of times.
const decimals: (Values | undefined)[] = [];
function decimal(n: number): Values {
  if (n < 65536) return (decimals[n] ??= Object.freeze([String(n)]));
  return [String(n)];
}
const hex4: (Values | undefined)[] = [];
function hexWord(n: number): Values {
  return (hex4[n] ??= Object.freeze([hex(n, 4)]));
}

/** A bounded interning table: cleared when full, so a scan of random addresses stays bounded. */
class Interned<K> {
  private map = new Map<K, Values>();
  constructor(private limit: number) {}
  get(key: K, make: () => string, made?: readonly string[]): Values {
    let values = this.map.get(key);
    if (values === undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      values = Object.freeze(made ?? [make()]);
      this.map.set(key, values);
    }
    return values;
  }
}

const L_NONE = 0;
const L_TCP = 1;
const L_UDP = 2;
const L_ICMP = 3;
const L_ICMPV6 = 4;

/**
 * Reads one packet at a time (`load`), then answers `lookup(name)` for it. Reuse one reader
 * for a whole scan: it keeps no per-packet objects, only numbers. Layer 0 is the packet, layer
 * 1 the IPv4 packet an ICMP error quotes (its fields come second, as the dissector emits them).
 */
export class FastFieldReader {
  private bytes: Uint8Array = new Uint8Array(0);
  private base = 0;
  private caplen = 0;
  private frameLen = 0;
  private ethOff = -1;
  private ethType = -1;
  private arpOff = -1;
  private ip6Off = -1;
  private layers = 1;
  private readonly ip4Off = new Int32Array(2);
  private readonly l4 = new Int32Array(2);
  private readonly l4Off = new Int32Array(2);
  private readonly segLen = new Int32Array(2);
  private readonly ipv4Texts = new Interned<number>(1 << 16);
  private readonly macTexts = new Interned<number>(1 << 14);
  private readonly ipv6Texts = new Interned<string>(1 << 14);
  private readonly pairs = new Interned<string>(1 << 14);
  private readonly getters: ReadonlyMap<string, () => Values | undefined>;

  /** The current packet's fields, for a compiled filter's `test`. */
  readonly lookup: FieldLookup = (name) => this.getters.get(name)?.();

  constructor() {
    type Layered = (i: number) => Values | undefined;
    const both = (f: Layered) => () => {
      const outer = f(0);
      if (this.layers === 1) return outer;
      const inner = f(1);
      if (outer === undefined) return inner;
      if (inner === undefined) return outer;
      return this.pairs.get(`${outer[0]}\n${inner[0]}`, () => '', [outer[0], inner[0]]);
    };
    const ip = (f: (off: number) => Values) => both((i) => (this.ip4Off[i] >= 0 ? f(this.ip4Off[i]) : undefined));
    const on = (kind: number, f: (off: number, i: number) => Values) =>
      both((i) => (this.l4[i] === kind ? f(this.l4Off[i], i) : undefined));
    const flag = (shift: number, mask = 1) => on(L_TCP, (off) => BOOL[(this.flags(off) >> shift) & mask ? 1 : 0]);
    this.getters = new Map<string, () => Values | undefined>([
      ['frame.len', () => decimal(this.frameLen)],
      ['eth', () => (this.ethOff >= 0 ? PRESENT : undefined)],
      ['eth.src', () => (this.ethOff >= 0 ? this.mac(this.ethOff + 6) : undefined)],
      ['eth.dst', () => (this.ethOff >= 0 ? this.mac(this.ethOff) : undefined)],
      ['eth.type', () => (this.ethOff >= 0 && this.ethType > 1500 ? hexWord(this.ethType) : undefined)],
      ['arp', () => (this.arpOff >= 0 ? PRESENT : undefined)],
      ['arp.opcode', () => (this.arpOff >= 0 ? decimal(this.u16(this.arpOff + 6)) : undefined)],
      ['ip', ip(() => PRESENT)],
      ['ip.src', ip((off) => this.ipv4(off + 12))],
      ['ip.dst', ip((off) => this.ipv4(off + 16))],
      ['ip.proto', ip((off) => decimal(this.u8(off + 9)))],
      ['ip.ttl', ip((off) => decimal(this.u8(off + 8)))],
      ['ip.len', ip((off) => decimal(this.u16(off + 2)))],
      ['ip.hdr_len', ip((off) => decimal((this.u8(off) & 15) * 4))],
      ['ipv6', () => (this.ip6Off >= 0 ? PRESENT : undefined)],
      ['ipv6.src', () => (this.ip6Off >= 0 ? this.ipv6(this.ip6Off + 8) : undefined)],
      ['ipv6.dst', () => (this.ip6Off >= 0 ? this.ipv6(this.ip6Off + 24) : undefined)],
      ['ipv6.nxt', () => (this.ip6Off >= 0 ? decimal(this.u8(this.ip6Off + 6)) : undefined)],
      ['ipv6.plen', () => (this.ip6Off >= 0 ? decimal(this.u16(this.ip6Off + 4)) : undefined)],
      ['ipv6.hlim', () => (this.ip6Off >= 0 ? decimal(this.u8(this.ip6Off + 7)) : undefined)],
      ['tcp', on(L_TCP, () => PRESENT)],
      ['tcp.srcport', on(L_TCP, (off) => decimal(this.u16(off)))],
      ['tcp.dstport', on(L_TCP, (off) => decimal(this.u16(off + 2)))],
      ['tcp.len', on(L_TCP, (_off, i) => decimal(this.segLen[i]))],
      ['tcp.seq_raw', on(L_TCP, (off) => decimal(this.u32(off + 4)))],
      ['tcp.ack_raw', on(L_TCP, (off) => decimal(this.u32(off + 8)))],
      ['tcp.hdr_len', on(L_TCP, (off) => decimal((this.u8(off + 12) >> 4) * 4))],
      ['tcp.flags', on(L_TCP, (off) => hexWord(this.flags(off)))],
      ['tcp.flags.res', flag(9, 7)],
      ['tcp.flags.ae', flag(8)],
      ['tcp.flags.cwr', flag(7)],
      ['tcp.flags.ece', flag(6)],
      ['tcp.flags.urg', flag(5)],
      ['tcp.flags.ack', flag(4)],
      ['tcp.flags.push', flag(3)],
      ['tcp.flags.reset', flag(2)],
      ['tcp.flags.syn', flag(1)],
      ['tcp.flags.fin', flag(0)],
      ['tcp.window_size_value', on(L_TCP, (off) => decimal(this.u16(off + 14)))],
      ['udp', on(L_UDP, () => PRESENT)],
      ['udp.srcport', on(L_UDP, (off) => decimal(this.u16(off)))],
      ['udp.dstport', on(L_UDP, (off) => decimal(this.u16(off + 2)))],
      ['udp.length', on(L_UDP, (off) => decimal(this.u16(off + 4)))],
      ['icmp', on(L_ICMP, () => PRESENT)],
      ['icmp.type', on(L_ICMP, (off) => decimal(this.u8(off)))],
      ['icmp.code', on(L_ICMP, (off) => decimal(this.u8(off + 1)))],
      ['icmpv6', on(L_ICMPV6, () => PRESENT)],
      ['icmpv6.type', on(L_ICMPV6, (off) => decimal(this.u8(off)))],
      ['icmpv6.code', on(L_ICMPV6, (off) => decimal(this.u8(off + 1)))],
    ]);
    for (const name of this.getters.keys()) if (!FAST_FIELDS.has(name)) throw new Error(`fast field ${name} is not listed`);
  }

  /**
   * Takes the packet at `bytes[start .. start+caplen)` (`origLen` on the wire). Returns false when
   * the packet needs the full dissector; `lookup` is then meaningless until the next load.
   */
  load(bytes: Uint8Array, start: number, caplen: number, linkType: number, origLen: number): boolean {
    this.bytes = bytes;
    this.base = start;
    this.caplen = caplen;
    this.frameLen = origLen;
    this.ethOff = this.ethType = this.arpOff = this.ip6Off = -1;
    this.layers = 1;
    this.ip4Off.fill(-1);
    this.l4.fill(L_NONE);
    this.segLen.fill(-1);
    const reported = Math.max(origLen, caplen);
    switch (linkType) {
      case LINKTYPE.ETHERNET: {
        if (caplen < 14) return false;
        this.ethOff = 0;
        this.ethType = this.u16(12);
        return this.ethType <= 1500 || this.network(this.ethType, 14, reported - 14);
      }
      case LINKTYPE.LINUX_SLL: {
        if (caplen < 16) return false;
        const proto = this.u16(14);
        return proto <= 1536 || this.network(proto, 16, reported - 16);
      }
      case LINKTYPE.LINUX_SLL2:
        return caplen >= 20 && this.network(this.u16(0), 20, reported - 20);
      case LINKTYPE.RAW:
      case 12:
      case 14:
        return caplen >= 1 && this.network(this.u8(0) >> 4 === 6 ? 0x86dd : 0x0800, 0, reported);
      case LINKTYPE.IPV4:
        return this.network(0x0800, 0, reported);
      case LINKTYPE.IPV6:
        return this.network(0x86dd, 0, reported);
      default:
        return false;
    }
  }

  /** An ethertype's payload at `off`, as the dissector's ETHERTYPES hand-off would take it. */
  private network(type: number, off: number, reported: number): boolean {
    if (reported === 0 && off >= this.caplen) return true; // handOff passes nothing on
    if (type === 0x0800) return this.ipv4Layer(0, off, this.caplen, reported);
    if (type === 0x86dd) return this.ipv6Layer(off, reported);
    if (type === 0x0806) {
      if (off + 8 > this.caplen) return false;
      this.arpOff = off;
      return true;
    }
    return !ETHERTYPES.has(type);
  }

  /** IPv4 at `off` in layer `i`; `end` is where the bytes above it let it end. */
  private ipv4Layer(i: number, off: number, end: number, reported: number): boolean {
    if (off + 20 > this.caplen) return false;
    const b0 = this.u8(off);
    const hlen = (b0 & 15) * 4;
    if (b0 >> 4 !== 4 || hlen < 20 || off + hlen > this.caplen) return false;
    const totalLen = this.u16(off + 2);
    if (totalLen === 0 || totalLen < hlen) return false;
    if ((this.u16(off + 6) & 0x3fff) !== 0) return false; // a fragment (MF or offset)
    this.ip4Off[i] = off;
    // A total length beyond the frame (or beyond an ICMP error's quote) is marked malformed by
    // the dissector, which then decodes what is there: so does this.
    const layerLen = Math.min(totalLen, reported);
    return this.transport(i, this.u8(off + 9), off + hlen, Math.min(end, off + layerLen), layerLen - hlen, false);
  }

  private ipv6Layer(off: number, reported: number): boolean {
    if (off + 40 > this.caplen || this.u8(off) >> 4 !== 6) return false;
    const plen = this.u16(off + 4);
    if (40 + plen > reported) return false;
    this.ip6Off = off;
    const nxt = this.u8(off + 6);
    if (nxt === 59) return true;
    return this.transport(0, nxt, off + 40, Math.min(this.caplen, off + 40 + plen), plen, true);
  }

  /** The IP payload at `off` in layer `i`: `end` is where its captured bytes stop, `reported` its length. */
  private transport(i: number, proto: number, off: number, end: number, reported: number, v6: boolean): boolean {
    const known = proto === 6 || proto === 17 || proto === 1 || (proto === 58 && v6);
    if (!known) return !IP_PROTOCOLS.has(proto);
    if (reported === 0 && off >= end) return true; // handOff passes nothing on
    // The dissectors read only what the IP layer holds (never an Ethernet trailer): so does this.
    const captured = end - off;
    this.l4Off[i] = off;
    if (proto === 6) {
      if (captured < 20) return false;
      const hlen = (this.u8(off + 12) >> 4) * 4;
      if (hlen < 20 || reported < hlen) return false;
      this.segLen[i] = reported - hlen;
      this.l4[i] = L_TCP;
      return true;
    }
    if (proto === 17) {
      if (captured < 8) return false;
      const length = this.u16(off + 4);
      if (length < 8 || length > reported) return false;
      if (UDP_PORTS.has(this.u16(off)) || UDP_PORTS.has(this.u16(off + 2))) return false; // a tunnel
      this.l4[i] = L_UDP;
      return true;
    }
    if (captured < 4) return false;
    const type = this.u8(off);
    if (proto === 1) {
      if (v6) return false;
      // An echo cut before its identifier is malformed with no ICMP field: the dissector's case.
      if ((type === 0 || type === 8) && captured < 8) return false;
      this.l4[i] = L_ICMP;
      if (type !== 3 && type !== 4 && type !== 5 && type !== 11 && type !== 12) return true;
      // An ICMP error quotes the offending IPv4 packet: the dissector decodes it as a second
      // layer (once: a quoted error inside a quoted error goes to the full dissector).
      if (i === 1) return false;
      if (captured < 8) return true; // too short to quote anything
      const quoted = off + 8;
      if (quoted >= end) return true;
      this.layers = 2;
      return this.ipv4Layer(1, quoted, end, end - quoted);
    }
    if (type >= 1 && type <= 4) return false;
    this.l4[i] = L_ICMPV6;
    return true;
  }

  private flags(tcpOff: number): number {
    return this.u16(tcpOff + 12) & 0xfff;
  }

  private u8(off: number): number {
    return this.bytes[this.base + off];
  }

  private u16(off: number): number {
    const at = this.base + off;
    return (this.bytes[at] << 8) | this.bytes[at + 1];
  }

  private u32(off: number): number {
    return this.u16(off) * 65536 + this.u16(off + 2);
  }

  /** The dissector's own formatting (ByteReader), run once per distinct value. */
  private reader(): ByteReader {
    return new ByteReader(this.bytes.subarray(this.base, this.base + this.caplen));
  }

  private ipv4(off: number): Values {
    return this.ipv4Texts.get(this.u32(off), () => this.reader().ipv4(off));
  }

  private mac(off: number): Values {
    return this.macTexts.get(this.u16(off) * 2 ** 32 + this.u32(off + 2), () => this.reader().mac(off));
  }

  private ipv6(off: number): Values {
    let key = '';
    for (let i = 0; i < 16; i += 2) key += String.fromCharCode(this.u16(off + i));
    return this.ipv6Texts.get(key, () => this.reader().ipv6(off));
  }
}
