/**
 * Turns a value written in a filter into predicates over tshark-printed field values, checked
 * against the field's type so a student learns at once that `tcp.port == "80"` or
 * `ip.addr == ::1` cannot work, and why.
 */
import { FilterError } from './errors';
import { filterField, type FilterField } from './fields';
import type { ValueNode } from './parser';
import {
  hexOfValue,
  ipv4OfValue,
  ipv6Key,
  ipv6KeyOfValue,
  numberOfValue,
  parseBoolLiteral,
  parseByteSequence,
  parseFloatLiteral,
  parseIPv4,
  parseIPv6,
  parseMac,
  parseUintLiteral,
  utf8Hex,
} from './values';

/** A test of one field value, as tshark prints it. */
export type ValuePredicate = (raw: string) => boolean;

export type OrderOp = 'gt' | 'lt' | 'ge' | 'le';

/** What a literal offers: equality always, ordering when the field's type is ordered. */
export interface TypedLiteral {
  readonly equals: ValuePredicate;
  readonly order?: (op: OrderOp) => ValuePredicate;
}

/** Types a value against the field it is compared with. */
export function typeLiteral(field: FilterField, value: ValueNode): TypedLiteral {
  if (!value.quoted && filterField(value.text) !== undefined && !looksLikeLiteral(value.text)) {
    throw new FilterError(
      `Comparing two fields (${field.name} with ${value.text}) is not supported: compare a field with a value.`,
      value.pos,
    );
  }
  switch (field.type) {
    case 'uint':
    case 'float':
    case 'bool':
      return numericLiteral(field, value);
    case 'ipv4':
      return ipv4Literal(field, value);
    case 'ipv6':
      return ipv6Literal(field, value);
    case 'ether': {
      const mac = value.quoted ? null : parseMac(value.text);
      if (mac === null)
        throw new FilterError(`"${value.text}" is not a MAC address: write six byte pairs, like 00:11:22:33:44:55.`, value.pos);
      const printed = mac.replace(/(..)(?!$)/g, '$1:');
      return { equals: (raw) => raw === printed || hexOfValue(raw) === mac };
    }
    case 'bytes': {
      const hex = bytesNeedle(field, value);
      return { equals: (raw) => hexOfValue(raw) === hex };
    }
    case 'string': {
      const text = value.text;
      return { equals: (raw) => raw === text, order: (op) => orderedBy((raw) => raw, text, op) };
    }
    case 'protocol':
      throw protocolError(field, value.pos);
  }
}

/** The bytes a `contains` on a byte or MAC field looks for, as lowercase hex. */
export function bytesNeedle(field: FilterField, value: ValueNode): string {
  if (value.quoted) return utf8Hex(value.text);
  const hex = parseByteSequence(value.text);
  if (hex === null) {
    throw new FilterError(
      `"${value.text}" is not a byte sequence: write bytes like 47:45:54, or text in quotes like "GET" (${field.name}).`,
      value.pos,
    );
  }
  return hex;
}

/** The error for comparing a protocol, which has presence but no value. */
export function protocolError(field: FilterField, pos: number): FilterError {
  return new FilterError(
    `"${field.name}" is a protocol: test it alone (${field.name}) or compare one of its fields, such as ${field.name}.${exampleSuffix(field.name)}.`,
    pos,
  );
}

function exampleSuffix(protocol: string): string {
  const examples: Record<string, string> = {
    tcp: 'port == 80',
    udp: 'port == 53',
    ip: 'addr == 127.0.0.1',
    ipv6: 'addr == ::1',
    eth: 'addr == 00:11:22:33:44:55',
    icmp: 'type == 8',
    icmpv6: 'type == 128',
    arp: 'opcode == 1',
  };
  return examples[protocol] ?? 'len > 0';
}

function looksLikeLiteral(text: string): boolean {
  return parseIPv4(text) !== null || parseIPv6(text) !== null || parseMac(text) !== null || parseByteSequence(text) !== null;
}

function numericLiteral(field: FilterField, value: ValueNode): TypedLiteral {
  if (value.quoted) throw new FilterError(`${field.name} holds numbers: write ${value.text} without quotes.`, value.pos);
  let n: number | null;
  if (field.type === 'bool') {
    n = parseBoolLiteral(value.text);
    if (n === null)
      throw new FilterError(`${field.name} is a flag: compare it with 1 or 0 (true or false), not "${value.text}".`, value.pos);
    const flag = n;
    // Wireshark orders flags as 0 < 1, so `tcp.flags.syn > 0` is accepted as it is there.
    return { equals: (raw) => numberOfValue(raw) === flag, order: (op) => orderedBy(numberOfValue, flag, op) };
  }
  n = field.type === 'float' ? parseFloatLiteral(value.text) : parseUintLiteral(value.text);
  if (n === null) {
    const kind = field.type === 'float' ? 'numbers such as 1.5' : 'whole numbers such as 80 or 0x50';
    throw new FilterError(`"${value.text}" is not a number: ${field.name} holds ${kind}.`, value.pos);
  }
  if (field.max !== undefined && n > field.max) {
    throw new FilterError(`${value.text} is too large for ${field.name} (at most ${field.max}).`, value.pos);
  }
  const literal = n;
  return { equals: (raw) => numberOfValue(raw) === literal, order: (op) => orderedBy(numberOfValue, literal, op) };
}

