/**
 * The state one dissection carries through the layers, and the registries that hand the payload
 * of one protocol to the next (ethertype, ip.proto, ...). Each dissector returns the number of
 * bytes it consumed.
 */
import { ByteReader } from './reader';
import type { Severity, Sink } from './sink';
import type { TcpSequenceState } from './tcp-state';
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
  /** Optional conversation state for relative TCP numbers in the Info column. */
  tcpState: TcpSequenceState | null = null;
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
    // Malformed wins over everything; otherwise the first mark set stays.
    if (this.quoted && mark !== 'malformed') return;
    if (mark === 'malformed' || this.mark === null) this.mark = mark;
  }

  /** Marks data that is cut short or wrong: a node with a severity, and the row mark. */
  problem(label: string, start: number, length: number, severity: Severity = 'error'): void {
    this.sink.note(label, start, Math.max(0, length), severity, severity === 'error' ? '_ws.malformed' : '_ws.expert');
    if (severity === 'error') {
      this.setMark('malformed');
      if (!this.quoted && !this.info.includes('[Malformed')) this.info += this.info ? ' [Malformed Packet]' : '[Malformed Packet]';
    }
  }

  /** Checks that `n` bytes at `off` were captured; if not, marks the truncation. */
  need(off: number, n: number, what: string): boolean {
    if (this.r.has(off, n)) return true;
    const have = Math.max(0, this.r.length - off);
    this.problem(`[Packet size limited during capture: ${what} truncated (${have} of ${n} bytes)]`, off, have);
    return false;
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

/** Hands the payload on to the registered dissector, if any. */
export function handOff(table: Map<number, Dissector>, key: number, ctx: Ctx, off: number, end: number, reported: number): number {
  const next = table.get(key);
  // A layer that its header says is empty is not handed on (tshark shows nothing for it either).
  if (!next || ctx.depth >= MAX_DEPTH || (reported === 0 && off >= end)) return 0;
  ctx.depth++;
  try {
    return next(ctx, off, end, reported);
  } finally {
    ctx.depth--;
  }
}
