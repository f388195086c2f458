/**
 * SockLab's dissectors: pure functions over a frame's bytes that never throw. One set of field
 * declarations feeds the detail tree (`dissect`), the field lookup of display filters and the
 * CLI (`fieldValues`, `fieldLookup`) and the fast packet-list summary (`summarize`).
 */
import './arp';
import './icmp';
import './icmpv6';
import './ipv4';
import './ipv6';
import './tcp';
import './udp';
import './tunnels';
import { Ctx } from './context';
import { FIELD_TABLE, type FieldDecl } from './fields';
import { frameFields } from './frame';
import { dissectLink } from './link';
import { TruncatedError } from './reader';
import { NullSink, type Sink, TreeSink, ValuesSink } from './sink';
import type { TcpAnalysis, TcpAnalyzer } from './tcp-analysis';
import type { FieldLookup, FieldNode, FieldType, FrameMeta, PacketSummary } from './types';

export { FIELD_TABLE, type FieldDecl } from './fields';
export { formatEpoch } from './frame';
export { toTsharkRecord } from './record';
export { setStrictReads, strictShortReads, TruncatedError } from './reader';
export { TCP_A, TcpAnalyzer, type TcpAnalysis } from './tcp-analysis';
export { analysisInfoPrefix, expertKindsOf, formatSeconds, TCP_EXPERT_KINDS, type TcpExpertKind } from './tcp-analysis-fields';
export * from './types';

/** Runs the link-layer dissector into `sink`; an unexpected bug becomes a marked node. */
function run(frame: Uint8Array, linkType: number, sink: Sink, meta: FrameMeta, tcpAnalyzer: TcpAnalyzer | null = null): Ctx {
  const ctx = new Ctx(frame, sink);
  ctx.tcpAnalyzer = tcpAnalyzer;
  if (meta.tcp && !tcpAnalyzer) ctx.tcpRecords = [...meta.tcp];
  ctx.frameNo = meta.number ?? 0;
  ctx.tsNs = meta.tsNs ?? 0n;
  const depth = sink.depth;
  try {
    dissectLink(ctx, linkType, meta.origLen ?? frame.length);
  } catch (err) {
    // A short read in the link layer (strict mode) is a malformed frame; anything else is a bug
    // (the dissectors are written not to throw), and the packet is still shown.
    if (err instanceof TruncatedError) ctx.shortRead(err.offset, err.length, 'the link layer', '_ws.short_read');
    else ctx.problem(`[Dissector bug: ${err instanceof Error ? err.message : String(err)}]`, 0, frame.length);
    sink.unwind(depth);
  }
  return ctx;
}

/** The full field tree of a frame, with byte ranges, tshark-style values and severities. */
export function dissect(frame: Uint8Array, linkType: number, meta: FrameMeta = {}): FieldNode[] {
  const sink = new TreeSink();
  frameFields(sink, frame.length, meta);
  run(frame, linkType, sink, meta);
  return sink.roots;
}

/**
 * The packet-list columns, the colouring mark and the transport flow, without building a tree.
 * With the frame's TCP analysis (`meta.tcp`, see `analyzeTcp`) the Info column shows relative
 * TCP sequence numbers, scaled windows and the analysis prefixes, as Wireshark does; without
 * it, the raw values.
 */
export function summarize(frame: Uint8Array, linkType: number, meta: FrameMeta = {}): PacketSummary {
  const ctx = run(frame, linkType, new NullSink(), meta);
  if (ctx.src === '' && ctx.macAt >= 0) ctx.addresses(ctx.r.mac(ctx.macAt + 6), ctx.r.mac(ctx.macAt));
  return { src: ctx.src, dst: ctx.dst, protocol: ctx.protocol || 'Unknown', info: ctx.info, mark: ctx.mark, flow: ctx.flow };
}

/**
 * The TCP analysis pass: feeds every TCP header of the frame to `analyzer` (one analyzer per
 * capture, frames in capture order, each once) and returns the records to pass as
 * `FrameMeta.tcp` whenever the frame is decoded again. `meta` needs the frame's number and time.
 */
export function analyzeTcp(frame: Uint8Array, linkType: number, meta: FrameMeta, analyzer: TcpAnalyzer): TcpAnalysis[] {
  return analyzeFrame(frame, linkType, meta, analyzer).tcp;
}

/** `analyzeTcp`, and whether the frame is malformed (for the Expert Information list). */
export function analyzeFrame(
  frame: Uint8Array,
  linkType: number,
  meta: FrameMeta,
  analyzer: TcpAnalyzer,
): { tcp: TcpAnalysis[]; malformed: boolean } {
  const ctx = run(frame, linkType, new NullSink(), meta, analyzer);
  return { tcp: ctx.tcpRecords, malformed: ctx.mark === 'malformed' };
}

/**
 * Every field's values by Wireshark name, outermost first, as tshark prints them. Protocols
 * (`tcp`, `icmp`) map to `['']`; `_ws.malformed` is present when something was malformed.
 */
export function fieldValues(frame: Uint8Array, linkType: number, meta: FrameMeta = {}): Map<string, string[]> {
  const sink = new ValuesSink();
  frameFields(sink, frame.length, meta);
  run(frame, linkType, sink, meta);
  return sink.values;
}

/** `fieldValues` as a lookup function. */
export function fieldLookup(frame: Uint8Array, linkType: number, meta: FrameMeta = {}): FieldLookup {
  const values = fieldValues(frame, linkType, meta);
  return (name) => values.get(name);
}

/** The type of each declared field, for typing display-filter literals. */
export function fieldType(name: string): FieldType | undefined {
  return FIELD_TABLE.get(name)?.type;
}

/** All declared fields (after every protocol module has loaded). */
export function allFields(): readonly FieldDecl[] {
  return [...FIELD_TABLE.values()];
}

/** Field name → value type, for the display filter engine. */
export const FIELD_TYPES: ReadonlyMap<string, FieldType> = new Map([...FIELD_TABLE].map(([name, decl]) => [name, decl.type]));
