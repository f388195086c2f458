/**
 * Pure byte helpers for the payload editor and the transcript: base64 (from src/shared, how
 * web mode carries bytes), hex and C-style escape sequences (how a student types bytes), and hexdump lines.
 * Parsers return values, never throw: `{ ok: false, error, index }` points at the bad input.
 */

/** A parse result: the bytes, or a message key with the offending position. */
export type ParseResult = { ok: true; bytes: Uint8Array } | { ok: false; error: ParseErrorCode; index: number; detail: string };

/** Why a hex or escape string did not parse (also the i18n key suffix under `payload.error`). */
export type ParseErrorCode = 'hexDigit' | 'hexOdd' | 'escapeUnknown' | 'escapeHex' | 'escapeTrailing';

const HEX_DIGITS = '0123456789abcdef';

export { base64ToBytes, bytesToBase64 } from '@shared/base64';

/** UTF-8 encodes text (what a C program gets from a string literal in a UTF-8 source file). */
export function textToBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD (never throws). */
export function bytesToText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

function hexValue(ch: string): number {
  // indexOf('') is 0: guard so a missing character is never read as the digit 0.
  return ch.length === 1 ? HEX_DIGITS.indexOf(ch.toLowerCase()) : -1;
}

/**
 * Parses hex such as `48 65 6c 6c 6f`, `48656c6c6f` or `0x48 0x65`. Whitespace, `:` and `-`
 * separate bytes; a `0x` prefix is allowed before each byte.
 */
export function parseHex(text: string): ParseResult {
  const digits: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/[\s:,-]/.test(ch)) continue;
    if (ch === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i++;
      continue;
    }
    const v = hexValue(ch);
    if (v < 0) return { ok: false, error: 'hexDigit', index: i, detail: ch };
    digits.push(v);
    positions.push(i);
  }
  if (digits.length % 2 !== 0) {
    return { ok: false, error: 'hexOdd', index: positions[positions.length - 1] ?? 0, detail: '' };
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
  return { ok: true, bytes };
}

/** Formats bytes as lowercase hex pairs separated by one space. */
export function formatHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += ' ';
    out += HEX_DIGITS[bytes[i]! >> 4]! + HEX_DIGITS[bytes[i]! & 15]!;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, '"': 34, "'": 39, a: 7, b: 8, f: 12, v: 11 };

/**
 * Parses text with C escapes: `\n \r \t \0 \\ \xNN` (plus `\a \b \f \v \" \'`). Other
 * characters are UTF-8 encoded, so `héllo\r\n` gives the bytes a C string literal would.
 */
export function parseEscapes(text: string): ParseResult {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      // Whole code points, so surrogate pairs encode as one 4-byte UTF-8 sequence.
      const cp = text.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      if (s.length === 2) i++;
      out.push(...encoder.encode(s));
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) return { ok: false, error: 'escapeTrailing', index: i, detail: '\\' };
    if (next === 'x') {
      const h1 = hexValue(text[i + 2] ?? '');
      const h2 = hexValue(text[i + 3] ?? '');
      if (h1 < 0 || h2 < 0) return { ok: false, error: 'escapeHex', index: i, detail: text.slice(i, i + 4) };
      out.push((h1 << 4) | h2);
      i += 3;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple === undefined) return { ok: false, error: 'escapeUnknown', index: i, detail: `\\${next}` };
    out.push(simple);
    i++;
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/**
 * Formats bytes as escaped text: printable ASCII as is, `\n \r \t \0 \\` by name and every
 * other byte as `\xNN`. `parseEscapes(formatEscapes(b))` gives back `b`.
 */
export function formatEscapes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 10) out += '\\n';
    else if (b === 13) out += '\\r';
    else if (b === 9) out += '\\t';
    else if (b === 0) out += '\\0';
    else if (b === 92) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return out;
}

/** Bytes per hexdump line, as `hexdump -C` and Wireshark show them. */
export const HEXDUMP_WIDTH = 16;

/** Number of hexdump lines `length` bytes take. */
export function hexdumpLineCount(length: number): number {
  return Math.ceil(length / HEXDUMP_WIDTH);
}

/**
 * One hexdump line (`00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a ...  |Hello world.|`),
 * built on demand so a 10 MB transcript never formats lines nobody looks at.
 */
export function hexdumpLine(bytes: Uint8Array, line: number, baseOffset = 0): string {
  const start = line * HEXDUMP_WIDTH;
  const row = bytes.subarray(start, start + HEXDUMP_WIDTH);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < HEXDUMP_WIDTH; i++) {
    if (i === 8) hex += ' ';
    const b = row[i];
    if (b === undefined) {
      hex += '   ';
      continue;
    }
    hex += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]! + ' ';
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return `${(baseOffset + start).toString(16).padStart(8, '0')}  ${hex} |${ascii}|`;
}

/** All hexdump lines of `bytes` (for small buffers; large ones should use `hexdumpLine`). */
export function hexdump(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < hexdumpLineCount(bytes.length); i++) lines.push(hexdumpLine(bytes, i));
  return lines;
}

/** The payload editor's input modes. */
export type PayloadMode = 'text' | 'hex' | 'escape';

/** Parses editor text in the given mode (text mode always succeeds: UTF-8). */
export function parsePayload(mode: PayloadMode, text: string): ParseResult {
  if (mode === 'hex') return parseHex(text);
  if (mode === 'escape') return parseEscapes(text);
  return { ok: true, bytes: textToBytes(text) };
}

/** Formats bytes for an editor mode, so switching modes keeps the same bytes. */
export function formatPayload(mode: PayloadMode, bytes: Uint8Array): string {
  if (mode === 'hex') return formatHex(bytes);
  if (mode === 'escape') return formatEscapes(bytes);
  return bytesToText(bytes);
}

/** The encodings received text can be read in: UTF-8 (the default) and GBK (GB 2312 and beyond). */
export const TEXT_ENCODINGS = ['utf-8', 'gbk'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

const decoders = new Map<TextEncoding, TextDecoder>();

/** Decodes bytes in `encoding`, replacing invalid sequences with U+FFFD (never throws). */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding = 'utf-8'): string {
  let decoder = decoders.get(encoding);
  if (!decoder) {
    decoder = new TextDecoder(encoding, { fatal: false });
    decoders.set(encoding, decoder);
  }
  return decoder.decode(bytes);
}

/**
 * Bytes as readable text for the transcript, call results and followed streams: decoded (UTF-8
 * unless told otherwise), control characters shown as escapes (`\r`, `\n`, `\x07`) so line
 * ends and binary bytes stay visible.
 */
export function displayText(bytes: Uint8Array, encoding: TextEncoding = 'utf-8'): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  return decodeText(bytes, encoding).replace(/[\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    if (ch === '\0') return '\\0';
    return '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
  });
}
