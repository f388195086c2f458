/**
 * Socket addresses: checking one against a socket's domain the way Linux does, and converting
 * between the lab's `SockAddr` and the C `sockaddr` bytes the libc layer passes to the kernel.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Domain, SockAddr } from '@shared/socket';
import { AF } from './libc';
import { fail, type CallFailure } from './errors';

/** sun_path holds 108 bytes, one of them the terminating NUL. */
export const UNIX_PATH_MAX = 107;
/** Largest UDP payload: 65535 - 8 (UDP) - 20 (IPv4 header); IPv6's header is outside its length field. */
export const UDP_MAX_PAYLOAD = { AF_INET: 65507, AF_INET6: 65527 } as const;

/**
 * Checks an address for a socket, as Linux's bind/connect/sendto do: an AF_INET socket given
 * another family answers EAFNOSUPPORT; an AF_INET6 socket given a 16-byte sockaddr_in answers
 * EINVAL (too short for sockaddr_in6); an AF_UNIX socket given an inet address answers EINVAL.
 * A text address that does not parse is EINVAL (C's inet_pton would fail before the call).
 */
export function checkAddress(domain: Domain, address: SockAddr, call: string): CallFailure | null {
  if (address.family !== domain) {
    if (domain === 'AF_INET' || (domain === 'AF_INET6' && address.family === 'AF_UNIX')) {
      return fail('EAFNOSUPPORT', `${call}: this is an ${domain} socket but the address is ${address.family}; use an address of the socket's own family.`);
    }
    return fail('EINVAL', `${call}: this is an ${domain} socket but the address is ${address.family} (the kernel rejects the shorter/other sockaddr as invalid).`);
  }
  if (address.family === 'AF_UNIX') {
    const bytes = Buffer.byteLength(address.path);
    if (bytes === 0) return fail('EINVAL', `${call}: the Unix socket path is empty.`);
    if (bytes > UNIX_PATH_MAX) {
      return fail('ENAMETOOLONG', `${call}: the path is ${bytes} bytes; sun_path holds at most ${UNIX_PATH_MAX} bytes plus the terminating NUL.`);
    }
    return null;
  }
  const valid = address.family === 'AF_INET' ? isIPv4(address.address) : isIPv6(address.address);
  if (!valid) {
    return fail('EINVAL', `${call}: "${address.address}" is not a valid ${address.family === 'AF_INET' ? 'IPv4 (like 127.0.0.1)' : 'IPv6 (like ::1)'} address.`);
  }
  return null;
}

/**
 * Linux lets an AF_INET6 UDP socket connect or send to a 16-byte sockaddr_in: it treats it as
 * the IPv4-mapped address ::ffff:a.b.c.d. Returns that mapped address, or the address unchanged.
 */
export function mapIpv4ForUdp6(domain: Domain, address: SockAddr): SockAddr {
  if (domain !== 'AF_INET6' || address.family !== 'AF_INET' || !isIPv4(address.address)) return address;
  return { family: 'AF_INET6', address: `::ffff:${address.address}`, port: address.port };
}

/** The wildcard address of a domain, port 0: what an unbound inet socket reports. */
export function unboundAddress(domain: Domain): SockAddr {
  if (domain === 'AF_INET') return { family: 'AF_INET', address: '0.0.0.0', port: 0 };
  if (domain === 'AF_INET6') return { family: 'AF_INET6', address: '::', port: 0 };
  return { family: 'AF_UNIX', path: '' };
}

/** An address as Node reports it (`socket.address()`, `remoteAddress`), in lab form. */
export function fromNode(domain: Domain, address: string | undefined, port: number | undefined): SockAddr | null {
  if (address === undefined || port === undefined) return null;
  if (domain === 'AF_INET6') return { family: 'AF_INET6', address, port };
  return { family: 'AF_INET', address, port };
}

/** Encodes a lab address as the C struct sockaddr_in / sockaddr_in6 / sockaddr_un. */
export function toSockaddr(address: SockAddr): Buffer {
  if (address.family === 'AF_UNIX') {
    const path = Buffer.from(address.path);
    const buffer = Buffer.alloc(2 + path.length + 1);
    buffer.writeUInt16LE(AF.AF_UNIX, 0);
    path.copy(buffer, 2);
    return buffer;
  }
  if (address.family === 'AF_INET') {
    const buffer = Buffer.alloc(16);
    buffer.writeUInt16LE(AF.AF_INET, 0);
    buffer.writeUInt16BE(address.port, 2);
    address.address.split('.').forEach((part, i) => buffer.writeUInt8(Number(part), 4 + i));
    return buffer;
  }
  const buffer = Buffer.alloc(28);
  buffer.writeUInt16LE(AF.AF_INET6, 0);
  buffer.writeUInt16BE(address.port, 2);
  ipv6Bytes(address.address).copy(buffer, 8);
  buffer.writeUInt32LE(address.scopeId ?? 0, 24);
  return buffer;
}

/** Decodes the sockaddr bytes getsockname() gives back. */
export function fromSockaddr(bytes: Buffer): SockAddr | null {
  if (bytes.length < 2) return null;
  const family = bytes.readUInt16LE(0);
  if (family === AF.AF_UNIX) {
    const end = bytes.indexOf(0, 2);
    return { family: 'AF_UNIX', path: bytes.subarray(2, end < 0 ? bytes.length : end).toString() };
  }
  if (family === AF.AF_INET && bytes.length >= 8) {
    return { family: 'AF_INET', address: [...bytes.subarray(4, 8)].join('.'), port: bytes.readUInt16BE(2) };
  }
  if (family === AF.AF_INET6 && bytes.length >= 24) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(bytes.readUInt16BE(8 + i * 2).toString(16));
    // The URL parser writes IPv6 in its canonical compressed form (RFC 5952).
    const canonical = new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
    const scopeId = bytes.length >= 28 ? bytes.readUInt32LE(24) : 0;
    return { family: 'AF_INET6', address: canonical, port: bytes.readUInt16BE(2), ...(scopeId ? { scopeId } : {}) };
  }
  return null;
}

/** The 16 bytes of a valid IPv6 text address (with optional embedded IPv4 tail). */
function ipv6Bytes(text: string): Buffer {
  let head = text.split('%')[0];
  const tail: number[] = [];
  const v4 = head.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const parts = v4[1].split('.').map(Number);
    tail.push((parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]);
    head = head.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const leftGroups = parse(left);
  const rightGroups = [...parse(right), ...tail];
  const fill = right === undefined && !head.includes('::') ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...new Array<number>(Math.max(0, fill)).fill(0), ...rightGroups];
  const buffer = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => buffer.writeUInt16BE(g, i * 2));
  return buffer;
}

/** Formats an address for messages: 127.0.0.1:80, [::1]:80, /tmp/x.sock. */
export function describe(address: SockAddr | null): string {
  if (!address) return '(none)';
  if (address.family === 'AF_UNIX') return address.path || '(unnamed)';
  return address.family === 'AF_INET6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}
