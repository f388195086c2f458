import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  displayText,
  formatEscapes,
  formatHex,
  formatPayload,
  hexdump,
  hexdumpLine,
  hexdumpLineCount,
  parseEscapes,
  parseHex,
  parsePayload,
} from '@renderer/lib/bytes';

const all = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Reference encoder: the platform's btoa over a binary string (independent of the code under test). */
function referenceBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
const utf8 = (text: string): number[] => Array.from(new TextEncoder().encode(text));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('base64', () => {
  it('round-trips every byte value and matches Node', () => {
    const b64 = bytesToBase64(all);
    expect(b64).toBe(referenceBase64(all));
    expect(base64ToBytes(b64)).toEqual(all);
  });
  it('handles large payloads (1 MiB) and the empty payload', () => {
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const b64 = bytesToBase64(big);
    expect(b64).toBe(referenceBase64(big));
    // A plain loop: a deep toEqual over a million elements is needlessly slow.
    expect(sameBytes(base64ToBytes(b64), big)).toBe(true);
    expect(bytesToBase64(new Uint8Array())).toBe('');
    expect(base64ToBytes('')).toEqual(new Uint8Array());
    for (const n of [1, 2, 3, 4, 5]) {
      const bytes = all.subarray(250 - n, 250);
      expect(bytesToBase64(bytes)).toBe(referenceBase64(bytes));
      expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    }
  });
});

describe('hex', () => {
  it('parses spaced, packed, 0x-prefixed and colon-separated hex', () => {
    expect(parseHex('48 65 6c 6c 6f')).toEqual({ ok: true, bytes: Uint8Array.from([0x48, 0x65, 0x6c, 0x6c, 0x6f]) });
    expect(parseHex('0d0A')).toEqual({ ok: true, bytes: Uint8Array.from([13, 10]) });
    expect(parseHex('0xff 0x00')).toEqual({ ok: true, bytes: Uint8Array.from([255, 0]) });
    expect(parseHex('de:ad:be:ef')).toEqual({ ok: true, bytes: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) });
  });
  it('reports a bad digit with its position, and an odd digit count', () => {
    expect(parseHex('48 6g')).toEqual({ ok: false, error: 'hexDigit', index: 4, detail: 'g' });
    expect(parseHex('486')).toMatchObject({ ok: false, error: 'hexOdd' });
  });
  it('round-trips through formatHex', () => {
    const parsed = parseHex(formatHex(all));
    expect(parsed.ok && parsed.bytes).toEqual(all);
  });
});

describe('escapes', () => {
  it('parses \\n \\r \\t \\0 \\\\ and \\xNN', () => {
    const parsed = parseEscapes('OK\\r\\n\\t\\0\\\\\\x7f\\xFF');
    expect(parsed.ok && Array.from(parsed.bytes)).toEqual([79, 75, 13, 10, 9, 0, 92, 0x7f, 0xff]);
  });
  it('UTF-8 encodes other characters, as a C string literal in a UTF-8 file', () => {
    const parsed = parseEscapes('套接字\\n');
    expect(parsed.ok && Array.from(parsed.bytes)).toEqual(utf8('套接字\n'));
  });
  it('reports unknown escapes, short \\x and a trailing backslash', () => {
    expect(parseEscapes('a\\q')).toEqual({ ok: false, error: 'escapeUnknown', index: 1, detail: '\\q' });
    expect(parseEscapes('\\x4')).toMatchObject({ ok: false, error: 'escapeHex', index: 0 });
    expect(parseEscapes('abc\\')).toMatchObject({ ok: false, error: 'escapeTrailing', index: 3 });
  });
  it('round-trips every byte value through formatEscapes', () => {
    expect(formatEscapes(Uint8Array.from([104, 105, 10, 0, 92, 200]))).toBe('hi\\n\\0\\\\\\xc8');
    const parsed = parseEscapes(formatEscapes(all));
    expect(parsed.ok && parsed.bytes).toEqual(all);
  });
});

describe('payload modes', () => {
  it('keeps the same bytes when switching modes', () => {
    const bytes = Uint8Array.from([0x68, 0x69, 0x0a, 0x00]);
    for (const mode of ['hex', 'escape'] as const) {
      const parsed = parsePayload(mode, formatPayload(mode, bytes));
      expect(parsed.ok && parsed.bytes).toEqual(bytes);
    }
    const text = parsePayload('text', 'héllo');
    expect(text.ok && Array.from(text.bytes)).toEqual(utf8('héllo'));
  });
});

describe('hexdump', () => {
  it('formats lines like hexdump -C', () => {
    const bytes = new TextEncoder().encode('Hello, world!\r\n\x00XYZ');
    expect(hexdumpLineCount(bytes.length)).toBe(2);
    expect(hexdumpLine(bytes, 0)).toBe('00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0d 0a 00  |Hello, world!...|');
    expect(hexdumpLine(bytes, 1)).toBe(`00000010  58 59 5a${' '.repeat(3 * 13 + 1)}  |XYZ|`);
    expect(hexdump(bytes)).toHaveLength(2);
  });
  it('shows control characters visibly in text rows', () => {
    expect(displayText(new TextEncoder().encode('a\r\nb\x07'))).toBe('a\\r\\nb\\x07');
  });
});
