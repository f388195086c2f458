import { describe, expect, it } from 'vitest';
import {
  buildIcmpEcho,
  buildIcmpv6Echo,
  buildIpv4Header,
  echoPayload,
  internetChecksum,
  parseIcmpFromIpv4,
  parseIcmpv6,
} from '../../src/main/lab/raw/icmp';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('internetChecksum', () => {
  it('matches the worked example of RFC 1071 §3 (sum 0xddf2, checksum 0x220d)', () => {
    expect(internetChecksum(hex('0001 f203 f4f5 f6f7'))).toBe(0x220d);
  });

  it('pads an odd last byte with zero', () => {
    expect(internetChecksum(hex('0001 f203 f4f5 f6'))).toBe(internetChecksum(hex('0001 f203 f4f5 f600')));
  });

  it('gives the IPv4 header checksum of the classic example (0xb861)', () => {
    const header = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
    expect(internetChecksum(header)).toBe(0xb861);
    header.writeUInt16BE(0xb861, 10);
    expect(internetChecksum(header)).toBe(0);
  });

  it('is 0xffff for no bytes and for all-zero bytes', () => {
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
    expect(internetChecksum(new Uint8Array(6))).toBe(0xffff);
  });

  it('folds carries out of many words', () => {
    expect(internetChecksum(Buffer.alloc(4000, 0xff))).toBe(0);
  });
});

describe('buildIcmpEcho', () => {
  it("reproduces Windows ping's well-known request (id 1, seq 1, 'abcd...') checksum 0x4d5a", () => {
    const built = buildIcmpEcho({ type: 8, code: 0, identifier: 1, sequence: 1, payload: Buffer.from('abcdefghijklmnopqrstuvwabcdefghi') });
    expect(built.checksum).toBe(0x4d5a);
    expect(built.bytes.subarray(0, 8).toString('hex')).toBe('08004d5a00010001');
    expect(built.bytes.length).toBe(40);
  });

  it('writes a checksum that verifies to 0, for odd payloads too', () => {
    const built = buildIcmpEcho({ type: 0, code: 0, identifier: 0xbeef, sequence: 65535, payload: echoPayload(57) });
    expect(internetChecksum(built.bytes)).toBe(0);
    expect(built.bytes.readUInt16BE(2)).toBe(built.checksum);
  });

  it('refuses fields out of range', () => {
    expect(() => buildIcmpEcho({ type: 256, code: 0, identifier: 1, sequence: 1, payload: Buffer.alloc(0) })).toThrow(RangeError);
    expect(() => buildIcmpEcho({ type: 8, code: 0, identifier: 70000, sequence: 1, payload: Buffer.alloc(0) })).toThrow(RangeError);
  });
});

describe('buildIcmpv6Echo', () => {
  it('leaves the checksum 0 for the kernel to fill', () => {
    const built = buildIcmpv6Echo({ type: 128, code: 0, identifier: 0x1234, sequence: 7, payload: echoPayload(4) });
    expect(built.checksum).toBe(0);
    expect(built.bytes.toString('hex')).toBe('80000000123400071011 1213'.replace(/ /g, ''));
  });
});

describe('echoPayload', () => {
  it("follows iputils' 0x10, 0x11, ... pattern and wraps at 0xff", () => {
    const payload = echoPayload(250);
    expect(payload[0]).toBe(0x10);
    expect(payload[0xef]).toBe(0xff);
    expect(payload[0xf0]).toBe(0x00);
  });
});

describe('buildIpv4Header', () => {
  it('builds a 20-byte header with a valid checksum', () => {
    const built = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.2', payloadLength: 64, identification: 0x1c46, ttl: 5 });
    expect(built.bytes.length).toBe(20);
    expect(built.bytes[0]).toBe(0x45);
    expect(built.bytes.readUInt16BE(2)).toBe(84);
    expect(built.bytes[8]).toBe(5);
    expect(built.bytes[9]).toBe(1);
    expect([...built.bytes.subarray(16, 20)]).toEqual([127, 0, 0, 2]);
    expect(internetChecksum(built.bytes)).toBe(0);
  });

  it('refuses a malformed address', () => {
    expect(() => buildIpv4Header({ source: '127.0.0', destination: '127.0.0.1', payloadLength: 0 })).toThrow(RangeError);
  });
});

describe('parseIcmpFromIpv4', () => {
  const echo = buildIcmpEcho({ type: 0, code: 0, identifier: 42, sequence: 3, payload: echoPayload(8) }).bytes;

  it('skips the IPv4 header and reads the echo with its TTL', () => {
    const ip = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.1', payloadLength: echo.length, ttl: 61 }).bytes;
    const parsed = parseIcmpFromIpv4(Buffer.concat([ip, echo]));
    expect(parsed).toMatchObject({
      ok: true,
      value: { type: 0, identifier: 42, sequence: 3, ttl: 61, checksumValid: true, icmpLength: 16 },
    });
  });

  it('skips IPv4 options (IHL 6)', () => {
    const ip = Buffer.concat([
      buildIpv4Header({ source: '10.0.0.1', destination: '10.0.0.2', payloadLength: 0 }).bytes,
      Buffer.from([1, 1, 1, 0]),
    ]);
    ip[0] = 0x46;
    const parsed = parseIcmpFromIpv4(Buffer.concat([ip, echo]));
    expect(parsed.ok && parsed.value.sequence).toBe(3);
  });

  it('flags a wrong checksum instead of throwing', () => {
    const ip = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.1', payloadLength: echo.length }).bytes;
    const broken = Buffer.concat([ip, echo]);
    broken[30] ^= 0xff;
    const parsed = parseIcmpFromIpv4(broken);
    expect(parsed.ok && parsed.value.checksumValid).toBe(false);
  });

  it('answers why for truncated, non-IPv4 and non-ICMP input', () => {
    expect(parseIcmpFromIpv4(Buffer.alloc(10))).toMatchObject({ ok: false });
    expect(parseIcmpFromIpv4(Buffer.concat([Buffer.from([0x60]), Buffer.alloc(40)]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('version 6'),
    });
    const udp = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.1', payloadLength: 8, protocol: 17 }).bytes;
    expect(parseIcmpFromIpv4(Buffer.concat([udp, Buffer.alloc(8)]))).toMatchObject({ ok: false, reason: expect.stringContaining('17') });
    const ip = buildIpv4Header({ source: '127.0.0.1', destination: '127.0.0.1', payloadLength: 4 }).bytes;
    expect(parseIcmpFromIpv4(Buffer.concat([ip, Buffer.alloc(4)]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('truncated'),
    });
  });
});

describe('parseIcmpv6', () => {
  it('reads an echo reply without an IP header; TTL and checksum validity are unknown', () => {
    const built = buildIcmpv6Echo({ type: 129, code: 0, identifier: 9, sequence: 10, payload: echoPayload(3) }).bytes;
    expect(parseIcmpv6(built)).toMatchObject({
      ok: true,
      value: { type: 129, identifier: 9, sequence: 10, ttl: null, checksumValid: null },
    });
    expect(parseIcmpv6(built.subarray(0, 7))).toMatchObject({ ok: false });
  });
});
