import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/main/lab/filter';
import type { FieldLookup } from '../../src/main/lab/dissect/types';

/** A lookup over a plain record, values written as tshark prints them. */
function lookupOf(fields: Record<string, string | string[]>): FieldLookup {
  return (name) => {
    const value = fields[name];
    return value === undefined ? undefined : Array.isArray(value) ? value : [value];
  };
}

const synPacket = lookupOf({
  eth: '',
  'eth.src': '00:00:00:00:00:00',
  'eth.dst': '00:00:00:00:00:00',
  'eth.type': '0x0800',
  ip: '',
  'ip.version': '4',
  'ip.src': '127.0.0.1',
  'ip.dst': '127.0.0.2',
  'ip.ttl': '64',
  'ip.proto': '6',
  'ip.id': '0x4dc4',
  'ip.flags.df': '1',
  tcp: '',
  'tcp.srcport': '54321',
  'tcp.dstport': '8080',
  'tcp.flags': '0x0002',
  'tcp.flags.syn': '1',
  'tcp.flags.ack': '0',
  'tcp.len': '0',
  'tcp.options.mss_val': '65495',
});
const httpPacket = lookupOf({
  'ip.version': '4',
  'ip.src': '10.1.2.3',
  'ip.dst': '192.168.0.9',
  'tcp.srcport': '80',
  'tcp.dstport': '40000',
  'tcp.flags': '0x0018',
  'tcp.flags.syn': 'False',
  'tcp.flags.ack': 'True',
  'tcp.payload': '474554202f20485454502f312e310d0a',
  'tcp.len': '16',
});
const arpPacket = lookupOf({
  'eth.src': 'd6:06:3c:4a:35:7a',
  'eth.dst': 'ff:ff:ff:ff:ff:ff',
  'eth.type': '0x0806',
  'arp.opcode': '1',
  'arp.src.proto_ipv4': '10.2.1.1',
});
const v6Packet = lookupOf({ 'ipv6.src': '::1', 'ipv6.dst': 'fe80::216:3eff:fe11:3424', 'udp.srcport': '5353', 'udp.dstport': '53' });
const icmpInIcmp = lookupOf({ 'ip.src': ['10.0.0.1', '10.0.0.9'], 'ip.dst': ['10.0.0.2', '10.0.0.1'], 'icmp.type': ['3', '8'] });

function run(filter: string, lookup: FieldLookup): boolean {
  const compiled = compileFilter(filter);
  if (!compiled.ok) throw new Error(`${filter}: ${compiled.error} @${compiled.position}`);
  return compiled.test(lookup);
}

function error(filter: string): { error: string; position: number } {
  const compiled = compileFilter(filter);
  if (compiled.ok) throw new Error(`${filter} compiled`);
  return { error: compiled.error, position: compiled.position };
}

describe('compileFilter: presence', () => {
  it('matches everything with an empty or blank filter', () => {
    expect(run('', arpPacket)).toBe(true);
    expect(run('   ', synPacket)).toBe(true);
  });
  it('tests protocols by name or by their witness field', () => {
    expect(run('tcp', synPacket)).toBe(true);
    expect(run('tcp', httpPacket)).toBe(true); // no 'tcp' entry: tcp.srcport witnesses it
    expect(run('tcp', arpPacket)).toBe(false);
    expect(run('arp', arpPacket)).toBe(true);
    expect(run('!arp', arpPacket)).toBe(false);
    expect(run('!arp', synPacket)).toBe(true);
    expect(run('ipv6', v6Packet)).toBe(true);
    expect(run('ip', v6Packet)).toBe(false);
    expect(run('udp', v6Packet)).toBe(true);
    expect(run('icmp', icmpInIcmp)).toBe(true);
    expect(run('eth', arpPacket)).toBe(true);
    expect(run('icmpv6', v6Packet)).toBe(false);
  });
  it('tests field presence', () => {
    expect(run('tcp.options.mss_val', synPacket)).toBe(true);
    expect(run('tcp.options.mss_val', httpPacket)).toBe(false);
    expect(run('tcp.port', httpPacket)).toBe(true);
    expect(run('ip.addr', arpPacket)).toBe(false);
  });
  it('lists the real fields it looks up, aliases expanded', () => {
    const compiled = compileFilter('tcp.port == 80 && ip.addr == 10.0.0.1 && tcp.flags.syn == 1');
    expect(compiled.ok && compiled.fields.sort()).toEqual(['ip.dst', 'ip.src', 'tcp.dstport', 'tcp.flags.syn', 'tcp.srcport']);
  });
});

