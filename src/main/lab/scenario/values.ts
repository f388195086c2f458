/**
 * Turning what a scenario author writes into what the lab takes: address shorthand, payload
 * text with escapes or hex, and `${name.path}` / `{ ref }` references to earlier results.
 * Failures are thrown as StepError with a sentence that names the value at fault.
 */
import type { SockAddr } from '@shared/socket';
import type { Ref } from './schema';

/** A problem with one step's values; the runner records it as that step's failure. */
export class StepError extends Error {
  override name = 'StepError';
}

/** Looks a dotted path ("server.port") up; returns undefined when the root name is unknown. */
export type Lookup = (root: string, rest: string[]) => unknown;

const TEMPLATE_RE = /\$\{([^}]*)\}/g;
const WHOLE_TEMPLATE_RE = /^\$\{([^}]*)\}$/;

/** Root names a template or ref refers to (for checking that they are defined earlier). */
export function referencedRoots(text: string): string[] {
  return [...text.matchAll(TEMPLATE_RE)].map((m) => m[1].trim().split('.')[0]);
}

/** Resolves one dotted path, failing with a sentence when nothing is there yet. */
export function resolvePath(path: string, lookup: Lookup): unknown {
  const [root, ...rest] = path.trim().split('.');
  const value = lookup(root, rest);
  if (value === undefined || value === null) {
    const hint = rest.at(-1) === 'port' ? ' (has it been bound, listened or connected yet?)' : '';
    throw new StepError(`\${${path.trim()}} has no value yet${hint}`);
  }
  return value;
}

/** Resolves templates in a string; a string that is one whole template keeps the value's type. */
export function resolveTemplate(text: string, lookup: Lookup): unknown {
  const whole = WHOLE_TEMPLATE_RE.exec(text);
  if (whole) return resolvePath(whole[1], lookup);
  return text.replace(TEMPLATE_RE, (_, path: string) => formatValue(resolvePath(path, lookup)));
}

/** Resolves a value that may be a template string or a `{ ref }`. */
export function resolveValue(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return resolveTemplate(value, lookup);
  if (isRef(value)) return resolvePath(value.ref, lookup);
  return value;
}

/** Resolves a value that must end up a whole number. */
export function resolveNumber(value: unknown, lookup: Lookup, field: string): number {
  const resolved = resolveValue(value, lookup);
  const number = typeof resolved === 'string' && /^-?\d+$/.test(resolved.trim()) ? Number(resolved) : resolved;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new StepError(`${field} must be a number, but it is ${JSON.stringify(resolved)}`);
  }
  return number;
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && 'ref' in value && Object.keys(value).length === 1;
}

/** Addresses print in shorthand inside templates; other objects as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'family' in value) return formatAddress(value as SockAddr);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** "127.0.0.1:8080", "[::1]:8080" or "unix:/path". */
export function formatAddress(address: SockAddr): string {
  switch (address.family) {
    case 'AF_INET':
      return `${address.address}:${address.port}`;
    case 'AF_INET6':
      return `[${address.address}]:${address.port}`;
    case 'AF_UNIX':
      return `unix:${address.path}`;
  }
}

/** An address as written in `expect`, where the port may be "*" (any). */
export type AddressPattern =
  { family: 'AF_INET' | 'AF_INET6'; address?: string; port?: number | '*' } | { family: 'AF_UNIX'; path?: string };

/**
 * Parses address shorthand: "unix:PATH", "[IPv6]:PORT", "IPv4:PORT". The address text itself is
 * not checked here: a malformed one goes to the lab, which answers EINVAL as C would.
 */
export function parseAddress(text: string, allowAnyPort = false): AddressPattern {
  const where = `address "${text}"`;
  if (text.startsWith('unix:')) return { family: 'AF_UNIX', path: text.slice('unix:'.length) };
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(text);
  const [host, portText] = v6 ? [v6[1], v6[2]] : splitLastColon(text, where);
  if (!v6 && host.includes(':')) throw new StepError(`${where}: write IPv6 addresses in brackets, as in "[::1]:8080"`);
  let port: number | '*';
  if (portText === '*' && allowAnyPort) port = '*';
  else if (/^\d+$/.test(portText)) port = Number(portText);
  else throw new StepError(`${where}: the port "${portText}" is not a number${allowAnyPort ? ' or *' : ''}`);
  return { family: v6 ? 'AF_INET6' : 'AF_INET', address: host, port };
}

