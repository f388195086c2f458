/** ARP (Ethernet/IPv4 addresses typed; other sizes as bytes). */
import { type Ctx, ETHERTYPES } from './context';
import { field, protocol } from './fields';
import { ETHERTYPE_NAMES } from './eth';

export const ARP = {
  proto: protocol('arp', 'Address Resolution Protocol'),
  hwType: field('arp.hw.type', 'Hardware type', 'uint', { names: { 1: 'Ethernet' } }),
  protoType: field('arp.proto.type', 'Protocol type', 'uint', { hexDigits: 4, names: ETHERTYPE_NAMES }),
  hwSize: field('arp.hw.size', 'Hardware size', 'uint'),
  protoSize: field('arp.proto.size', 'Protocol size', 'uint'),
  opcode: field('arp.opcode', 'Opcode', 'uint', { names: { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply' } }),
  srcHwMac: field('arp.src.hw_mac', 'Sender MAC address', 'ether'),
  srcHw: field('arp.src.hw', 'Sender hardware address', 'bytes'),
  srcIpv4: field('arp.src.proto_ipv4', 'Sender IP address', 'ipv4'),
  srcProto: field('arp.src.proto', 'Sender protocol address', 'bytes'),
  dstHwMac: field('arp.dst.hw_mac', 'Target MAC address', 'ether'),
  dstHw: field('arp.dst.hw', 'Target hardware address', 'bytes'),
  dstIpv4: field('arp.dst.proto_ipv4', 'Target IP address', 'ipv4'),
  dstProto: field('arp.dst.proto', 'Target protocol address', 'bytes'),
} as const;

/** The Info column, as Wireshark writes it for ARP and RARP. */
function arpInfo(op: number, sha = '?', sip = '?', tha = '?', tip = '?'): string {
  switch (op) {
    case 1:
      return `Who has ${tip}? Tell ${sip}`;
    case 2:
      return `${sip} is at ${sha}`;
    case 3:
      return `Who is ${tha}? Tell ${sha}`;
    case 4:
      return `${tha} is at ${tip}`;
    default:
      return `ARP opcode ${op}`;
  }
}

function dissectArp(ctx: Ctx, off: number, end: number): number {
  const { r, sink } = ctx;
  sink.open(ARP.proto, off, Math.max(0, end - off), 'Address Resolution Protocol');
  if (!ctx.need(off, 8, 'ARP header')) {
    sink.close();
    return end - off;
  }
  const hwType = r.u16(off);
  const protoType = r.u16(off + 2);
  const hs = r.u8(off + 4);
  const ps = r.u8(off + 5);
  const op = r.u16(off + 6);
  sink.field(ARP.hwType, off, 2, hwType);
  sink.field(ARP.protoType, off + 2, 2, protoType);
  sink.field(ARP.hwSize, off + 4, 1, hs);
  sink.field(ARP.protoSize, off + 5, 1, ps);
  sink.field(ARP.opcode, off + 6, 2, op);
  const total = 8 + 2 * hs + 2 * ps;
  const isMac = hs === 6 && (hwType === 1 || hwType === 6);
  const isIpv4 = ps === 4 && protoType === 0x0800;
  const spa = off + 8 + hs;
  const tha = spa + ps;
  const tpa = tha + hs;
  const hw = (o: number, src: boolean): string => {
    if (isMac) {
      const mac = r.mac(o);
      sink.field(src ? ARP.srcHwMac : ARP.dstHwMac, o, 6, mac);
      return mac;
    }
    sink.field(src ? ARP.srcHw : ARP.dstHw, o, hs, r.hexBytes(o, hs));
    return r.hexBytes(o, hs);
  };
  const pa = (o: number, src: boolean): string => {
    if (isIpv4) {
      const ip = r.ipv4(o);
      sink.field(src ? ARP.srcIpv4 : ARP.dstIpv4, o, 4, ip);
      return ip;
    }
    sink.field(src ? ARP.srcProto : ARP.dstProto, o, ps, r.hexBytes(o, ps));
    return r.hexBytes(o, ps);
  };
  const parts: string[] = [];
  const steps: [number, number, (o: number, s: boolean) => string, boolean][] = [
    [off + 8, hs, hw, true],
    [spa, ps, pa, true],
    [tha, hs, hw, false],
    [tpa, ps, pa, false],
  ];
  for (const [o, n, add, src] of steps) {
    if (n > 0 && !ctx.need(o, n, 'ARP address')) break;
    parts.push(n > 0 ? add(o, src) : '');
  }
  sink.close();
  const [sha, sip, thaText, tip] = parts;
  ctx.columns(op === 3 || op === 4 ? 'RARP' : 'ARP', arpInfo(op, sha, sip, thaText, tip));
  return Math.min(total, end - off);
}

ETHERTYPES.set(0x0806, dissectArp);
// Reverse ARP has ARP's layout (opcodes 3 and 4).
ETHERTYPES.set(0x8035, dissectArp);