describe('compileFilter: comparisons', () => {
  it('supports every comparison operator in symbols and words', () => {
    const cases: [string, boolean][] = [
      ['ip.ttl == 64', true],
      ['ip.ttl eq 64', true],
      ['ip.ttl != 64', false],
      ['ip.ttl ne 63', true],
      ['ip.ttl > 63', true],
      ['ip.ttl gt 64', false],
      ['ip.ttl < 65', true],
      ['ip.ttl lt 64', false],
      ['ip.ttl >= 64', true],
      ['ip.ttl ge 65', false],
      ['ip.ttl <= 64', true],
      ['ip.ttl le 63', false],
      ['ip.ttl === 64', true],
      ['ip.ttl all_eq 64', true],
      ['ip.ttl ~= 64', false],
      ['ip.ttl !== 63', true],
      ['ip.ttl any_eq 64', true],
      ['ip.ttl all_ne 64', false],
      ['ip.ttl any_ne 64', false],
    ];
    for (const [filter, expected] of cases) expect([filter, run(filter, synPacket)]).toEqual([filter, expected]);
  });
  it('normalises decimal, hex, octal and binary literals against hex or decimal values', () => {
    expect(run('tcp.flags == 0x02', synPacket)).toBe(true);
    expect(run('tcp.flags == 2', synPacket)).toBe(true);
    expect(run('tcp.flags == 0b10', synPacket)).toBe(true);
    expect(run('tcp.flags == 0x12', synPacket)).toBe(false);
    expect(run('ip.id == 19908', synPacket)).toBe(true);
    expect(run('ip.ttl == 0100', synPacket)).toBe(true); // octal 64
    expect(run('tcp.dstport == 0x1f90', synPacket)).toBe(true);
    expect(run('eth.type == 0x800', synPacket)).toBe(true);
    expect(run('tcp.flags > 0x10', httpPacket)).toBe(true);
  });
  it('normalises booleans printed 1/0 or True/False and written true/false/1/0', () => {
    expect(run('tcp.flags.syn == 1', synPacket)).toBe(true);
    expect(run('tcp.flags.syn == true', synPacket)).toBe(true);
    expect(run('tcp.flags.syn == True', synPacket)).toBe(true);
    expect(run('tcp.flags.syn == 1', httpPacket)).toBe(false);
    expect(run('tcp.flags.syn == false', httpPacket)).toBe(true);
    expect(run('tcp.flags.ack == 1', httpPacket)).toBe(true);
    expect(run('tcp.flags.syn', httpPacket)).toBe(true); // presence, as in Wireshark
    expect(run('tcp.flags.syn > 0', synPacket)).toBe(true);
    expect(run('tcp.flags.syn > 0', httpPacket)).toBe(false);
  });
  it('uses any-value semantics for == and all-values semantics for != (Wireshark 4)', () => {
    expect(run('ip.src == 10.0.0.9', icmpInIcmp)).toBe(true);
    expect(run('ip.src != 10.0.0.9', icmpInIcmp)).toBe(false);
    expect(run('ip.src != 10.0.0.5', icmpInIcmp)).toBe(true);
    expect(run('ip.src ~= 10.0.0.9', icmpInIcmp)).toBe(true);
    expect(run('ip.src === 10.0.0.9', icmpInIcmp)).toBe(false);
    expect(run('icmp.type == 8', icmpInIcmp)).toBe(true);
    // A comparison on an absent field is false; its negation is true.
    expect(run('ip.addr != 10.0.0.1', arpPacket)).toBe(false);
    expect(run('!(ip.addr == 10.0.0.1)', arpPacket)).toBe(true);
  });
  it('expands the alias fields ip.addr, ipv6.addr, tcp.port, udp.port and eth.addr', () => {
    expect(run('ip.addr == 127.0.0.2', synPacket)).toBe(true);
    expect(run('ip.addr == 127.0.0.1', synPacket)).toBe(true);
    expect(run('ip.addr == 127.0.0.3', synPacket)).toBe(false);
    expect(run('tcp.port == 8080', synPacket)).toBe(true);
    expect(run('tcp.port == 54321', synPacket)).toBe(true);
    expect(run('udp.port == 53', v6Packet)).toBe(true);
    expect(run('ipv6.addr == ::1', v6Packet)).toBe(true);
    expect(run('eth.addr == ff:ff:ff:ff:ff:ff', arpPacket)).toBe(true);
    expect(run('eth.addr == D6-06-3C-4A-35-7A', arpPacket)).toBe(true);
    expect(run('eth.addr == d606.3c4a.357a', arpPacket)).toBe(true);
    expect(run('eth.addr != ff:ff:ff:ff:ff:ff', arpPacket)).toBe(false);
  });
  it('compares IPv4 and IPv6 addresses by value, with CIDR networks', () => {
    expect(run('ip.addr == 127.0.0.0/8', synPacket)).toBe(true);
    expect(run('ip.src == 10.0.0.0/8', synPacket)).toBe(false);
    expect(run('ip.addr == 192.168.0.0/16 && ip.src == 10.0.0.0/8', httpPacket)).toBe(true);
    expect(run('ip.addr == 0.0.0.0/0', httpPacket)).toBe(true);
    expect(run('ip.src == 10.1.2.3/32', httpPacket)).toBe(true);
    expect(run('ip.src > 10.1.2.2', httpPacket)).toBe(true);
    expect(run('arp.src.proto_ipv4 == 10.2.1.1', arpPacket)).toBe(true);
    expect(run('ipv6.src == 0:0:0:0:0:0:0:1', v6Packet)).toBe(true);
    expect(run('ipv6.src == ::0.0.0.1', v6Packet)).toBe(true);
    expect(run('ipv6.dst == FE80:0::216:3EFF:FE11:3424', v6Packet)).toBe(true);
    expect(run('ipv6.addr == fe80::/10', v6Packet)).toBe(true);
    expect(run('ipv6.dst == fe80::/9', v6Packet)).toBe(true);
    expect(run('ipv6.src == fe80::/10', v6Packet)).toBe(false);
    expect(run('ipv6.dst == fec0::/10', v6Packet)).toBe(false);
    expect(run('ipv6.src == ::/0', v6Packet)).toBe(true);
  });
});

