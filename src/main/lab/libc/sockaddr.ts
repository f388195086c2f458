/**
 * The C socket address structs as bytes: the lab's `SockAddr` to sockaddr_in / sockaddr_in6 /
 * sockaddr_un and back. The one encoding every libc caller (stream sockets, raw sockets) uses.
 */
import type { SockAddr } from '@shared/socket';
import { AF } from './constants';

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

/** Decodes sockaddr bytes as getsockname()/recvfrom() give them back; null for other families. */
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
  const parse = (s: string | undefined) =>
    s
      ? s
          .split(':')
          .filter((g) => g !== '')
          .map((g) => parseInt(g, 16))
      : [];
  const leftGroups = parse(left);
  const rightGroups = [...parse(right), ...tail];
  const fill = right === undefined && !head.includes('::') ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...new Array<number>(Math.max(0, fill)).fill(0), ...rightGroups];
  const buffer = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => buffer.writeUInt16BE(g, i * 2));
  return buffer;
}
