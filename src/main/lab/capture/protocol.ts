/**
 * What the main process and the capture process say to each other. Control messages are small
 * objects checked by schema on arrival; packets travel in batches, one buffer per batch, so a
 * flood costs a few messages per second rather than one per packet.
 *
 * Imported by the capture process too: only relative imports and zod, never electron or
 * `@shared` (the forked process does not know the alias).
 */
import { z } from 'zod';

/** How a capture reads packets from the kernel. */
export interface CaptureTuning {
  /** Most bytes kept of each packet (the original length is always reported). */
  snaplen: number;
  /** Deliver each packet at once (per-packet latency, more CPU, loses under floods). */
  immediate: boolean;
  /** Without immediate mode: how long the kernel may hold packets before handing them over. */
  bufferTimeoutMs: number;
  /**
   * Capture through Wireshark's dumpcap at this path instead of libpcap in this process: the
   * least-privilege path, where dumpcap alone holds the capture privilege (privilege/plan.ts).
   */
  dumpcap?: string;
}

/** pcap link type numbers for the link type names cap gives (one table for both directions). */
export const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'ETHERNET',
  101: 'RAW',
  113: 'LINKTYPE_LINUX_SLL',
  127: 'IEEE802_11_RADIO',
};

/** cap's name for a link type number ("Unknown linktype N" for the others, as cap says). */
export function linkNameOf(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? `Unknown linktype ${linkType}`;
}

/** The link type number of one of cap's names, or null. */
export function linkTypeOf(linkName: string): number | null {
  for (const [number, name] of Object.entries(LINK_TYPE_NAMES)) if (name === linkName) return Number(number);
  const unknown = /Unknown linktype (\d+)/.exec(linkName);
  return unknown ? Number(unknown[1]) : null;
}

/** tcpdump's and Wireshark's default snaplen; the kernel ring packs packets, so it costs nothing. */
export const DEFAULT_SNAPLEN = 262144;
/** Short enough that the list feels live, long enough that a flood arrives in few batches. */
export const DEFAULT_BUFFER_TIMEOUT_MS = 20;

/** Raw device facts from libpcap's pcap_findalldevs (as cap reports them). */
export const RawDevice = z.object({
  name: z.string(),
  description: z.string().optional(),
  addresses: z.array(z.object({ addr: z.string().optional(), netmask: z.string().optional() }).loose()),
  flags: z.string().optional(),
});
export type RawDevice = z.infer<typeof RawDevice>;

