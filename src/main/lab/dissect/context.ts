/**
 * The state one dissection carries through the layers, and the registries that hand the payload
 * of one protocol to the next (ethertype, ip.proto, ...). Each dissector returns the number of
 * bytes it consumed.
 */
import { ByteReader, TruncatedError } from './reader';
import type { Severity, Sink } from './sink';
import type { TcpAnalysis, TcpAnalyzer } from './tcp-analysis';
import type { FlowInfo, PacketSummary } from './types';

export interface NetworkLayer {
  family: 4 | 6;
  src: string;
  dst: string;
  /** Where the addresses sit in the frame (for pseudo-header checksums). */
  srcOff: number;
  dstOff: number;
}

export class Ctx {
  readonly r: ByteReader;
  readonly sink: Sink;
  /** Columns of the packet list; the deepest protocol sets them, as in Wireshark. */
  src = '';
  dst = '';
  protocol = '';
  info = '';
  mark: PacketSummary['mark'] = null;
  flow: FlowInfo | null = null;
  /** Where the outer Ethernet addresses are, for the summary columns of non-IP frames. */
  macAt = -1;
  /** The innermost network layer decoded so far. */
  net: NetworkLayer | null = null;
  /** Inside an ICMP error's quoted packet: the columns and flow of the outer packet stay. */
  quoted = false;
  /**
   * TCP analysis: while the analysis pass runs (`analyzeTcp`), the analyzer, and the records it
   * gives, one per TCP header in decode order; when a packet is shown, the records of that pass
   * (FrameMeta.tcp), read back in the same order.
   */
  tcpAnalyzer: TcpAnalyzer | null = null;
  tcpRecords: TcpAnalysis[] = [];
  tcpNext = 0;
  /** The frame's number and time (for the TCP analysis pass). */
  frameNo = 0;
  tsNs = 0n;
  /** How deep the layers go, so crafted tunnels cannot recurse without end. */
  depth = 0;

  constructor(bytes: Uint8Array, sink: Sink) {
    this.r = new ByteReader(bytes);
    this.sink = sink;
  }

  /** Sets the Protocol and Info columns (ignored inside a quoted packet). */
  columns(protocol: string, info: string): void {
    if (this.quoted) return;
    this.protocol = protocol;
    this.info = info;
  }

  addresses(src: string, dst: string): void {
    if (this.quoted) return;
    this.src = src;
    this.dst = dst;
  }

  setMark(mark: NonNullable<PacketSummary['mark']>): void {
    // Malformed wins over everything, then bad TCP (Wireshark's colouring rules come in that
    // order: "Bad TCP" before "TCP RST" and "TCP SYN/FIN"); otherwise the first mark set stays.
    if (this.quoted && mark !== 'malformed') return;
    if (mark === 'malformed' || this.mark === null) this.mark = mark;
    else if (mark === 'tcp-bad' && this.mark !== 'malformed') this.mark = mark;
  }

  /** Marks data that is cut short or wrong: a node with a severity, and the row mark. */
  problem(label: string, start: number, length: number, severity: Severity = 'error', name?: string): void {
    this.sink.note(label, start, Math.max(0, length), severity, name ?? (severity === 'error' ? '_ws.malformed' : '_ws.expert'));
    if (severity === 'error') {
      this.setMark('malformed');
      if (!this.quoted && !this.info.includes('[Malformed')) this.info += this.info ? ' [Malformed Packet]' : '[Malformed Packet]';
    }
  }

  /**
   * Checks that `n` bytes at `off` are in the current layer; if not, marks the layer: malformed
   * when the layer below says it holds fewer bytes (as tshark's "[Malformed Packet]"),
   * truncated when the capture cut it short ("[Packet size limited during capture]").
   */
  need(off: number, n: number, what: string): boolean {
    if (this.r.has(off, n)) return true;
    this.shortRead(off, n, what);
    return false;
  }

  /**
   * The node for `n` bytes at `off` that the layer does not hold (see `need`). `name` tells a
   * read no dissector checked (`_ws.short_read`, strict mode) from one it did.
   */
  shortRead(off: number, n: number, what: string, name = '_ws.malformed'): void {
    const have = Math.max(0, this.r.limit - off);
    if (off + n > this.r.reportedEnd) {
      this.problem(`[Malformed Packet: ${what} needs ${n} bytes, the layer below gives it only ${have}]`, off, have, 'error', name);
    } else {
      this.problem(`[Packet size limited during capture: ${what} truncated (${have} of ${n} bytes)]`, off, have, 'error', name);
    }
  }
}

/**
 * A protocol dissector. `end` is where this layer's captured bytes end (never past the frame),
 * `reported` is the layer's length according to the headers above it (may exceed what was
 * captured). Returns the bytes consumed.
 */
export type Dissector = (ctx: Ctx, off: number, end: number, reported: number) => number;

/** Ethertype → dissector (Ethernet, VLAN, SLL, null with an ethertype). */
export const ETHERTYPES = new Map<number, Dissector>();
/** IP protocol number → dissector (IPv4 protocol, IPv6 next header). */
export const IP_PROTOCOLS = new Map<number, Dissector>();

/** UDP port → dissector, for tunnels that carry packets SockLab decodes (VXLAN, Geneve, ...). */
export const UDP_PORTS = new Map<number, Dissector>();

/** Layers deeper than this are shown as undecoded data. */
export const MAX_DEPTH = 24;

/**
 * Hands the payload on to the registered dissector, if any, with the reader bounded to the
 * payload: `end` (captured) and `reported` (declared by this layer's header; -1 unknown). A read
 * past the payload's end that the next dissector did not check (strict mode) ends that layer
 * with a malformed node, as a bounds exception does in Wireshark.
 */
export function handOff(table: Map<number, Dissector>, key: number, ctx: Ctx, off: number, end: number, reported: number): number {
  const next = table.get(key);
  // A layer that its header says is empty is not handed on (tshark shows nothing for it either).
  if (!next || ctx.depth >= MAX_DEPTH || (reported === 0 && off >= end)) return 0;
  return withinLayer(ctx, off, end, reported, () => next(ctx, off, end, reported));
}

/** Runs `decode` with the reader bounded to the layer at `off..end` (see `handOff`). */
export function withinLayer(ctx: Ctx, off: number, end: number, reported: number, decode: () => number): number {
  const { r, sink } = ctx;
  const limit = r.limit;
  const reportedEnd = r.reportedEnd;
  const depth = sink.depth;
  r.limit = Math.max(off, Math.min(end, limit));
  if (reported >= 0) r.reportedEnd = Math.min(reportedEnd, off + reported);
  ctx.depth++;
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof TruncatedError)) throw err;
    ctx.shortRead(err.offset, err.length, ctx.protocol || 'the layer', '_ws.short_read');
    sink.unwind(depth);
    return end - off;
  } finally {
    ctx.depth--;
    r.limit = limit;
    r.reportedEnd = reportedEnd;
  }
}
