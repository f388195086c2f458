/**
 * Field declarations in Wireshark's style: one plain, immutable descriptor per field, used by the
 * tree, the field lookup of display filters and the CLI alike. Values are formatted as tshark
 * prints them in `-T fields`.
 */
import type { FieldType } from './types';

export interface FieldDecl {
  /** Wireshark field name, e.g. `ip.src`. */
  readonly name: string;
  /** Wireshark's label, e.g. "Source Address". */
  readonly label: string;
  readonly type: FieldType;
  /** For uint: hex digits when shown as tshark's BASE_HEX (`0x0800` is 4); absent means decimal. */
  readonly hexDigits?: number;
  /** Names of values (`6` → "TCP"), shown in the tree label only. */
  readonly names?: Readonly<Record<number, string>>;
  /** Hidden fields (ip.addr, tcp.port) exist for filters but are not shown in the tree. */
  readonly hidden?: boolean;
}

const registry = new Map<string, FieldDecl>();

/** A field registered twice under one name with two different types (a programming error). */
export class FieldTypeConflictError extends Error {
  constructor(name: string, first: FieldType, second: FieldType) {
    super(`field ${name} is registered as ${first} and again as ${second}: one name has one type, as in Wireshark`);
    this.name = 'FieldTypeConflictError';
  }
}

/**
 * Declares a field and records it in the global field table. One name may be declared by more
 * than one protocol module (Wireshark allows that too) but always with the same type, because
 * display filters type their literals by the name alone: another type throws.
 */
export function field(
  name: string,
  label: string,
  type: FieldType,
  opts: { hexDigits?: number; names?: Readonly<Record<number, string>>; hidden?: boolean } = {},
): FieldDecl {
  const known = registry.get(name);
  if (known && known.type !== type) throw new FieldTypeConflictError(name, known.type, type);
  const decl: FieldDecl = Object.freeze({ name, label, type, ...opts });
  // The first declaration stays the one the field table (and so the filter engine) reports.
  if (!known) registry.set(name, decl);
  return decl;
}

/** A protocol node (`tcp`, `ip`): present when the protocol is in the packet. */
export function protocol(name: string, label: string): FieldDecl {
  return field(name, label, 'protocol');
}

/** Every declared field by Wireshark name (filled as the protocol modules load). */
export const FIELD_TABLE: ReadonlyMap<string, FieldDecl> = registry;

/** Formats a raw value the way tshark prints it in `-T fields`. */
export function formatValue(decl: FieldDecl, value: number | string): string {
  if (typeof value === 'string') return value;
  switch (decl.type) {
    case 'bool':
      return value ? '1' : '0';
    case 'ipv4':
      return ipv4ToString(value);
    case 'uint':
      return decl.hexDigits ? hex(value, decl.hexDigits) : String(value);
    default:
      return String(value);
  }
}

/** `0x` + lowercase hex, zero-padded to `digits`. */
export function hex(value: number, digits: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(digits, '0');
}

export function ipv4ToString(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Tree label text of a value: names and hex/decimal as Wireshark shows them. */
export function displayValue(decl: FieldDecl, value: number | string): string {
  const text = formatValue(decl, value);
  if (typeof value === 'number') {
    const name = decl.names?.[value];
    if (decl.type === 'bool') return value ? 'Set' : 'Not set';
    if (name !== undefined) return `${name} (${text})`;
  }
  return text;
}
