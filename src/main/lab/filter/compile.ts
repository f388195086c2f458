/**
 * Compiles a filter's syntax tree into closures, once, so testing a packet is a few calls and
 * no allocation. Multi-valued fields follow modern Wireshark (4.x): `==` is true if ANY value
 * equals, `!=` is true if ALL values differ ("all_ne"); `===` needs all equal and `~=`/`!==`
 * any different. A comparison on a field the packet lacks is false, so `ip.addr != 10.0.0.1`
 * is false for an ARP packet while `!(ip.addr == 10.0.0.1)` is true.
 */
import type { FieldLookup } from '../dissect/types';
import { FilterError } from './errors';
import type { FilterField } from './fields';
import { bytesNeedle, protocolError, typeLiteral, type ValuePredicate } from './literals';
import type { Expr, SetItem, ValueNode } from './parser';
import { hexContains, hexOfValue, latin1OfHex } from './values';

/** A compiled test of one packet. */
export type PacketTest = (lookup: FieldLookup) => boolean;

/** Longest `matches` pattern, and the most text one value offers to it (keeps evaluation bounded). */
const MAX_PATTERN = 256;
const MAX_SUBJECT = 65_536;

/** Compiles `expr`, adding to `used` every real field name the test will look up. */
export function compileExpr(expr: Expr, used: Set<string>): PacketTest {
  switch (expr.kind) {
    case 'and': {
      const left = compileExpr(expr.left, used);
      const right = compileExpr(expr.right, used);
      return (lookup) => left(lookup) && right(lookup);
    }
    case 'or': {
      const left = compileExpr(expr.left, used);
      const right = compileExpr(expr.right, used);
      return (lookup) => left(lookup) || right(lookup);
    }
    case 'xor': {
      const left = compileExpr(expr.left, used);
      const right = compileExpr(expr.right, used);
      return (lookup) => left(lookup) !== right(lookup);
    }
    case 'not': {
      const operand = compileExpr(expr.operand, used);
      return (lookup) => !operand(lookup);
    }
    case 'present':
      return presence(expr.field, used);
    case 'compare': {
      if (expr.field.type === 'protocol') throw protocolError(expr.field, expr.pos);
      const literal = typeLiteral(expr.field, expr.value);
      const names = sourceNames(expr.field, used);
      switch (expr.op) {
        case 'any_eq':
          return anyValue(names, literal.equals);
        case 'all_eq':
          return allValues(names, literal.equals);
        case 'all_ne':
          return allValues(names, negate(literal.equals));
        case 'any_ne':
          return anyValue(names, negate(literal.equals));
        default: {
          if (literal.order === undefined) throw unorderedError(expr.field, expr.value, expr.opText, expr.opPos);
          return anyValue(names, literal.order(expr.op));
        }
      }
    }
    case 'in':
      return anyValue(sourceNames(expr.field, used), setPredicate(expr.field, expr.items));
    case 'contains':
      return anyValue(sourceNames(expr.field, used), containsPredicate(expr.field, expr.value, expr.pos));
    case 'matches':
      return anyValue(sourceNames(expr.field, used), matchesPredicate(expr.field, expr.value, expr.pos));
  }
}

function sourceNames(field: FilterField, used: Set<string>): readonly string[] {
  const names = field.aliasOf ?? [field.name];
  for (const name of names) used.add(name);
  return names;
}

function negate(predicate: ValuePredicate): ValuePredicate {
  return (raw) => !predicate(raw);
}

/** A protocol is present when the lookup names it, or failing that, its witness field. */
function presence(field: FilterField, used: Set<string>): PacketTest {
  const names = sourceNames(field, used);
  const witness = field.witness;
  if (witness !== undefined) used.add(witness);
  const present = (lookup: FieldLookup, name: string): boolean => {
    const values = lookup(name);
    return values !== undefined && values.length > 0;
  };
  if (names.length === 1) {
    const name = names[0];
    if (witness === undefined) return (lookup) => present(lookup, name);
    return (lookup) => present(lookup, name) || present(lookup, witness);
  }
  return (lookup) => names.some((name) => present(lookup, name));
}

/** True when some value of the field(s) passes: Wireshark's default for multi-valued fields. */
function anyValue(names: readonly string[], predicate: ValuePredicate): PacketTest {
  if (names.length === 1) {
    const name = names[0];
    return (lookup) => {
      const values = lookup(name);
      if (values === undefined) return false;
      for (let i = 0; i < values.length; i++) if (predicate(values[i])) return true;
      return false;
    };
  }
  return (lookup) => {
    for (let n = 0; n < names.length; n++) {
      const values = lookup(names[n]);
      if (values === undefined) continue;
      for (let i = 0; i < values.length; i++) if (predicate(values[i])) return true;
    }
    return false;
  };
}