/** Splits "addr/bits" and checks the prefix length; bits is null for a plain address. */
function splitPrefix(value: ValueNode, maxBits: number): { address: string; bits: number | null } {
  const slash = value.text.indexOf('/');
  if (slash === -1) return { address: value.text, bits: null };
  const bitsText = value.text.slice(slash + 1);
  const bits = /^[0-9]{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= maxBits)) {
    throw new FilterError(`"/${bitsText}" is not a prefix length: write /0 to /${maxBits}.`, value.pos + slash);
  }
  return { address: value.text.slice(0, slash), bits };
}

function ipv4Literal(field: FilterField, value: ValueNode): TypedLiteral {
  const { address, bits } = value.quoted ? { address: value.text, bits: null } : splitPrefix(value, 32);
  const ip = value.quoted ? null : parseIPv4(address);
  if (ip === null) {
    if (parseIPv6(address) !== null) {
      throw new FilterError(
        `${address} is an IPv6 address: ${field.name} holds IPv4 addresses; use ipv6.addr, ipv6.src or ipv6.dst.`,
        value.pos,
      );
    }
    if (isHostName(address)) throw hostNameError(address, '127.0.0.1', value.pos);
    throw new FilterError(
      `"${value.text}" is not an IPv4 address: write four numbers from 0 to 255, like 127.0.0.1, or a network like 127.0.0.0/8.`,
      value.pos,
    );
  }
  if (bits !== null) {
    const scale = 2 ** (32 - bits);
    const network = Math.floor(ip / scale);
    return { equals: (raw) => Math.floor(ipv4OfValue(raw) / scale) === network };
  }
  return { equals: (raw) => ipv4OfValue(raw) === ip, order: (op) => orderedBy(ipv4OfValue, ip, op) };
}

function ipv6Literal(field: FilterField, value: ValueNode): TypedLiteral {
  const { address, bits } = value.quoted ? { address: value.text, bits: null } : splitPrefix(value, 128);
  const words = value.quoted ? null : parseIPv6(address);
  if (words === null) {
    if (parseIPv4(address) !== null) {
      throw new FilterError(`${address} is an IPv4 address: ${field.name} holds IPv6 addresses; use ip.addr, ip.src or ip.dst.`, value.pos);
    }
    if (isHostName(address)) throw hostNameError(address, '::1', value.pos);
    throw new FilterError(`"${value.text}" is not an IPv6 address: write it like ::1 or fe80::1, or a network like fe80::/10.`, value.pos);
  }
  const key = ipv6Key(words);
  if (bits !== null) {
    const nibbles = Math.floor(bits / 4);
    const shift = 4 - (bits % 4);
    const head = key.slice(0, nibbles);
    const partial = nibbles < 32 ? parseInt(key[nibbles], 16) >> shift : 0;
    return {
      equals: (raw) => {
        const k = ipv6KeyOfValue(raw);
        if (k === '' || !k.startsWith(head)) return false;
        return shift === 4 || parseInt(k[nibbles], 16) >> shift === partial;
      },
    };
  }
  const present = (raw: string): string | null => {
    const k = ipv6KeyOfValue(raw);
    return k === '' ? null : k;
  };
  return { equals: (raw) => ipv6KeyOfValue(raw) === key, order: (op) => orderedBy(present, key, op) };
}

function isHostName(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*$/.test(text);
}

/** Filters never resolve names: the same filter must select the same packets anywhere. */
function hostNameError(name: string, example: string, pos: number): FilterError {
  return new FilterError(`SockLab does not look up host names like "${name}": write the address itself, such as ${example}.`, pos);
}

/** An ordering predicate; values that do not convert (NaN, null) never match. */
function orderedBy<T extends number | string>(convert: (raw: string) => T | null, literal: T, op: OrderOp): ValuePredicate {
  switch (op) {
    case 'gt':
      return (raw) => {
        const v = convert(raw);
        return v !== null && v > literal;
      };
    case 'lt':
      return (raw) => {
        const v = convert(raw);
        return v !== null && v < literal;
      };
    case 'ge':
      return (raw) => {
        const v = convert(raw);
        return v !== null && v >= literal;
      };
    case 'le':
      return (raw) => {
        const v = convert(raw);
        return v !== null && v <= literal;
      };
  }
}
