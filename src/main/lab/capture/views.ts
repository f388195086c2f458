/**
 * Rows for the packet list: a packet's summary row, and windows over all held packets or over
 * those a display filter (and optionally a socket) selects. A filtered view remembers which
 * frames matched and only examines packets that arrived since, so scrolling a filtered list
 * of a million packets does not decode them all again.
 */
import type { PacketRow } from '@shared/capture';
import { fieldLookup, summarize } from '../dissect';
import { flowEnds, sameEndpoint } from '../flows/endpoints';
import { FastFieldReader, fastFieldsCover } from '../dissect/fast-fields';
import type { FrameMeta } from '../dissect/types';
import { compileFilter } from '../filter';
import { frameMeta, type PacketLocation, type PacketStore, type StoredPacket } from './store';
import { CaptureTcpAnalysis } from './tcp-analysis';
import type { CaptureTies } from './ties';

export { frameMeta } from './store';

/**
 * The packet-list row of a stored packet. `meta` defaults to the frame's own facts; the views
 * pass the capture's TCP analysis with them (PacketViews.meta).
 */
export function buildRow(packet: StoredPacket, ties: Pick<CaptureTies, 'tieOf'>, meta: FrameMeta = frameMeta(packet)): PacketRow {
  const summary = summarize(packet.data, packet.linkType, meta);
  return {
    no: packet.no,
    monoUs: packet.monoUs,
    tsUs: packet.tsUs,
    caplen: packet.data.length,
    len: packet.len,
    src: summary.src,
    dst: summary.dst,
    protocol: summary.protocol,
    info: summary.info,
    mark: summary.mark,
    // Tied once, when the packet arrived (capture/ties.ts).
    ...ties.tieOf(packet.no),
  };
}

/** `pending`: held packets the filter has not examined yet (0 when `total` is exact). */
export type ViewAnswer = { ok: true; total: number; pending: number; rows: PacketRow[] } | { ok: false; error: string; position: number };

/**
 * How long one rows request may spend examining packets with a display filter. Decoding every
 * field of a million packets takes tens of seconds; the lab must keep answering meanwhile, so a
 * request examines what it can and says how many are left (the next request goes on).
 */
const SCAN_BUDGET_MS = 150;

interface FilteredView {
  key: string;
  /** Whether held frame `no` passes. */
  test: (no: number) => boolean;
  /** Matching frame numbers, ascending; entries below `start` index are evicted ones. */
  matches: number[];
  start: number;
  /** Next frame number to examine. */
  scanned: number;
  /** CaptureTies generation the socket test was computed with. */
  generation: number;
}

/** How many filtered views are remembered (the UI uses one or two at a time). */
const VIEW_CACHE = 4;

export class PacketViews {
  private views: FilteredView[] = [];
  /** The TCP analysis of the held packets, made as they arrive (`arrived`). */
  readonly tcp = new CaptureTcpAnalysis();

  constructor(
    private store: PacketStore,
    private ties: CaptureTies,
  ) {}

  /** Forgets every remembered match and the TCP analysis (after clear, import or a new capture). */
  reset(): void {
    this.views = [];
    this.tcp.clear();
  }

  /** Runs the TCP analysis over the packets appended since the last call (capture order). */
  arrived(): void {
    this.tcp.arrived(this.store);
  }

  /** What the dissector needs to decode a held packet as Wireshark would: its facts and TCP analysis. */
  meta(packet: StoredPacket): FrameMeta {
    return { ...frameMeta(packet), tcp: this.tcp.recordsOf(packet.no) };
  }

  /** The packet-list row of a held packet, with its TCP analysis. */
  row(packet: StoredPacket): PacketRow {
    return buildRow(packet, this.ties, this.meta(packet));
  }

  /** Rows `offset .. offset+limit` of the packets `filter` and the socket `socketId` select. */
  window(offset: number, limit: number, filter: string, socketId: number | null): ViewAnswer {
    const store = this.store;
    if (filter.trim() === '' && socketId === null) {
      const total = store.held;
      const rows: PacketRow[] = [];
      for (let no = store.firstNo + offset; no < store.nextNo && rows.length < limit; no++) {
        const packet = store.get(no);
        if (packet) rows.push(this.row(packet));
      }
      return { ok: true, total, pending: 0, rows };
    }
    const view = this.view(filter, socketId);
    if (!view.ok) return view;
    const { matches, start, scanned } = this.update(view.value, SCAN_BUDGET_MS);
    const total = matches.length - start;
    const rows: PacketRow[] = [];
    for (let i = start + offset; i < matches.length && rows.length < limit; i++) {
      const packet = store.get(matches[i]);
      if (packet) rows.push(this.row(packet));
    }
    return { ok: true, total, pending: store.nextNo - Math.max(scanned, store.firstNo), rows };
  }

