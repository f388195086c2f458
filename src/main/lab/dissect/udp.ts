/** UDP: ports, length, checksum. */
import { fold, pseudoHeaderSum, sum16 } from './checksum';
import { type Ctx, handOff, IP_PROTOCOLS, UDP_PORTS } from './context';
import { field, hex, protocol } from './fields';

export const UDP = {
  proto: protocol('udp', 'User Datagram Protocol'),
  srcport: field('udp.srcport', 'Source Port', 'uint'),
  dstport: field('udp.dstport', 'Destination Port', 'uint'),
  port: field('udp.port', 'Source or Destination Port', 'uint', { hidden: true }),
  length: field('udp.length', 'Length', 'uint'),
  checksum: field('udp.checksum', 'Checksum', 'uint', { hexDigits: 4 }),
  checksumStatus: field('udp.checksum.status', 'Checksum Status', 'uint', {
    names: { 0: 'Bad', 1: 'Good', 2: 'Unverified', 3: 'Not present' },
  }),
  payload: field('udp.payload', 'UDP payload', 'bytes'),
} as const;

function checksumText(ctx: Ctx, off: number, length: number, checksum: number): { text: string; note?: string } {
  if (checksum === 0 && ctx.net?.family === 4) return { text: '0x0000 [zero-value ignored]' };
  const net = ctx.net;
  if (!net || ctx.quoted || !ctx.r.has(off, length)) return { text: `${hex(checksum, 4)} [unverified]` };
  const pseudo = pseudoHeaderSum(ctx.r, net.family, net.srcOff, net.dstOff, 17, length);
  let computed = ~fold(sum16(ctx.r, off, length, pseudo) - checksum) & 0xffff;
  if (computed === 0) computed = 0xffff;
  if (computed === checksum) return { text: `${hex(checksum, 4)} [correct]` };
  if (checksum === fold(pseudo)) {
    return {
      text: `${hex(checksum, 4)} [not computed (offload)]`,
      note: 'Checksum not computed: offloaded to the network card (always the case on loopback)',
    };
  }
  return { text: `${hex(checksum, 4)} [incorrect, should be ${hex(computed, 4)}]` };
}

function dissectUdp(ctx: Ctx, off: number, end: number, reported: number): number {
  const { r, sink } = ctx;
  sink.open(UDP.proto, off, Math.max(0, Math.min(8, end - off)), 'User Datagram Protocol');
  // The ports come first: a header cut after them still shows them, as tshark does.
  if (!ctx.need(off, 4, 'UDP header')) {
    sink.close();
    return end - off;
  }
  const sport = r.u16(off);
  const dport = r.u16(off + 2);
  sink.field(UDP.srcport, off, 2, sport);
  sink.field(UDP.port, off, 2, sport);
  sink.field(UDP.dstport, off + 2, 2, dport);
  sink.field(UDP.port, off + 2, 2, dport);
  if (!ctx.need(off + 4, 4, 'UDP header')) {
    sink.close();
    ctx.columns('UDP', `${sport} → ${dport}`);
    return end - off;
  }
  const framing = reported < 0 ? end - off : reported;
  // In an IPv6 jumbogram the length field is 0 and the IPv6 layer gives the length (RFC 2675).
  const jumbo = r.u16(off + 4) === 0 && ctx.net?.family === 6 && framing > 0xffff;
  const length = jumbo ? framing : r.u16(off + 4);
  const checksum = r.u16(off + 6);
  const bad = length < 8 || length > framing;
  if (jumbo) sink.field(UDP.length, off + 4, 2, 0, `0 (jumbogram: ${length} bytes, the IPv6 payload length)`);
  else
    sink.field(
      UDP.length,
      off + 4,
      2,
      length,
      bad ? `${length} (bogus, must be between 8 and ${framing})` : undefined,
      bad ? 'error' : undefined,
    );
  const verdict = bad || !sink.wantsFields ? { text: `${hex(checksum, 4)} [unverified]` } : checksumText(ctx, off, length, checksum);
  sink.field(UDP.checksum, off + 6, 2, checksum, verdict.text);
  if (verdict.note) sink.note(verdict.note, off + 6, 2, 'note');
  sink.field(UDP.checksumStatus, off + 6, 0, checksum === 0 && ctx.net?.family === 4 ? 3 : 2);
  ctx.columns('UDP', `${sport} → ${dport} Len=${Math.max(0, length - 8)}`);
  if (bad) ctx.problem(`[Bad UDP length ${length}: must be at least 8 and at most the ${framing} bytes the IP layer carries]`, off + 4, 2);
  const payloadOff = off + 8;
  const payloadEnd = Math.min(end, off + (bad ? framing : length));
  const captured = Math.max(0, payloadEnd - payloadOff);
  if (captured > 0 && sink.wantsFields)
    sink.field(UDP.payload, payloadOff, captured, r.hexBytes(payloadOff, captured), `${captured} bytes`);
  sink.close();
  // Tunnels: the lower port first, as Wireshark tries it.
  const port = UDP_PORTS.has(Math.min(sport, dport)) ? Math.min(sport, dport) : Math.max(sport, dport);
  if (captured > 0 && !bad) handOff(UDP_PORTS, port, ctx, payloadOff, payloadEnd, length - 8);
  if (!ctx.quoted && ctx.net) {
    ctx.flow = {
      proto: 'udp',
      family: ctx.net.family,
      src: ctx.net.src,
      dst: ctx.net.dst,
      srcPort: sport,
      dstPort: dport,
      payloadOffset: payloadOff,
      payloadLength: captured,
    };
  }
  return end - off;
}

IP_PROTOCOLS.set(17, dissectUdp);