/** True when the field has at least one value and every value passes. */
function allValues(names: readonly string[], predicate: ValuePredicate): PacketTest {
  return (lookup) => {
    let seen = false;
    for (let n = 0; n < names.length; n++) {
      const values = lookup(names[n]);
      if (values === undefined) continue;
      for (let i = 0; i < values.length; i++) {
        if (!predicate(values[i])) return false;
        seen = true;
      }
    }
    return seen;
  };
}

function unorderedError(field: FilterField, value: ValueNode, opText: string, opPos: number): FilterError {
  if (value.text.includes('/') && (field.type === 'ipv4' || field.type === 'ipv6')) {
    return new FilterError(`A network (${value.text}) only works with == or != (or in a set), not "${opText}".`, opPos);
  }
  const kind = field.type === 'ether' ? 'a MAC address' : 'bytes';
  return new FilterError(`${field.name} is ${kind}: it can be compared with == or !=, not "${opText}".`, opPos);
}

function setPredicate(field: FilterField, items: readonly SetItem[]): ValuePredicate {
  if (field.type === 'protocol') throw protocolError(field, items[0].low.pos);
  const tests = items.map((item): ValuePredicate => {
    const low = typeLiteral(field, item.low);
    if (item.high === undefined) return low.equals;
    const high = typeLiteral(field, item.high);
    if (low.order === undefined || high.order === undefined) {
      throw new FilterError(`${field.name} has no order, so it cannot take a range (${item.low.text}..${item.high.text}).`, item.low.pos);
    }
    const atLeast = low.order('ge');
    const atMost = high.order('le');
    return (raw) => atLeast(raw) && atMost(raw);
  });
  if (tests.length === 1) return tests[0];
  return (raw) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](raw)) return true;
    return false;
  };
}

function containsPredicate(field: FilterField, value: ValueNode, pos: number): ValuePredicate {
  if (field.type === 'string') {
    const text = value.text;
    return (raw) => raw.includes(text);
  }
  if (field.type === 'bytes' || field.type === 'ether') {
    const needle = bytesNeedle(field, value);
    return (raw) => hexContains(hexOfValue(raw), needle);
  }
  if (field.type === 'protocol') throw protocolError(field, pos);
  throw new FilterError(`"contains" searches text and bytes (such as tcp.payload); ${field.name} holds ${typeWord(field)}.`, pos);
}

function matchesPredicate(field: FilterField, value: ValueNode, pos: number): ValuePredicate {
  if (field.type !== 'string' && field.type !== 'bytes') {
    if (field.type === 'protocol') throw protocolError(field, pos);
    throw new FilterError(`"matches" searches text and bytes (such as tcp.payload); ${field.name} holds ${typeWord(field)}.`, pos);
  }
  if (!value.quoted) throw new FilterError('Write the regular expression in double quotes, for example matches "^GET".', value.pos);
  const regex = boundedRegex(value);
  if (field.type === 'string') return (raw) => regex.test(raw.length > MAX_SUBJECT ? raw.slice(0, MAX_SUBJECT) : raw);
  return (raw) => regex.test(latin1OfHex(hexOfValue(raw).slice(0, MAX_SUBJECT * 2)));
}

/**
 * A regular expression that cannot run away: short, without nested quantifiers such as
 * (a+)+ that backtrack exponentially, and applied to at most MAX_SUBJECT characters.
 * Like Wireshark it is case-insensitive unless it starts with (?-i).
 */
function boundedRegex(value: ValueNode): RegExp {
  let source = value.text;
  let flags = 'i';
  if (source.startsWith('(?-i)')) {
    source = source.slice(5);
    flags = '';
  } else if (source.startsWith('(?i)')) source = source.slice(4);
  if (source.length > MAX_PATTERN) {
    throw new FilterError(`This regular expression is too long (${source.length} characters; at most ${MAX_PATTERN}).`, value.pos);
  }
  if (/\((?:[^()\\]|\\.)*(?:[*+]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[*+]|\{\d+,\d*\})/.test(source)) {
    throw new FilterError(
      'A repeated group that itself repeats, like (a+)+, can take forever: simplify the regular expression.',
      value.pos,
    );
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new FilterError(`This regular expression is not valid: ${reason}.`, value.pos);
  }
}

function typeWord(field: FilterField): string {
  switch (field.type) {
    case 'uint':
    case 'float':
      return 'numbers';
    case 'bool':
      return 'a flag';
    case 'ipv4':
    case 'ipv6':
      return 'addresses (compare them with == or use a network like 10.0.0.0/8)';
    default:
      return field.type;
  }
}
