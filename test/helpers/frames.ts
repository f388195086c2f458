/**
 * Small builders for crafted frames (Ethernet, IPv4, IPv6, UDP, ICMP, GRE), so a test can write
 * exactly the malformed or unusual packet it is about. Checksums are computed unless given.
 */

/** Concatenates byte arrays. */
export function bytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Big-endian 16 and 32-bit values as bytes. */
export const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
export const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** The Internet checksum of `data`. */
export function inetChecksum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length % 2) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

/** An Ethernet II frame, padded with zero trailer bytes to `minLength` (60 on a real wire). */
export function ethernet(type: number, payload: Uint8Array, minLength = 0): Uint8Array {
  const frame = bytes(MAC_B, MAC_A, be16(type), payload);
  return frame.length >= minLength ? frame : bytes(frame, new Array(minLength - frame.length).fill(0));
}

/** An IPv4 header (no options) then `payload`; `totalLength` may lie. */
export function ipv4(proto: number, payload: Uint8Array, opts: { totalLength?: number; src?: number[]; dst?: number[] } = {}): Uint8Array {
  const header = bytes(
    [0x45, 0],
    be16(opts.totalLength ?? 20 + payload.length),
    be16(0x1234),
    [0x40, 0, 64, proto, 0, 0],
    opts.src ?? [10, 0, 0, 1],
    opts.dst ?? [10, 0, 0, 2],
  );
  const sum = inetChecksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 255;
  return bytes(header, payload);
}

/** An IPv6 header then `payload` (`payloadLength` may lie; 0 for a jumbogram). */
export function ipv6(next: number, payload: Uint8Array, payloadLength = payload.length): Uint8Array {
  const src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
  return bytes([0x60, 0, 0, 0], be16(payloadLength), [next, 64], src, dst, payload);
}

/** An ICMP message with a correct checksum over type, code, `rest`. */
export function icmp(type: number, code: number, rest: number[] | Uint8Array): Uint8Array {
  const msg = bytes([type, code, 0, 0], rest);
  const sum = inetChecksum(msg);
  msg[2] = sum >> 8;
  msg[3] = sum & 255;
  return msg;
}

/** A UDP datagram (checksum 0: none, allowed over IPv4); `length` may lie. */
export function udp(sport: number, dport: number, payload: Uint8Array | number[], length = 8 + payload.length): Uint8Array {
  return bytes(be16(sport), be16(dport), be16(length), [0, 0], payload);
}

/** A TCP segment (20-byte header plus `options`, checksum 0: tshark does not check it). */
export function tcpSegment(
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  payload: Uint8Array | number[] = [],
  options: number[] = [],
): Uint8Array {
  const hlen = 20 + options.length;
  return bytes(
    be16(sport),
    be16(dport),
    be32(seq >>> 0),
    be32(ack >>> 0),
    [(hlen / 4) << 4, flags],
    be16(window),
    [0, 0, 0, 0],
    options,
    payload,
  );
}