function splitLastColon(text: string, where: string): [string, string] {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new StepError(`${where}: add the port, as in "127.0.0.1:8080" (0 picks a free one)`);
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** Resolves an address argument (shorthand, ref or object) into the lab's SockAddr. */
export function resolveAddress(value: unknown, lookup: Lookup): SockAddr {
  const resolved = resolveValue(value, lookup);
  if (typeof resolved === 'string') {
    const parsed = parseAddress(resolved);
    return parsed.family === 'AF_UNIX'
      ? { family: 'AF_UNIX', path: parsed.path ?? '' }
      : ({ family: parsed.family, address: parsed.address ?? '', port: parsed.port } as SockAddr);
  }
  if (typeof resolved !== 'object' || resolved === null || !('family' in resolved)) {
    throw new StepError(`address must be an address, but it is ${JSON.stringify(resolved)}`);
  }
  const object = resolved as Record<string, unknown>;
  const out: Record<string, unknown> = { family: object.family };
  if (object.family === 'AF_UNIX') out.path = resolveValue(object.path ?? '', lookup);
  else {
    out.address = resolveValue(object.address ?? '', lookup);
    out.port = resolveNumber(object.port ?? 0, lookup, 'port');
    if (object.scopeId !== undefined) out.scopeId = resolveNumber(object.scopeId, lookup, 'scopeId');
  }
  return out as SockAddr;
}

/**
 * Text with C-style escapes into bytes: \n \r \t \0 \\ \" \' and \xHH; other characters as
 * UTF-8. YAML/JSON double quotes already turn "\n" into a newline; this also lets plain and
 * single-quoted YAML use escapes, and \xHH write any byte.
 */
export function unescapeText(text: string): Buffer {
  const parts: Buffer[] = [];
  let plain = '';
  const flush = () => {
    if (plain) parts.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char !== '\\' || i === text.length - 1) {
      plain += char;
      continue;
    }
    const next = text[++i];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\', '"': '"', "'": "'" };
    if (next in simple) plain += simple[next];
    else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      flush();
      parts.push(Buffer.from([parseInt(text.slice(i + 1, i + 3), 16)]));
      i += 2;
    } else throw new StepError(`unknown escape "\\${next}" in "${text}" (use \\n \\r \\t \\0 \\\\ or \\xHH)`);
  }
  flush();
  return Buffer.concat(parts);
}

/** Hex text into bytes; spaces, colons and a leading 0x are allowed for readability. */
export function parseHex(text: string): Buffer {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) {
    throw new StepError(`dataHex "${text}" is not hex bytes (two hex digits per byte, e.g. "48 65 6c 6c 6f")`);
  }
  return Buffer.from(clean, 'hex');
}

/** How bytes appear in records: the length, printable text and the first bytes in hex. */
export interface BytesSummary {
  length: number;
  text: string;
  hex: string;
  truncated: boolean;
}

const PREVIEW_BYTES = 256;

/** The bytes a result field carries (the contract's Uint8Array), as a Buffer view; else null. */
export function bytesOf(value: unknown): Buffer | null {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : null;
}

/** Summarises bytes for a record line; long payloads keep a preview only. */
export function summariseBytes(bytes: Buffer): BytesSummary {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  return {
    length: bytes.length,
    text: head.toString('utf8'),
    hex: head.subarray(0, 64).toString('hex'),
    truncated: bytes.length > PREVIEW_BYTES,
  };
}

/** Bytes shown to a person in a failure message: text when printable, else hex. */
export function describeBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const printable = /^[\x20-\x7e\r\n\t\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd');
  const shown = printable
    ? JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
    : `hex ${bytes.subarray(0, 40).toString('hex')}`;
  return `${shown} (${bytes.length} byte${bytes.length === 1 ? '' : 's'})`;
}
