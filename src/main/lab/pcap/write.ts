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
}

export interface PcapngOptions {
  ifaceName: string;
  linkType: number;
  /** Snapshot length announced for the interface (0 = unlimited). */
  snapLen?: number;
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

/** A little-endian pcapng file that tshark and Wireshark read back exactly. */
export function writePcapng(packets: readonly WritablePacket[], opts: PcapngOptions): Uint8Array {
  const shbOpts: [number, Uint8Array][] = [[4, encoder.encode('SockLab')]];
  const idbOpts: [number, Uint8Array][] = [
    [2, encoder.encode(opts.ifaceName)],
    [9, Uint8Array.of(9)], // if_tsresol: nanoseconds
  ];
  const shbLen = 28 + optionsSize(shbOpts);
  const idbLen = 20 + optionsSize(idbOpts);
  const stats = opts.statistics;
  const isbOpts: [number, Uint8Array][] = stats
    ? [
        [5, u64(stats.ifDropped)], // isb_ifdrop
        [7, u64(stats.kernelDropped)], // isb_osdrop
        [8, u64(stats.delivered)], // isb_usrdeliv
      ]
    : [];
  const isbLen = stats ? 24 + optionsSize(isbOpts) : 0;
  let total = shbLen + idbLen + isbLen;
  let lastNs = 0n;
  for (const p of packets) total += 32 + pad4(p.data.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  // Section header block.
  view.setUint32(o, 0x0a0d0d0a, true);
  view.setUint32(o + 4, shbLen, true);
  view.setUint32(o + 8, 0x1a2b3c4d, true);
  view.setUint16(o + 12, 1, true);
  view.setUint16(o + 14, 0, true);
  view.setInt32(o + 16, -1, true); // section length unknown
  view.setInt32(o + 20, -1, true);
  putOptions(view, out, o + 24, shbOpts);
  view.setUint32(o + shbLen - 4, shbLen, true);
  o += shbLen;
  // Interface description block.
  view.setUint32(o, 1, true);
  view.setUint32(o + 4, idbLen, true);
  view.setUint16(o + 8, opts.linkType, true);
  view.setUint16(o + 10, 0, true);
  view.setUint32(o + 12, opts.snapLen ?? 0, true);
  putOptions(view, out, o + 16, idbOpts);
  view.setUint32(o + idbLen - 4, idbLen, true);
  o += idbLen;
  for (const p of packets) {
    const len = 32 + pad4(p.data.length);
    const ns = p.tsNs ?? BigInt(Math.round((p.tsUs ?? 0) * 1000));
    view.setUint32(o, 6, true);
    view.setUint32(o + 4, len, true);
    view.setUint32(o + 8, 0, true);
    view.setUint32(o + 12, Number((ns >> 32n) & 0xffffffffn), true);
    view.setUint32(o + 16, Number(ns & 0xffffffffn), true);
    view.setUint32(o + 20, p.data.length, true);
    view.setUint32(o + 24, p.origLen ?? p.data.length, true);
    out.set(p.data, o + 28);
    view.setUint32(o + len - 4, len, true);
    o += len;
    if (ns > lastNs) lastNs = ns;
  }
  if (stats) {
    // Interface statistics block for interface 0, stamped with the last packet's time.
    view.setUint32(o, 5, true);
    view.setUint32(o + 4, isbLen, true);
    view.setUint32(o + 8, 0, true);
    view.setUint32(o + 12, Number((lastNs >> 32n) & 0xffffffffn), true);
    view.setUint32(o + 16, Number(lastNs & 0xffffffffn), true);
    putOptions(view, out, o + 20, isbOpts);
    view.setUint32(o + isbLen - 4, isbLen, true);
  }
  return out;
}
