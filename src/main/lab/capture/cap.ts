/**
 * `cap` 0.2.1, as patched by patches/cap+0.2.1.patch (applied and rebuilt by scripts/setup.mjs),
 * wrapped so that none of its remaining crash paths can be reached (docs/architecture.md):
 * - the Buffer given to open() is kept referenced while its Cap lives (cap keeps a raw pointer);
 * - a new Cap for every capture;
 * - send() is never exposed.
 * The patch gives buffered capture (immediate mode off, a short buffer timeout), a settable
 * snaplen, packets in batches (one JavaScript call per batch, each packet with its kernel
 * timestamp and original length), pcap_stats, and a failed open() that releases everything it
 * opened (so a typo in a filter no longer keeps a packet socket and its ring alive).
 * Loaded only in the capture process: cap is not context-aware and its stalls lose packets.
 */
import { createRequire } from 'node:module';
import type { CaptureTuning } from './protocol';
import { capModulePath } from './cap-path';

/** How the patched cap opens a capture (its open()'s 5th argument). */
interface NativeOpenOptions {
  snaplen: number;
  bufferTimeout: number;
  immediate: boolean;
  nanoseconds: boolean;
  batch: boolean;
}

/** libpcap's pcap_stats, as the patched cap reports it. */
export interface KernelStats {
  /** Packets the kernel handed to the capture socket (on `lo` each packet is seen twice). */
  received: number;
  /** Dropped by the kernel: the capture buffer was full. */
  dropped: number;
  /** Dropped by the interface or its driver. */
  ifDropped: number;
}

/** The slice of the patched cap's native API SockLab uses. */
interface NativeCap {
  open(device: string, filter: string, bufSize: number, buffer: Buffer, options?: NativeOpenOptions): string;
  close(): boolean;
  stats?(): KernelStats;
  timestampPrecision?(): 'nano' | 'micro';
  on(event: 'packets', listener: (nbytes: number, count: number) => void): void;
  removeAllListeners(event?: string): void;
}
interface CapModule {
  Cap: { new (): NativeCap; deviceList(): unknown[] };
}

const requireCjs = createRequire(import.meta.url);
let loaded: CapModule | null = null;

/** Loads cap on first use, so a missing or unbuilt addon is an error value, not a crash at import. */
function capModule(): CapModule {
  loaded ??= requireCjs(capModulePath(() => requireCjs.resolve('cap'), process.versions.electron)) as CapModule;
  if (typeof loaded.Cap.prototype.stats !== 'function') {
    throw new Error('cap is not patched: run `node scripts/setup.mjs` (it applies patches/cap+0.2.1.patch and rebuilds cap)');
  }
  return loaded;
}

/** Bytes of the buffer cap writes each batch into (at least one packet of the largest snaplen). */
const BATCH_BUFFER_BYTES = 4 * 1024 * 1024;
/** Per-packet header cap writes in a batch: seconds, nanoseconds, caplen, original length (u32 each). */
export const CAP_RECORD_HEADER_BYTES = 16;

/**
 * Buffers of the last few captures, kept a while after close() in case cap still points into
 * one (the patched close() releases libpcap's handle on the next event-loop turn).
 */
const retiredBuffers: Buffer[] = [];
function retire(buffer: Buffer): void {
  retiredBuffers.push(buffer);
  if (retiredBuffers.length > 4) retiredBuffers.shift();
}

/** One open capture. */
export interface LiveCapture {
  /** cap's name for the link type: "ETHERNET", "NULL", "RAW", "LINKTYPE_LINUX_SLL", "Unknown linktype N". */
  readonly linkName: string;
  /** Whether packet timestamps carry nanoseconds (else microseconds, in nanosecond units). */
  readonly nanoseconds: boolean;
  /** libpcap's counters since the capture opened. */
  stats(): KernelStats;
  close(): void;
}

/** libpcap's device list, as cap reports it. */
export function listDevices(): unknown[] {
  return capModule().Cap.deviceList();
}

/**
 * Opens a capture on `iface` with a BPF `filter`. `onBatch` gets cap's shared buffer holding
 * `count` packets in its first `nbytes` bytes (see CAP_RECORD_HEADER_BYTES): valid only during
 * the call, so copy out of it at once. Throws cap's own Error when open() fails; the patched
 * cap has then already released everything it opened.
 */
export function openLiveCapture(
  iface: string,
  filter: string,
  bufferBytes: number,
  tuning: CaptureTuning,
  onBatch: (buffer: Buffer, nbytes: number, count: number) => void,
): LiveCapture {
  const { Cap } = capModule();
  const cap = new Cap();
  const buffer = Buffer.alloc(Math.max(BATCH_BUFFER_BYTES, tuning.snaplen + CAP_RECORD_HEADER_BYTES));
  let linkName: string;
  try {
    linkName = cap.open(iface, filter, bufferBytes, buffer, {
      snaplen: tuning.snaplen,
      bufferTimeout: tuning.bufferTimeoutMs,
      immediate: tuning.immediate,
      nanoseconds: true,
      batch: true,
    });
  } catch (error) {
    retire(buffer);
    throw error;
  }
  cap.on('packets', (nbytes, count) => onBatch(buffer, nbytes, count));
  let open = true;
  const nanoseconds = cap.timestampPrecision?.() === 'nano';
  return {
    linkName,
    nanoseconds,
    stats() {
      return open && cap.stats ? cap.stats() : { received: 0, dropped: 0, ifDropped: 0 };
    },
    close() {
      if (!open) return;
      open = false;
      cap.close();
      cap.removeAllListeners('packets');
      retire(buffer);
    },
  };
}
