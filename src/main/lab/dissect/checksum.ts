/** Internet checksum (RFC 1071) over the frame's bytes, for IPv4, ICMP, TCP, UDP and ICMPv6. */
import type { ByteReader } from './reader';

/** One's-complement sum of `len` bytes at `off`, not folded, added to `initial`. */
export function sum16(r: ByteReader, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) sum += (r.bytes[i] << 8) | r.bytes[i + 1];
  if (i < end) sum += r.bytes[i] << 8;
  return sum;
}

/** Folds a running sum to 16 bits. */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value that makes the data sum to 0xffff. */
export function complement(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Pseudo-header sum for TCP/UDP/ICMPv6 over IPv4 or IPv6 addresses at the given offsets. */
export function pseudoHeaderSum(r: ByteReader, family: 4 | 6, srcOff: number, dstOff: number, proto: number, length: number): number {
  const addrLen = family === 4 ? 4 : 16;
  let sum = sum16(r, srcOff, addrLen);
  sum = sum16(r, dstOff, addrLen, sum);
  sum += proto;
  sum += family === 4 ? length & 0xffff : Math.floor(length / 0x10000) + (length & 0xffff);
  return sum;
}
