/**
 * Every string of the contract that reaches C refuses NUL and control characters: C would cut
 * the text at a NUL (libpcap would apply "tcp" of "tcp\0 and not port 80", dropping the rule
 * that hides web mode's own port), so the lab would act on something other than what is shown.
 */
import { describe, expect, it } from 'vitest';
import { checkRequest } from '@shared/check-request';
import { controlCharacterAt } from '@shared/c-string';

const inet = (address: string) => ({ family: 'AF_INET', address, port: 80 });

/** One request per C-bound field, with `bad` put in that field. */
function requests(bad: string): Array<[string, string, unknown]> {
  return [
    ['capture filter', 'capture.start', { iface: 'lo', filter: `tcp${bad} and not port 80` }],
    ['capture interface', 'capture.start', { iface: `lo${bad}` }],
    ['IPv4 address', 'socket.connect', { fd: 3, address: inet(`127.0.0.1${bad}`) }],
    ['IPv6 address', 'socket.bind', { fd: 3, address: { family: 'AF_INET6', address: `::1${bad}`, port: 0 } }],
    ['AF_UNIX path', 'socket.bind', { fd: 3, address: { family: 'AF_UNIX', path: `/tmp/a${bad}b` } }],
    ['sendto address', 'socket.sendto', { fd: 3, data: new Uint8Array(1), address: inet(`${bad}10.0.0.1`) }],
    ['multicast group', 'socket.setsockopt', { fd: 3, option: 'IP_ADD_MEMBERSHIP', value: { multiaddr: `224.0.0.1${bad}` } }],
    [
      'multicast interface',
      'socket.setsockopt',
      { fd: 3, option: 'IP_ADD_MEMBERSHIP', value: { multiaddr: '224.0.0.1', interface: `0.0.0.0${bad}` } },
    ],
    ['ping target', 'raw.ping', { target: `127.0.0.1${bad}` }],
  ];
}

describe('strings that reach C', () => {
  it.each(requests('\0'))('refuses a NUL byte in the %s', (_field, route, input) => {
    const checked = checkRequest(route, input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.refusal.message).toMatch(/cannot contain a NUL byte at character \d+ \(C would cut the text there\)/);
  });

  it.each(requests('\n'))('refuses a control character in the %s', (_field, route, input) => {
    const checked = checkRequest(route, input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.refusal.message).toContain('control character 0x0a');
  });

  it.each(requests(''))('still takes the %s without one', (_field, route, input) => {
    expect(checkRequest(route, input).ok).toBe(true);
  });

  it('names where the first control character is', () => {
    expect(controlCharacterAt('abc')).toBeNull();
    expect(controlCharacterAt('ab\u007fc')).toBe('the control character 0x7f at character 3');
    expect(controlCharacterAt('套接字\0')).toBe('a NUL byte at character 4');
  });
});