describe('compileFilter: logic and precedence', () => {
  it('binds ! tighter than && and && tighter than ||', () => {
    expect(run('arp || tcp && udp', arpPacket)).toBe(true); // arp || (tcp && udp)
    expect(run('(arp || tcp) && udp', arpPacket)).toBe(false);
    expect(run('!arp && tcp', synPacket)).toBe(true);
    expect(run('!(arp || tcp)', synPacket)).toBe(false);
    expect(run('not arp and tcp or udp', arpPacket)).toBe(false);
    expect(run('tcp xor ip', synPacket)).toBe(false);
    expect(run('tcp ^^ arp', synPacket)).toBe(true);
    expect(run('!!tcp', synPacket)).toBe(true);
    expect(run('tcp.port == 8080 && tcp.flags.syn == 1', synPacket)).toBe(true);
    expect(run('tcp.port == 8080 && tcp.flags.syn == 1', httpPacket)).toBe(false);
  });
});

describe('compileFilter: sets, contains, matches', () => {
  it('tests membership in sets with values and ranges', () => {
    expect(run('tcp.port in {80 443 8000..8100}', synPacket)).toBe(true);
    expect(run('tcp.port in {80, 443}', httpPacket)).toBe(true);
    expect(run('tcp.dstport in {80 443 8081..8100}', synPacket)).toBe(false);
    expect(run('tcp.dstport not in {80 443}', synPacket)).toBe(true);
    expect(run('ip.src in {10.0.0.0/8 192.168.0.0/16}', httpPacket)).toBe(true);
    expect(run('ip.src in {10.1.2.0..10.1.2.3}', httpPacket)).toBe(true);
    expect(run('ip.ttl in {0x3f..0x41}', synPacket)).toBe(true);
  });
  it('searches bytes for quoted text or byte sequences', () => {
    expect(run('tcp.payload contains "GET"', httpPacket)).toBe(true);
    expect(run('tcp.payload contains "HTTP/1.1\\r\\n"', httpPacket)).toBe(true);
    expect(run('tcp.payload contains "get"', httpPacket)).toBe(false); // contains is case-sensitive
    expect(run('tcp.payload contains 47:45:54', httpPacket)).toBe(true);
    expect(run('tcp.payload contains 2f', httpPacket)).toBe(true);
    expect(run('tcp.payload contains 2f2048', httpPacket)).toBe(true); // plain hex, as tshark takes it
    expect(run('tcp.payload contains "\x47ET"', httpPacket)).toBe(true);
    expect(run('tcp.payload contains 54:20:2f:20', httpPacket)).toBe(true);
    // Bytes are searched at byte boundaries: "74 20" straddles no boundary here.
    expect(run('tcp.payload contains 42:02', httpPacket)).toBe(false);
    expect(run('tcp.payload == 47:45:54:20:2f:20:48:54:54:50:2f:31:2e:31:0d:0a', httpPacket)).toBe(true);
    expect(run('eth.src contains 3c:4a', arpPacket)).toBe(true);
  });
  it('matches regular expressions, case-insensitively unless (?-i)', () => {
    expect(run('tcp.payload matches "^get /"', httpPacket)).toBe(true);
    expect(run('tcp.payload ~ "HTTP/1\\.[01]\\r\\n$"', httpPacket)).toBe(true);
    expect(run('tcp.payload matches "(?-i)^get"', httpPacket)).toBe(false);
    expect(run('tcp.payload matches r"\\d\\.\\d"', httpPacket)).toBe(true);
    expect(run('tcp.payload matches "^POST"', httpPacket)).toBe(false);
  });
});