  /** Frame numbers `filter` selects among the held packets (for export). */
  select(filter: string, socketId: number | null = null): { ok: true; frames: number[] } | { ok: false; error: string; position: number } {
    const view = this.view(filter, socketId);
    if (!view.ok) return view;
    const { matches, start } = this.update(view.value, Infinity);
    return { ok: true, frames: matches.slice(start) };
  }

  private view(
    filter: string,
    socketId: number | null,
  ): { ok: true; value: FilteredView } | { ok: false; error: string; position: number } {
    const key = `${socketId ?? ''}|${filter}`;
    const known = this.views.find((v) => v.key === key);
    if (known) {
      // The socket test depends on the ties; redo it when they changed.
      if (socketId === null || known.generation === this.ties.generation) return { ok: true, value: known };
      this.views = this.views.filter((v) => v !== known);
    }
    const compiled = compileFilter(filter);
    if (!compiled.ok) return { ok: false, error: compiled.error, position: compiled.position };
    const byFields = filter.trim() === '' ? null : compiled.test;
    const store = this.store;
    // Filters on common fields read them straight from the stored bytes; the full dissector
    // decodes only the packets the fast reader declines (and every packet for other fields).
    const fast = byFields !== null && fastFieldsCover(compiled.fields) ? new FastFieldReader() : null;
    const at: PacketLocation = { offset: 0, caplen: 0, len: 0, linkType: 0 };
    const ofSocket = socketId === null ? null : this.socketTest(socketId);
    const test = (no: number): boolean => {
      if (ofSocket !== null && !ofSocket(no)) return false;
      if (byFields === null) return true;
      if (fast !== null) {
        const chunk = store.locate(no, at);
        if (chunk === null) return false;
        if (fast.load(chunk, at.offset, at.caplen, at.linkType, at.len)) return byFields(fast.lookup);
      }
      const packet = store.get(no);
      return packet !== null && byFields(fieldLookup(packet.data, packet.linkType, this.meta(packet)));
    };
    const view: FilteredView = { key, test, matches: [], start: 0, scanned: 1, generation: this.ties.generation };
    this.views.unshift(view);
    if (this.views.length > VIEW_CACHE) this.views.pop();
    return { ok: true, value: view };
  }

  /**
   * Whether frame `no` is the socket's: tied to it, or, for a socket accept() returned, tied to
   * its listener on its own connection's two ends (the handshake and data before accept()).
   */
  private socketTest(socketId: number): (no: number) => boolean {
    const accepted = this.ties.acceptedConnection(socketId);
    return (no) => {
      const tied = this.ties.tieOf(no).socketIds;
      if (tied.includes(socketId)) return true;
      if (accepted === null || !tied.includes(accepted.listenerId)) return false;
      const packet = this.store.get(no);
      const flow = packet && summarize(packet.data, packet.linkType).flow;
      if (!flow || flow.proto !== 'tcp') return false;
      const { src, dst } = flowEnds(flow);
      return (
        (sameEndpoint(src, accepted.local) && sameEndpoint(dst, accepted.peer)) ||
        (sameEndpoint(src, accepted.peer) && sameEndpoint(dst, accepted.local))
      );
    };
  }

  /** Drops evicted matches and examines packets not examined yet, for at most `budgetMs`. */
  private update(view: FilteredView, budgetMs: number): FilteredView {
    const store = this.store;
    while (view.start < view.matches.length && view.matches[view.start] < store.firstNo) view.start++;
    // Compact now and then so evicted matches do not pile up.
    if (view.start > 65536 && view.start * 2 > view.matches.length) {
      view.matches = view.matches.slice(view.start);
      view.start = 0;
    }
    const deadline = performance.now() + budgetMs;
    let no = Math.max(view.scanned, store.firstNo);
    for (; no < store.nextNo; no++) {
      if (view.test(no)) view.matches.push(no);
      if ((no & 255) === 0 && performance.now() > deadline) {
        no++;
        break;
      }
    }
    view.scanned = no;
    return view;
  }
}
