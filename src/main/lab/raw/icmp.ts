/**
 * ICMP and ICMPv6 echo messages as bytes: builders with the checksum computed and returned (so
 * the UI can show it), a hand-built IPv4 header for IPPROTO_RAW, and parsers for what a raw
 * socket's recvfrom() hands back. Pure functions over bytes; parsers never throw.
 */

export const ICMP_TYPE = { ECHO_REPLY: 0, DEST_UNREACHABLE: 3, ECHO_REQUEST: 8, TIME_EXCEEDED: 11 } as const;
export const ICMPV6_TYPE = { DEST_UNREACHABLE: 1, TIME_EXCEEDED: 3, ECHO_REQUEST: 128, ECHO_REPLY: 129 } as const;
/** Echo header: type, code, checksum, identifier, sequence (RFC 792 / RFC 4443). */
export const ICMP_ECHO_HEADER_BYTES = 8;
export const IPV4_HEADER_BYTES = 20;
const IPPROTO_ICMP = 1;

/** The fields of an echo request or reply. */
export interface IcmpEchoFields {
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  payload: Uint8Array;
}

/** A built message: its bytes and the checksum in them (0 for ICMPv6: the kernel fills it). */
export interface BuiltIcmp {
  readonly bytes: Buffer;
  readonly checksum: number;
}

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of
 * the data as big-endian 16-bit words, an odd last byte padded with zero. A message whose
 * checksum field holds this value sums (with the field) to 0xffff, so checking gives 0.
 */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  const evenEnd = bytes.length & ~1;
  for (let i = 0; i < evenEnd; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  // Fold the carries back in; two rounds always suffice for inputs under 128 KiB, loop anyway.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function checkFields(fields: IcmpEchoFields): void {
  const inRange = (value: number, max: number) => Number.isInteger(value) && value >= 0 && value <= max;
  if (!inRange(fields.type, 255) || !inRange(fields.code, 255)) throw new RangeError('ICMP type and code are 8-bit numbers (0-255).');
  if (!inRange(fields.identifier, 0xffff) || !inRange(fields.sequence, 0xffff)) {
    throw new RangeError('ICMP identifier and sequence are 16-bit numbers (0-65535).');
  }
}

function writeEcho(fields: IcmpEchoFields): Buffer {
  checkFields(fields);
  const bytes = Buffer.alloc(ICMP_ECHO_HEADER_BYTES + fields.payload.length);
  bytes.writeUInt8(fields.type, 0);
  bytes.writeUInt8(fields.code, 1);
  bytes.writeUInt16BE(fields.identifier, 4);
  bytes.writeUInt16BE(fields.sequence, 6);
  bytes.set(fields.payload, ICMP_ECHO_HEADER_BYTES);
  return bytes;
}

/**
 * An ICMPv4 echo message (type 8 request, 0 reply, or any type/code a student tries) with its
 * checksum computed over the whole ICMP message, as the sender must for IPv4.
 * Throws RangeError for out-of-range fields (a programming error, checked by the caller's schema).
 */
export function buildIcmpEcho(fields: IcmpEchoFields): BuiltIcmp {
  const bytes = writeEcho(fields);
  const checksum = internetChecksum(bytes);
  bytes.writeUInt16BE(checksum, 2);
  return { bytes, checksum };
}

/**
 * An ICMPv6 echo message with its checksum left 0: ICMPv6's checksum covers an IPv6
 * pseudo-header (source address included) that only the kernel knows when it routes the
 * packet, and Linux always computes it on raw ICMPv6 sockets (IPV6_CHECKSUM is fixed at
 * offset 2, RFC 3542 §3.1). Type defaults to the usual ones in the caller: 128 request, 129 reply.
 */
export function buildIcmpv6Echo(fields: IcmpEchoFields): BuiltIcmp {
  return { bytes: writeEcho(fields), checksum: 0 };
}

/** The bytes a ping puts after the echo header: 0x10, 0x11, ... like iputils ping's pattern. */
export function echoPayload(size: number): Buffer {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (0x10 + i) & 0xff;
  return payload;
}

/** Fields of a 20-byte IPv4 header (no options) a student builds for IPPROTO_RAW / IP_HDRINCL. */
export interface Ipv4HeaderFields {
  source: string;
  destination: string;
  protocol?: number;
  ttl?: number;
  identification?: number;
  /** Bytes after the header: total length = 20 + this. */
  payloadLength: number;
}