/** Requests from main to the capture process; each carries an id its answer repeats. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('devices'), id: z.number().int() }),
  z.object({
    type: z.literal('start'),
    id: z.number().int(),
    iface: z.string(),
    filter: z.string(),
    bufferBytes: z.number().int().positive(),
    /** Most bytes kept of each packet. */
    snaplen: z.number().int().min(1).max(262144),
    /** Per-packet delivery (true) or buffered delivery every `bufferTimeoutMs` (false). */
    immediate: z.boolean(),
    bufferTimeoutMs: z.number().int().min(1).max(1000),
    dumpcap: z.string().optional(),
  }),
  z.object({ type: z.literal('stop'), id: z.number().int() }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');

/** Messages from the capture process to main. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('devices'), id: z.number().int(), devices: z.array(RawDevice) }),
  /** Capture is open: libpcap's link type name as cap gives it ("ETHERNET", "Unknown linktype 276"). */
  z.object({
    type: z.literal('started'),
    id: z.number().int(),
    linkName: z.string(),
    /** Whether packet stamps carry nanoseconds (libpcap's timestamp precision). */
    nanoseconds: z.boolean(),
  }),
  z.object({ type: z.literal('stopped'), id: z.number().int() }),
  /** A request failed: cap's own message, unchanged (main maps it to something a person can act on). */
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
  /**
   * Packets captured since the last batch (see decodeBatch), with CLOCK_REALTIME minus
   * CLOCK_MONOTONIC in microseconds as measured by the capture process: the kernel stamps packets
   * on the real-time clock, the call log uses the monotonic one.
   */
  z.object({ type: z.literal('batch'), count: z.number().int(), data: bytes, clockOffsetUs: z.number() }),
  /** libpcap's counters (pcap_stats) since the capture opened, sent a few times a second. */
  z.object({
    type: z.literal('stats'),
    received: z.number().int().min(0),
    dropped: z.number().int().min(0),
    ifDropped: z.number().int().min(0),
  }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/**
 * Per-packet header in a batch, as the patched cap writes it: timestamp seconds, timestamp
 * nanoseconds, captured length, original length (u32 each, in the machine's byte order; both
 * processes run on the same machine).
 */
export const BATCH_HEADER_BYTES = 16;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Collects cap's batches into one growable buffer: the capture process copies each batch here
 * (one copy per batch, not per packet) and sends the filled part on a timer or when large.
 */
export class BatchWriter {
  private buf: Buffer;
  private used = 0;
  count = 0;

  constructor(private initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get bytes(): number {
    return this.used;
  }

  /** Copies `nbytes` of cap's batch buffer, holding `count` packets, into this batch. */
  appendBatch(source: Uint8Array, nbytes: number, count: number): void {
    const need = this.used + nbytes;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    this.buf.set(source.subarray(0, nbytes), this.used);
    this.used = need;
    this.count += count;
  }

  /** Appends one packet in the batch layout (a backend that hands packets one by one: dumpcap). */
  appendPacket(tsSec: number, tsNsec: number, len: number, bytes: Uint8Array): void {
    const need = this.used + BATCH_HEADER_BYTES + bytes.length;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    const le = HOST_LITTLE_ENDIAN;
    const write = le ? 'writeUInt32LE' : 'writeUInt32BE';
    this.buf[write](tsSec >>> 0, this.used);
    this.buf[write](tsNsec >>> 0, this.used + 4);
    this.buf[write](bytes.length, this.used + 8);
    this.buf[write](len >>> 0, this.used + 12);
    this.buf.set(bytes, this.used + BATCH_HEADER_BYTES);
    this.used = need;
    this.count += 1;
  }

  /** Hands out the filled part as its own buffer and starts a new batch (shrinking after a flood). */
  take(): { count: number; data: Buffer } {
    const data = Buffer.from(this.buf.subarray(0, this.used));
    const count = this.count;
    this.used = 0;
    this.count = 0;
    if (this.buf.length > this.initialBytes * 4) this.buf = Buffer.allocUnsafe(this.initialBytes);
    return { count, data };
  }
}

/** What decodeBatch hands over for each packet. */
export type BatchVisitor = (tsSec: number, tsNsec: number, len: number, bytes: Uint8Array) => void;

/**
 * Walks a batch, calling `visit` for each packet with a view into the batch (no copy). Stops
 * at the first record that does not fit, so a damaged batch cannot read out of bounds.
 * Returns how many packets were visited.
 */
export function decodeBatch(data: Uint8Array, visit: BatchVisitor): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = HOST_LITTLE_ENDIAN;
  let at = 0;
  let n = 0;
  while (at + BATCH_HEADER_BYTES <= data.byteLength) {
    const caplen = view.getUint32(at + 8, le);
    const end = at + BATCH_HEADER_BYTES + caplen;
    if (end > data.byteLength) break;
    visit(view.getUint32(at, le), view.getUint32(at + 4, le), view.getUint32(at + 12, le), data.subarray(at + BATCH_HEADER_BYTES, end));
    at = end;
    n += 1;
  }
  return n;
}

/** Writes one record in the batch layout (tests and benches build batches with it). */
export function encodeRecord(tsSec: number, tsNsec: number, len: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, tsSec, HOST_LITTLE_ENDIAN);
  view.setUint32(4, tsNsec, HOST_LITTLE_ENDIAN);
  view.setUint32(8, bytes.length, HOST_LITTLE_ENDIAN);
  view.setUint32(12, len, HOST_LITTLE_ENDIAN);
  out.set(bytes, BATCH_HEADER_BYTES);
  return out;
}
