import { describe, expect, it } from 'vitest';
import {
  StepError,
  parseAddress,
  parseHex,
  resolveAddress,
  resolveTemplate,
  unescapeText,
  type Lookup,
} from '../../src/main/lab/scenario/values';
import { checkExpectations, matchAddress, matchNumber, type Outcome } from '../../src/main/lab/scenario/expect';

const values: Record<string, unknown> = {
  server: { port: 4242, local: { family: 'AF_INET', address: '127.0.0.1', port: 4242 } },
  tmp: '/tmp/run',
};
const lookup: Lookup = (root, rest) => rest.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values[root]);

describe('address shorthand', () => {
  it('reads IPv4, bracketed IPv6 and Unix paths', () => {
    expect(parseAddress('127.0.0.1:8080')).toEqual({ family: 'AF_INET', address: '127.0.0.1', port: 8080 });
    expect(parseAddress('[::1]:0')).toEqual({ family: 'AF_INET6', address: '::1', port: 0 });
    expect(parseAddress('unix:/tmp/x.sock')).toEqual({ family: 'AF_UNIX', path: '/tmp/x.sock' });
    expect(parseAddress('127.0.0.1:*', true)).toEqual({ family: 'AF_INET', address: '127.0.0.1', port: '*' });
  });

  it('explains what is wrong with a bad one', () => {
    expect(() => parseAddress('127.0.0.1')).toThrow('add the port, as in "127.0.0.1:8080"');
    expect(() => parseAddress('::1:80')).toThrow('write IPv6 addresses in brackets');
    expect(() => parseAddress('127.0.0.1:http')).toThrow('the port "http" is not a number');
    expect(() => parseAddress('127.0.0.1:*')).toThrow(StepError);
  });

  it("resolves templates and refs into the lab's address objects", () => {
    expect(resolveAddress('127.0.0.1:${server.port}', lookup)).toEqual({ family: 'AF_INET', address: '127.0.0.1', port: 4242 });
    expect(resolveAddress({ ref: 'server.local' }, lookup)).toEqual(values.server && (values.server as { local: unknown }).local);
    expect(resolveAddress({ family: 'AF_INET6', address: '::1', port: '${server.port}' }, lookup)).toEqual({
      family: 'AF_INET6',
      address: '::1',
      port: 4242,
    });
    expect(resolveAddress('unix:${tmp}/a.sock', lookup)).toEqual({ family: 'AF_UNIX', path: '/tmp/run/a.sock' });
  });
});

describe('templates', () => {
  it('keeps the type of a whole template and interpolates inside text', () => {
    expect(resolveTemplate('${server.port}', lookup)).toBe(4242);
    expect(resolveTemplate('to ${server.local}!', lookup)).toBe('to 127.0.0.1:4242!');
  });

  it('says when a value is not there yet', () => {
    expect(() => resolveTemplate('${server.peer.port}', lookup)).toThrow(
      '${server.peer.port} has no value yet (has it been bound, listened or connected yet?)',
    );
  });
});

describe('payloads', () => {
  it('turns escapes into bytes and keeps UTF-8 text', () => {
    expect(unescapeText('GET\\r\\n')).toEqual(Buffer.from('GET\r\n'));
    expect(unescapeText('a\\x00\\xffb\\\\')).toEqual(Buffer.from([0x61, 0, 0xff, 0x62, 0x5c]));
    expect(unescapeText('你好')).toEqual(Buffer.from('你好', 'utf8'));
    expect(() => unescapeText('\\q')).toThrow('unknown escape "\\q"');
  });

  it('reads hex with spaces, colons and 0x', () => {
    expect(parseHex('0x48 65:6c')).toEqual(Buffer.from('Hel'));
    expect(() => parseHex('4')).toThrow('is not hex bytes');
  });
});

describe('expectations', () => {
  const outcome = (over: Partial<Outcome>): Outcome => ({
    ok: true,
    ret: 0,
    errno: null,
    message: null,
    extras: {},
    timedOut: false,
    ...over,
  });

  it('compares numbers with operators', () => {
    expect(matchNumber(5, '>0', lookup, 'ret')).toBeNull();
    expect(matchNumber(0, '>0', lookup, 'ret')).toBe('ret should be > 0, but it is 0');
    expect(matchNumber(4242, '== ${server.port}', lookup, 'ret')).toBeNull();
    expect(matchNumber(-1, 3, lookup, 'ret')).toBe('ret should be 3, but it is -1');
  });

  it('matches addresses with a wildcard port, partial objects and null', () => {
    const peer = { family: 'AF_INET', address: '127.0.0.1', port: 50000 };
    expect(matchAddress(peer, '127.0.0.1:*', lookup, 'peer')).toBeNull();
    expect(matchAddress(peer, { address: '127.0.0.1' }, lookup, 'peer')).toBeNull();
    expect(matchAddress(peer, '127.0.0.1:${server.port}', lookup, 'peer')).toBe('peer should be 127.0.0.1:4242, but it is 127.0.0.1:50000');
    expect(matchAddress(null, null, lookup, 'from')).toBeNull();
    expect(matchAddress(peer, '[::1]:*', lookup, 'peer')).toBe('peer should be [::1]:*, but it is 127.0.0.1:50000');
  });

  it('reports each mismatch in words', () => {
    const refused = outcome({ ok: false, ret: -1, errno: 'ECONNREFUSED', message: 'nothing listens' });
    expect(checkExpectations(refused, { errno: 'ECONNREFUSED', ret: -1 }, lookup)).toEqual([]);
    expect(checkExpectations(refused, { ok: true }, lookup)).toEqual([
      'the call should succeed, but it failed with ECONNREFUSED: nothing listens',
    ]);
    const data = outcome({ ret: 2, extras: { data: Buffer.from('hi') } });
    expect(checkExpectations(data, { data: 'hi' }, lookup)).toEqual([]);
    expect(checkExpectations(data, { data: 'ho\\n' }, lookup)).toEqual(['data should be "ho\\n" (3 bytes), but it is "hi" (2 bytes)']);
  });

  it('fails a timed-out call unless the timeout was expected', () => {
    const timedOut = outcome({ ok: false, ret: -1, errno: 'EINTR', timedOut: true });
    expect(checkExpectations(timedOut, undefined, lookup)[0]).toContain('still blocked when the step timed out');
    expect(checkExpectations(timedOut, { timeout: true, errno: 'EINTR' }, lookup)).toEqual([]);
    expect(checkExpectations(outcome({}), { timeout: true }, lookup)).toEqual([
      'the call should have stayed blocked until the timeout, but it returned',
    ]);
  });
});
