/**
 * The fields a display filter may name, with the type that decides how values compare.
 *
 * Names and types come from the dissector's field table (one declaration per field, as in
 * Wireshark), so a field the dissectors decode is a field filters know. This module adds only
 * what filtering itself needs: which fields are aliases of others, which field witnesses a
 * protocol, and the largest value of fields whose width the table does not record.
 */
import { FIELD_TABLE, type FieldDecl } from '../dissect';

/** How a field's values (tshark text) compare. */
export type FilterFieldType = 'protocol' | 'uint' | 'bool' | 'float' | 'ipv4' | 'ipv6' | 'ether' | 'string' | 'bytes';

export interface FilterField {
  readonly name: string;
  readonly type: FilterFieldType;
  /** Largest value of an unsigned field, to reject literals that can never match. */
  readonly max?: number;
  /** For aliases such as `ip.addr`: the real fields whose values it stands for. */
  readonly aliasOf?: readonly string[];
  /**
   * For protocols: a field every packet of the protocol carries, consulted when the lookup has
   * no entry for the protocol name itself.
   */
  readonly witness?: string;
}

const U8 = 0xff;
const U16 = 0xffff;

/** Wireshark's alias fields: each stands for the values of both real fields. */
const ALIAS_OF: Readonly<Record<string, readonly string[]>> = {
  'eth.addr': ['eth.src', 'eth.dst'],
  'ip.addr': ['ip.src', 'ip.dst'],
  'ipv6.addr': ['ipv6.src', 'ipv6.dst'],
  'tcp.port': ['tcp.srcport', 'tcp.dstport'],
  'udp.port': ['udp.srcport', 'udp.dstport'],
};

/** For each protocol, a field every packet of it carries (checked against tshark's own filter). */
const WITNESS: Readonly<Record<string, string>> = {
  frame: 'frame.number',
  eth: 'eth.src',
  vlan: 'vlan.id',
  sll: 'sll.pkttype',
  null: 'null.family',
  arp: 'arp.opcode',
  ip: 'ip.src',
  ipv6: 'ipv6.src',
  tcp: 'tcp.srcport',
  udp: 'udp.srcport',
  icmp: 'icmp.type',
  icmpv6: 'icmpv6.type',
};

/** Widths the table leaves implicit (decimal fields), for the "too large" message. */
const MAX: Readonly<Record<string, number>> = {
  'tcp.srcport': U16,
  'tcp.dstport': U16,
  'tcp.port': U16,
  'udp.srcport': U16,
  'udp.dstport': U16,
  'udp.port': U16,
  'ip.ttl': U8,
  'ip.proto': U8,
  'ip.version': 0xf,
  'ip.len': U16,
  'ipv6.hlim': U8,
  'ipv6.nxt': U8,
  'ipv6.plen': U16,
  'icmp.type': U8,
  'icmp.code': U8,
  'icmpv6.type': U8,
  'icmpv6.code': U8,
  'tcp.window_size_value': U16,
  'udp.length': U16,
};

function toFilterField(decl: FieldDecl): FilterField {
  const type: FilterFieldType = decl.type === 'time' ? 'float' : decl.type;
  const max = MAX[decl.name] ?? (decl.hexDigits !== undefined ? 16 ** decl.hexDigits - 1 : undefined);
  return {
    name: decl.name,
    type,
    ...(max !== undefined && type === 'uint' ? { max } : {}),
    ...(ALIAS_OF[decl.name] !== undefined ? { aliasOf: ALIAS_OF[decl.name] } : {}),
    ...(WITNESS[decl.name] !== undefined ? { witness: WITNESS[decl.name] } : {}),
  };
}

let table: ReadonlyMap<string, FilterField> | undefined;

/** Built on first use, after every protocol module has declared its fields. */
function filterTable(): ReadonlyMap<string, FilterField> {
  table ??= new Map([...FIELD_TABLE.values()].map((decl) => [decl.name, toFilterField(decl)]));
  return table;
}

/** The field a filter names, or undefined when SockLab does not know it. */
export function filterField(name: string): FilterField | undefined {
  return filterTable().get(name);
}

/** Every name a filter may use, for suggestions and completion. */
export function filterFieldNames(): readonly string[] {
  return [...filterTable().keys()];
}
