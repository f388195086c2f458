/**
 * Endpoints as the flows layer compares them: canonical address text (so `::ffff:127.0.0.1`,
 * `0:0:0:0:0:0:0:1` and `::1` compare as the kernel sees them), wildcard matching for sockets
 * bound to 0.0.0.0 or ::, TCP flag bits and sequence-number arithmetic modulo 2^32.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { SockAddr } from '@shared/socket';
import type { FlowInfo } from '../dissect/types';

/** One end of a conversation: canonical address text and port (0 for ICMP). */
export interface Endpoint {
  addr: string;
  port: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

const canonicalCache = new Map<string, string>();
const CACHE_LIMIT = 4096;

/**
 * The canonical text of an address: IPv4 dotted quad; IPv6 in RFC 5952 form; an IPv4-mapped
 * IPv6 address (`::ffff:a.b.c.d`, what a dual-stack socket reports for an IPv4 peer) as the IPv4
 * address, because that is what travels on the wire. A zone (`%lo`) is dropped.
 */
export function canonicalAddress(address: string): string {
  const cached = canonicalCache.get(address);
  if (cached !== undefined) return cached;
  const result = canonicalize(address);
  if (canonicalCache.size >= CACHE_LIMIT) canonicalCache.clear();
  canonicalCache.set(address, result);
  return result;
}

function canonicalize(address: string): string {
  const bare = address.split('%')[0].toLowerCase();
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return bare;
  const groups = expandIpv6(bare);
  // IPv4-mapped: ::ffff:a.b.c.d
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return compressIpv6(groups);
}

/** The eight 16-bit groups of a valid IPv6 address text (an embedded IPv4 tail included). */
function expandIpv6(text: string): number[] {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const q = last.split('.').map(Number);
    body = `${body.slice(0, lastColon + 1)}${((q[0] << 8) | q[1]).toString(16)}:${((q[2] << 8) | q[3]).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = body.indexOf('::');
  if (gap < 0) return parse(body);
  const head = parse(body.slice(0, gap));
  const tail = parse(body.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952: the longest run (2+) of zero groups becomes `::`, the first such run on a tie. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Whether an address is the "any" address a socket binds to for every local address. */
export function isWildcard(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::';
}

/** Whether a socket's local address `bound` accepts packets for local address `addr`. */
export function addressMatches(bound: string, addr: string): boolean {
  if (bound === addr) return true;
  if (bound === '0.0.0.0') return isIPv4(addr);
  // A dual-stack :: socket (IPV6_V6ONLY off, Linux's default) receives IPv4 too.
  return bound === '::';
}

/** The endpoint of a lab socket address; null for AF_UNIX or no address. */
export function endpointOfSockAddr(address: SockAddr | null | undefined): Endpoint | null {
  if (!address || address.family === 'AF_UNIX') return null;
  return { addr: canonicalAddress(address.address), port: address.port };
}

/** The endpoint of an argument a call was given (a SockAddr-shaped record), or null. */
export function endpointOfArg(value: unknown): Endpoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const { family, address, port } = value as Record<string, unknown>;
  if ((family !== 'AF_INET' && family !== 'AF_INET6') || typeof address !== 'string' || typeof port !== 'number') return null;
  return { addr: canonicalAddress(address), port };
}

export function sameEndpoint(a: Endpoint | null, b: Endpoint | null): boolean {
  return a !== null && b !== null && a.port === b.port && a.addr === b.addr;
}

/** `127.0.0.1:8080`, `[::1]:8080`; the bare address when the port is 0 (ICMP). */
export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.port === 0) return endpoint.addr;
  return endpoint.addr.includes(':') ? `[${endpoint.addr}]:${endpoint.port}` : `${endpoint.addr}:${endpoint.port}`;
}

export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.addr}|${endpoint.port}`;
}

/** The source and destination of a flow as canonical endpoints. */
export function flowEnds(flow: FlowInfo): { src: Endpoint; dst: Endpoint } {
  return {
    src: { addr: canonicalAddress(flow.src), port: flow.srcPort },
    dst: { addr: canonicalAddress(flow.dst), port: flow.dstPort },
  };
}

/** a - b as a signed 32-bit difference: sequence numbers wrap at 2^32 (RFC 1982 style). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
