/**
 * What the main process and the capture process say to each other. Control messages are small
 * objects checked by schema on arrival; packets travel in batches, one buffer per batch, so a
 * flood costs a few messages per second rather than one per packet.
 *
 * Imported by the capture process too: only relative imports and zod, never electron or
 * `@shared` (the forked process does not know the alias).
 */
import { z } from 'zod';

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
  z.object({ type: z.literal('started'), id: z.number().int(), linkName: z.string() }),
  z.object({ type: z.literal('stopped'), id: z.number().int() }),
  /** A request failed: cap's own message, unchanged (main maps it to something a person can act on). */
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
  /** Packets captured since the last batch (see encodeBatch). */
  z.object({ type: z.literal('batch'), count: z.number().int(), data: bytes }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/** One captured packet as it crosses the process boundary. */
export interface CapturedPacket {
  /** CLOCK_MONOTONIC arrival, microseconds. */
  monoUs: number;
  /** Wall-clock arrival, microseconds since the epoch. */
  tsUs: number;
  /** Original length on the wire (equals caplen: cap does not report it). */
  len: number;
  data: Uint8Array;
}

/** Per-packet header in a batch: monoUs f64, tsUs f64, len u32, caplen u32. */
export const BATCH_HEADER_BYTES = 24;

/**
 * Appends packets into one growable batch buffer. The capture process writes each packet here
 * as soon as cap delivers it (copying it out of cap's shared buffer), then sends the filled part.
 */
export class BatchWriter {
  private buf: Buffer;
  private used = 0;
  count = 0;

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get bytes(): number {
    return this.used;
  }

  /** Copies `caplen` bytes of `source` with their stamps into the batch. */
  append(monoUs: number, tsUs: number, len: number, source: Uint8Array, caplen: number): void {
    const need = this.used + BATCH_HEADER_BYTES + caplen;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    const at = this.used;
    this.buf.writeDoubleLE(monoUs, at);
    this.buf.writeDoubleLE(tsUs, at + 8);
    this.buf.writeUInt32LE(len, at + 16);
    this.buf.writeUInt32LE(caplen, at + 20);
    this.buf.set(source.subarray(0, caplen), at + BATCH_HEADER_BYTES);
    this.used = need;
    this.count += 1;
  }

  /** Hands out the filled part as its own buffer and starts a new batch. */
  take(): { count: number; data: Buffer } {
    const data = Buffer.from(this.buf.subarray(0, this.used));
    const count = this.count;
    this.used = 0;
    this.count = 0;
    return { count, data };
  }
}

/**
 * Walks a batch, calling `visit` for each packet with a view into the batch (no copy). Stops
 * at the first record that does not fit, so a damaged batch cannot read out of bounds.
 * Returns how many packets were visited.
 */
export function decodeBatch(data: Uint8Array, visit: (monoUs: number, tsUs: number, len: number, bytes: Uint8Array) => void): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  let n = 0;
  while (at + BATCH_HEADER_BYTES <= data.byteLength) {
    const caplen = view.getUint32(at + 20, true);
    const end = at + BATCH_HEADER_BYTES + caplen;
    if (end > data.byteLength) break;
    visit(view.getFloat64(at, true), view.getFloat64(at + 8, true), view.getUint32(at + 16, true), data.subarray(at + BATCH_HEADER_BYTES, end));
    at = end;
    n += 1;
  }
  return n;
}