/**
 * A 20-byte IPv4 header with its header checksum. With IP_HDRINCL, Linux still fills in the
 * header checksum and total length itself (and the identification when it is 0), and the
 * source address when it is 0.0.0.0 (raw(7)); computing them here shows what the kernel writes.
 */
export function buildIpv4Header(fields: Ipv4HeaderFields): BuiltIcmp {
  const header = Buffer.alloc(IPV4_HEADER_BYTES);
  header.writeUInt8(0x45, 0); // version 4, IHL 5 words
  header.writeUInt16BE(IPV4_HEADER_BYTES + fields.payloadLength, 2);
  header.writeUInt16BE(fields.identification ?? 0, 4);
  header.writeUInt8(fields.ttl ?? 64, 8);
  header.writeUInt8(fields.protocol ?? IPPROTO_ICMP, 9);
  ipv4Bytes(fields.source).copy(header, 12);
  ipv4Bytes(fields.destination).copy(header, 16);
  const checksum = internetChecksum(header);
  header.writeUInt16BE(checksum, 10);
  return { bytes: header, checksum };
}

function ipv4Bytes(text: string): Buffer {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`"${text}" is not an IPv4 address like 127.0.0.1.`);
  }
  return Buffer.from(parts);
}

/** An echo message read from the wire. */
export interface ParsedEcho extends IcmpEchoFields {
  /** The checksum field as received. */
  checksum: number;
  /** Whether the checksum verifies (null for ICMPv6: it covers a pseudo-header we do not see). */
  checksumValid: boolean | null;
  /** IPv4 TTL from the header recvfrom() returned; null for ICMPv6 (see docs/raw-sockets.md). */
  ttl: number | null;
  /** Bytes of the ICMP message. */
  icmpLength: number;
}

/** A parse result: the message, or why these bytes are not one (a value, never an exception). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function readEcho(icmp: Uint8Array): ParseResult<Omit<ParsedEcho, 'checksumValid' | 'ttl'>> {
  if (icmp.length < ICMP_ECHO_HEADER_BYTES) {
    return { ok: false, reason: `truncated: ${icmp.length} bytes, an echo header needs ${ICMP_ECHO_HEADER_BYTES}` };
  }
  const view = Buffer.from(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  return {
    ok: true,
    value: {
      type: view[0],
      code: view[1],
      checksum: view.readUInt16BE(2),
      identifier: view.readUInt16BE(4),
      sequence: view.readUInt16BE(6),
      payload: view.subarray(ICMP_ECHO_HEADER_BYTES),
      icmpLength: view.length,
    },
  };
}

/**
 * Reads an ICMP echo from the IPv4 packet an AF_INET raw socket's recvfrom() returns (C
 * semantics: the IP header comes first). Skips IHL*4 header bytes, options included.
 */
export function parseIcmpFromIpv4(packet: Uint8Array): ParseResult<ParsedEcho> {
  if (packet.length < IPV4_HEADER_BYTES) return { ok: false, reason: `truncated IPv4 header: ${packet.length} bytes` };
  const version = packet[0] >> 4;
  const headerBytes = (packet[0] & 0x0f) * 4;
  if (version !== 4) return { ok: false, reason: `not IPv4 (version ${version})` };
  if (headerBytes < IPV4_HEADER_BYTES || headerBytes > packet.length) {
    return { ok: false, reason: `bad IPv4 header length ${headerBytes}` };
  }
  if (packet[9] !== IPPROTO_ICMP) return { ok: false, reason: `IPv4 protocol ${packet[9]} is not ICMP` };
  const icmp = packet.subarray(headerBytes);
  const echo = readEcho(icmp);
  if (!echo.ok) return echo;
  return { ok: true, value: { ...echo.value, ttl: packet[8], checksumValid: internetChecksum(icmp) === 0 } };
}

/** Reads an ICMPv6 echo from what an AF_INET6 raw socket's recvfrom() returns (no IPv6 header). */
export function parseIcmpv6(message: Uint8Array): ParseResult<ParsedEcho> {
  const echo = readEcho(message);
  if (!echo.ok) return echo;
  return { ok: true, value: { ...echo.value, ttl: null, checksumValid: null } };
}