describe('compileFilter: errors a student understands', () => {
  it('suggests the field meant by a typo, at its position', () => {
    expect(error('tcp.prot == 80')).toEqual({ error: '"tcp.prot" is not a field SockLab knows — did you mean "tcp.port"?', position: 0 });
    expect(error('tcp && ip.scr == 1.2.3.4').position).toBe(7);
    expect(error('tcp && ip.scr == 1.2.3.4').error).toContain('"ip.src"');
    expect(error('foo').error).toBe('"foo" is not a field SockLab knows');
  });
  it('explains single =, missing values, bad operators and stray tokens', () => {
    expect(error('tcp.port = 80')).toMatchObject({ position: 9 });
    expect(error('tcp.port = 80').error).toContain('==');
    expect(error('tcp.port ==')).toMatchObject({ position: 11 });
    expect(error('tcp.port 80')).toMatchObject({ position: 9 });
    expect(error('tcp &&')).toMatchObject({ position: 6 });
    expect(error('&& tcp')).toMatchObject({ position: 0 });
    expect(error('80 == tcp.port').error).toContain('tcp.port == 80');
    expect(error('"GET"').position).toBe(0);
    expect(error('tcp.port == 80 $').position).toBe(15);
    expect(error("tcp.payload contains 'GET'").position).toBe(21);
  });
  it('points at unbalanced parentheses, braces and quotes', () => {
    expect(error('(tcp || udp')).toMatchObject({ position: 0 });
    expect(error('tcp || udp)')).toMatchObject({ position: 10 });
    expect(error('()').position).toBe(0);
    expect(error('tcp.port in {80 443')).toMatchObject({ position: 12 });
    expect(error('tcp.port in {}').position).toBe(12);
    expect(error('tcp.port in 80').position).toBe(12);
    expect(error('tcp.payload contains "GET').position).toBe(21);
  });
  it('checks values against the field type', () => {
    expect(error('tcp.port == 70000')).toEqual({ error: '70000 is too large for tcp.port (at most 65535).', position: 12 });
    expect(error('tcp.port == "80"').error).toContain('without quotes');
    expect(error('tcp.port == http').error).toContain('not a number');
    expect(error('tcp.flags.syn == 2').error).toContain('flag');
    expect(error('eth.src > 00:11:22:33:44:55')).toMatchObject({ position: 8 });
    expect(error('tcp.payload <= 47:45').error).toContain('bytes');
    expect(error('ip.addr == 300.1.1.1')).toMatchObject({ position: 11 });
    expect(error('ip.addr == ::1').error).toContain('ipv6.addr');
    expect(error('ip.addr == localhost')).toEqual({
      error: 'SockLab does not look up host names like "localhost": write the address itself, such as 127.0.0.1.',
      position: 11,
    });
    expect(error('tcp.payload contains abc').error).toContain('byte sequence');
    expect(error('ipv6.addr == 127.0.0.1').error).toContain('ip.addr');
    expect(error('ip.addr == 10.0.0.0/33')).toMatchObject({ position: 19 });
    expect(error('ip.addr > 10.0.0.0/8').position).toBe(8);
    expect(error('eth.addr == 00:11:22').error).toContain('MAC');
    expect(error('tcp == 1').error).toContain('protocol');
    expect(error('tcp contains "x"').error).toContain('protocol');
    expect(error('ip.ttl contains 40').error).toContain('contains');
    expect(error('ip.src matches "10"').error).toContain('matches');
    expect(error('tcp.payload matches GET').error).toContain('double quotes');
    expect(error('tcp.payload contains zz').error).toContain('byte sequence');
    expect(error('ip.src == ip.dst').error).toContain('two fields');
    expect(error('eth.addr in {00:11:22:33:44:55..00:11:22:33:44:66}').error).toContain('range');
  });
  it('refuses regular expressions that could run away or do not parse', () => {
    expect(error('tcp.payload matches "(a+)+$"').error).toContain('forever');
    expect(error(`tcp.payload matches "${'a'.repeat(300)}"`).error).toContain('too long');
    expect(error('tcp.payload matches "(abc"').error).toContain('not valid');
  });
});
