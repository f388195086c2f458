/**
 * A bounds-checked reader over the frame's own bytes (a DataView on the same buffer, no copies),
 * bounded by the layer being decoded, as Wireshark's tvb is: `limit` is where the current
 * layer's captured bytes end (what its parent says it holds, never past the frame), so an
 * Ethernet trailer is out of reach of the IP datagram before it. Dissectors check `has()` (or
 * `Ctx.need`) first and turn a short read into a marked, truncated node.
 *
 * A read outside the layer returns 0, or, in strict mode (`setStrictReads`, on in the fuzz and
 * fixture tests), throws a TruncatedError that the dissector runner turns into a malformed node:
 * so a forgotten bounds check is found instead of decoding silent zeros.
 */

/** A read past the end of the layer being decoded (strict mode). */
export class TruncatedError extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
    readonly limit: number,
  ) {
    super(`reading ${length} byte(s) at ${offset} runs past the end of the layer (byte ${limit})`);
    this.name = 'TruncatedError';
  }
}

let strict = false;
let shortReads = 0;

/** Turns strict reads on or off for every reader (tests turn them on), and zeroes the count. */
export function setStrictReads(on: boolean): void {
  strict = on;
  shortReads = 0;
}

/**
 * How many unchecked short reads threw since strict reads were turned on: every entry point
 * (tree, values, summary) counts, even the summary, whose sink keeps no node.
 */
export function strictShortReads(): number {
  return shortReads;
}

export class ByteReader {
  readonly bytes: Uint8Array;
  /** Captured bytes in the whole frame. */
  readonly length: number;
  /** Where the current layer's captured bytes end (set by the hand-off to each layer). */
  limit: number;
  /** Where the current layer ends by what the layers above declare; Infinity when unknown. */
  reportedEnd = Infinity;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.byteLength;
    this.limit = bytes.byteLength;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True when `n` bytes from `off` were captured and belong to the current layer. */
  has(off: number, n: number): boolean {
    return off >= 0 && n >= 0 && off + n <= this.limit;
  }

  /** Whether a read may go ahead; false (or, in strict mode, a TruncatedError) when not. */
  private readable(off: number, n: number): boolean {
    if (this.has(off, n)) return true;
    if (strict) {
      shortReads++;
      throw new TruncatedError(off, n, this.limit);
    }
    return false;
  }

  u8(off: number): number {
    return this.readable(off, 1) ? this.view.getUint8(off) : 0;
  }

  u16(off: number, littleEndian = false): number {
    return this.readable(off, 2) ? this.view.getUint16(off, littleEndian) : 0;
  }

  u24(off: number): number {
    return this.readable(off, 3) ? (this.view.getUint8(off) << 16) | this.view.getUint16(off + 1) : 0;
  }

  u32(off: number, littleEndian = false): number {
    return this.readable(off, 4) ? this.view.getUint32(off, littleEndian) : 0;
  }

  /** A view (no copy) of up to `n` captured bytes from `off` (all `n` in strict mode). */
  slice(off: number, n: number): Uint8Array {
    if (n > 0) this.readable(off, n);
    const start = Math.max(0, Math.min(off, this.limit));
    const end = Math.max(start, Math.min(off + n, this.limit));
    return this.bytes.subarray(start, end);
  }

  /** Colon-separated MAC address (`00:1b:21:aa:bb:cc`) of `n` bytes (6 by default). */
  mac(off: number, n = 6): string {
    let out = '';
    for (let i = 0; i < n; i++)
      out +=
        (i ? ':' : '') +
        this.u8(off + i)
          .toString(16)
          .padStart(2, '0');
    return out;
  }

  ipv4(off: number): string {
    return `${this.u8(off)}.${this.u8(off + 1)}.${this.u8(off + 2)}.${this.u8(off + 3)}`;
  }

  /** IPv6 text as Wireshark writes it (RFC 5952: longest zero run compressed, lowercase). */
  ipv6(off: number): string {
    const g: number[] = [];
    for (let i = 0; i < 8; i++) g.push(this.u16(off + 2 * i));
    // IPv4-mapped and IPv4-compatible forms keep the dotted quad, as inet_ntop does.
    if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0))) {
      const tail = this.ipv4(off + 12);
      return g[5] === 0xffff ? `::ffff:${tail}` : `::${tail}`;
    }
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8;) {
      if (g[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const part = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
    if (bestStart < 0) return part(g);
    return `${part(g.slice(0, bestStart))}::${part(g.slice(bestStart + bestLen))}`;
  }

  /** Lowercase hex of captured bytes, as tshark prints FT_BYTES fields. */
  hexBytes(off: number, n: number): string {
    let out = '';
    for (const b of this.slice(off, n)) out += b.toString(16).padStart(2, '0');
    return out;
  }
}
