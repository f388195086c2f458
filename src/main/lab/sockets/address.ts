/**
 * Socket addresses: checking one against a socket's domain the way Linux does, and formatting
 * one for messages. The C `sockaddr` bytes live in ../libc/sockaddr.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Domain, SockAddr } from '@shared/socket';
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
      return fail(
        'EAFNOSUPPORT',
        `${call}: this is an ${domain} socket but the address is ${address.family}; use an address of the socket's own family.`,
      );
    }
    return fail(
      'EINVAL',
      `${call}: this is an ${domain} socket but the address is ${address.family} (the kernel rejects the shorter/other sockaddr as invalid).`,
    );
  }
  if (address.family === 'AF_UNIX') {
    const bytes = Buffer.byteLength(address.path);
    if (bytes === 0) return fail('EINVAL', `${call}: the Unix socket path is empty.`);
    if (bytes > UNIX_PATH_MAX) {
      return fail(
        'ENAMETOOLONG',
        `${call}: the path is ${bytes} bytes; sun_path holds at most ${UNIX_PATH_MAX} bytes plus the terminating NUL.`,
      );
    }
    return null;
  }
  const valid = address.family === 'AF_INET' ? isIPv4(address.address) : isIPv6(address.address);
  if (!valid) {
    return fail(
      'EINVAL',
      `${call}: "${address.address}" is not a valid ${address.family === 'AF_INET' ? 'IPv4 (like 127.0.0.1)' : 'IPv6 (like ::1)'} address.`,
    );
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

/** Formats an address for messages: 127.0.0.1:80, [::1]:80, /tmp/x.sock. */
export function describe(address: SockAddr | null): string {
  if (!address) return '(none)';
  if (address.family === 'AF_UNIX') return address.path || '(unnamed)';
  return address.family === 'AF_INET6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}
