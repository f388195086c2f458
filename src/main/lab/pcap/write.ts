/**
 * Writing pcapng: one section, one interface (with its name and nanosecond resolution), EPBs
 * with each packet's original length, and optionally an Interface Statistics Block carrying
 * what the capture lost (as dumpcap writes it).
 */

export interface WritablePacket {
  data: Uint8Array;
  /** Nanoseconds since the epoch; wins over tsUs when both are given. */
  tsNs?: bigint;
  tsUs?: number;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
  /** A packet comment (opt_comment), shown by Wireshark and tshark as frame.comment. */
  comment?: string;
}

export interface PcapngOptions {
  ifaceName: string;
  linkType: number;
  /** Snapshot length announced for the interface (0 = unlimited). */
  snapLen?: number;
  /** A comment on the whole file (the section header's opt_comment; capinfos shows it). */
  comment?: string;
  /** The capture's counters, written as an Interface Statistics Block after the packets. */
  statistics?: CaptureStatistics;
}

/** What a live capture counted, for the Interface Statistics Block. */
export interface CaptureStatistics {
  /** Dropped by the kernel, the capture buffer being full (isb_osdrop). */
  kernelDropped: number;
  /** Dropped by the interface or its driver (isb_ifdrop). */
  ifDropped: number;
  /** Packets delivered to the capturing program (isb_usrdeliv). */
  delivered: number;
}

/** A 64-bit option value, little-endian. */
function u64(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

const pad4 = (n: number): number => (n + 3) & ~3;
const encoder = new TextEncoder();

/** An option's value holds at most 65535 bytes: a longer comment is cut at a character. */
function commentBytes(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length <= 0xffff) return bytes;
  let end = 0xffff;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Options block: [code, value] pairs then opt_endofopt. */
function optionsSize(opts: [number, Uint8Array][]): number {
  return opts.length ? opts.reduce((s, [, v]) => s + 4 + pad4(v.length), 0) + 4 : 0;
}

function putOptions(view: DataView, out: Uint8Array, off: number, opts: [number, Uint8Array][]): number {
  if (!opts.length) return off;
  let o = off;
  for (const [code, value] of opts) {
    view.setUint16(o, code, true);
    view.setUint16(o + 2, value.length, true);
    out.set(value, o + 4);
    o += 4 + pad4(value.length);
  }
  view.setUint32(o, 0, true);
  return o + 4;
}

/** Writes a block: `type`, total length, `body` (which fills bytes 8..len-4), length again. */
function block(type: number, bodyLen: number, body: (view: DataView, out: Uint8Array) => void): Uint8Array {
  const len = 12 + bodyLen;
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, len, true);
  body(view, out);
  view.setUint32(len - 4, len, true);
  return out;
}

/** Section header and interface description: how every file this writer makes begins. */
function header(opts: PcapngOptions): Uint8Array[] {
  const shbOpts: [number, Uint8Array][] = [[4, encoder.encode('SockLab')]]; // shb_userappl
  if (opts.comment) shbOpts.unshift([1, commentBytes(opts.comment)]);
  const idbOpts: [number, Uint8Array][] = [
    [2, encoder.encode(opts.ifaceName)],
    [9, Uint8Array.of(9)], // if_tsresol: nanoseconds
  ];
  const shb = block(0x0a0d0d0a, 16 + optionsSize(shbOpts), (view, out) => {
    view.setUint32(8, 0x1a2b3c4d, true);
    view.setUint16(12, 1, true);
    view.setUint16(14, 0, true);
    view.setInt32(16, -1, true); // section length unknown
    view.setInt32(20, -1, true);
    putOptions(view, out, 24, shbOpts);
  });
  const idb = block(1, 8 + optionsSize(idbOpts), (view, out) => {
    view.setUint16(8, opts.linkType, true);
    view.setUint16(10, 0, true);
    view.setUint32(12, opts.snapLen ?? 0, true);
    putOptions(view, out, 16, idbOpts);
  });
  return [shb, idb];
}

/**
 * A pcapng file written a piece at a time: `packet()` adds Enhanced Packet Blocks, `take()`
 * hands over what was written so far (a save streams a large capture in pieces this way), and
 * `finish()` adds the Interface Statistics Block, if any, and hands over the rest.
 */
export class PcapngWriter {
  private parts: Uint8Array[];
  private size = 0;
  private lastNs = 0n;

  constructor(private readonly opts: PcapngOptions) {
    this.parts = header(opts);
    this.size = this.parts.reduce((sum, part) => sum + part.length, 0);
  }

  /** Bytes written and not yet taken. */
  get buffered(): number {
    return this.size;
  }

  packet(p: WritablePacket): void {
    const ns = p.tsNs ?? BigInt(Math.round((p.tsUs ?? 0) * 1000));
    const epbOpts: [number, Uint8Array][] = p.comment ? [[1, commentBytes(p.comment)]] : [];
    const dataEnd = 28 + pad4(p.data.length);
    const epb = block(6, 20 + pad4(p.data.length) + optionsSize(epbOpts), (view, out) => {
      view.setUint32(8, 0, true);
      view.setUint32(12, Number((ns >> 32n) & 0xffffffffn), true);
      view.setUint32(16, Number(ns & 0xffffffffn), true);
      view.setUint32(20, p.data.length, true);
      view.setUint32(24, p.origLen ?? p.data.length, true);
      out.set(p.data, 28);
      putOptions(view, out, dataEnd, epbOpts);
    });
    this.parts.push(epb);
    this.size += epb.length;
    if (ns > this.lastNs) this.lastNs = ns;
  }

  /** What was written since the last take. */
  take(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const part of this.parts) {
      out.set(part, o);
      o += part.length;
    }
    this.parts = [];
    this.size = 0;
    return out;
  }

  /** The statistics block (interface 0, stamped with the last packet's time) and the rest. */
  finish(): Uint8Array {
    const stats = this.opts.statistics;
    if (stats) {
      const isbOpts: [number, Uint8Array][] = [
        [5, u64(stats.ifDropped)], // isb_ifdrop
        [7, u64(stats.kernelDropped)], // isb_osdrop
        [8, u64(stats.delivered)], // isb_usrdeliv
      ];
      const lastNs = this.lastNs;
      const isb = block(5, 12 + optionsSize(isbOpts), (view, out) => {
        view.setUint32(8, 0, true);
        view.setUint32(12, Number((lastNs >> 32n) & 0xffffffffn), true);
        view.setUint32(16, Number(lastNs & 0xffffffffn), true);
        putOptions(view, out, 20, isbOpts);
      });
      this.parts.push(isb);
      this.size += isb.length;
    }
    return this.take();
  }
}

/** A little-endian pcapng file that tshark and Wireshark read back exactly. */
export function writePcapng(packets: readonly WritablePacket[], opts: PcapngOptions): Uint8Array {
  const writer = new PcapngWriter(opts);
  for (const p of packets) writer.packet(p);
  return writer.finish();
}
