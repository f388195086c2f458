/**
 * Literal parsing for filter text and normalisation of field values as tshark prints them, so
 * that `tcp.flags == 0x12` matches '0x0012' and '18', `tcp.flags.syn == true` matches '1' and
 * 'True', and `ipv6.addr == ::1` matches '0:0:0:0:0:0:0:1'.
 */

/** An unsigned integer literal: decimal, hex (0x1f), octal (017) or binary (0b101). */
export function parseUintLiteral(text: string): number | null {
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[bB][01]+$/.test(text)) value = parseInt(text.slice(2), 2);
  else if (/^0[0-7]+$/.test(text)) value = parseInt(text.slice(1), 8);
  else if (/^[0-9]+$/.test(text)) value = parseInt(text, 10);
  else return null;
  return Number.isSafeInteger(value) ? value : null;
}

/** A decimal number literal for float fields (times); integers in any base are accepted too. */
export function parseFloatLiteral(text: string): number | null {
  if (/^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/.test(text) || /^-?\.[0-9]+$/.test(text)) return Number(text);
  return parseUintLiteral(text);
}

/** true/false (any case) or 1/0, as Wireshark accepts for boolean fields. */
export function parseBoolLiteral(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === 'true' || text === '1') return 1;
  if (lower === 'false' || text === '0') return 0;
  return null;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

/** An IPv6 address as its 8 sixteen-bit words (accepts `::` and a trailing dotted quad). */
export function parseIPv6(text: string): number[] | null {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (lastColon === -1) return null;
  if (body.includes('.', lastColon)) {
    // ::ffff:1.2.3.4 — rewrite the dotted quad as two hex groups, then parse as usual.
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    body = `${body.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const head = ipv6Groups(halves[0]);
  if (head === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = ipv6Groups(halves[1]);
  if (tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function ipv6Groups(half: string): number[] | null {
  if (half === '') return [];
  const out: number[] = [];
  for (const group of half.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    out.push(parseInt(group, 16));
  }
  return out;
}

/** An IPv6 address as 32 lowercase hex digits: one text per address, so equality is `===`. */
export function ipv6Key(words: readonly number[]): string {
  let key = '';
  for (const word of words) key += word.toString(16).padStart(4, '0');
  return key;
}

// A capture holds few distinct addresses: remembering their keys saves re-parsing each packet.
const ipv6Keys = new Map<string, string>();
const IPV6_KEYS_HELD = 4096;

/** An IPv6 field value as its 32-hex-digit key, or '' when it is not an IPv6 address. */
export function ipv6KeyOfValue(raw: string): string {
  let key = ipv6Keys.get(raw);
  if (key === undefined) {
    const words = parseIPv6(raw);
    key = words === null ? '' : ipv6Key(words);
    if (ipv6Keys.size >= IPV6_KEYS_HELD) ipv6Keys.clear();
    ipv6Keys.set(raw, key);
  }
  return key;
}

/** A MAC address (aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff) as 12 lowercase hex digits. */
export function parseMac(text: string): string | null {
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) return text.replace(/[:-]/g, '').toLowerCase();
  if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) return text.replace(/\./g, '').toLowerCase();
  return null;
}

/** A byte sequence (aa:bb:cc, aa-bb-cc, aa.bb.cc, or plain aabbcc as tshark takes) as lowercase hex. */
export function parseByteSequence(text: string): string | null {
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return text.toLowerCase();
  if (/^[0-9a-fA-F]{2}([:.-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2})*$/.test(text)) return text.replace(/[:.-]/g, '').toLowerCase();
  return null;
}

/** UTF-8 bytes of a string as lowercase hex, so a quoted literal can be searched in bytes. */
export function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

// ---- values as tshark prints them -------------------------------------------------------------

/** A numeric field value: decimal, 0x-hex, or a boolean printed 1/0 or True/False. NaN if none. */
export function numberOfValue(raw: string): number {
  if (raw === 'True') return 1;
  if (raw === 'False') return 0;
  return raw === '' ? NaN : Number(raw);
}

/** An IPv4 field value as an unsigned 32-bit number, NaN when it is not a dotted quad. */
export function ipv4OfValue(raw: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return NaN;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return NaN;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : NaN;
}

/** Lowercase hex with separators removed (MACs and byte fields alike). */
export function hexOfValue(raw: string): string {
  return raw.replace(/[:.-]/g, '').toLowerCase();
}

/** Whether `hex` holds `needle` at a byte boundary (an even hex offset). */
export function hexContains(hex: string, needle: string): boolean {
  let from = hex.indexOf(needle);
  while (from !== -1) {
    if ((from & 1) === 0) return true;
    from = hex.indexOf(needle, from + 1);
  }
  return false;
}

/** A byte field's value as a latin1 string, one character per byte, for `matches`. */
export function latin1OfHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}
