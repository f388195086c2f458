/**
 * `cap` 0.2.1 wrapped so that none of its measured crash paths can be reached (DESIGN.md):
 * - the Buffer given to open() is kept referenced while its Cap lives (cap keeps a raw pointer);
 * - a new Cap for every capture (a closed Cap reopens "successfully" but delivers nothing);
 * - close() only after a successful open() (close() after a failed open() aborts), and a Cap
 *   whose open() failed is kept referenced forever, because its destructor calls close() too;
 * - send() is never exposed.
 * Loaded only in the capture process: cap is not context-aware and its stalls lose packets.
 */
import { createRequire } from 'node:module';
import { capModulePath } from './cap-path';

/** The slice of cap's native API SockLab uses. */
interface NativeCap {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  setMinBytes?(bytes: number): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
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
  return loaded;
}

/** cap's snaplen is fixed at 65535, so no packet is longer than this. */
const PACKET_BUFFER_BYTES = 65535;

/** Caps whose open() failed: never closed, never collected (their destructor would abort). */
const quarantine: NativeCap[] = [];

/**
 * Buffers of the last few captures, kept a while after close() in case cap still points into
 * one (close() defers its cleanup when called while packets are being handled).
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
  close(): void;
}

/** libpcap's device list, as cap reports it. */
export function listDevices(): unknown[] {
  return capModule().Cap.deviceList();
}

/**
 * Opens a capture on `iface` with a BPF `filter`; `onPacket` gets a view of cap's shared
 * buffer that is valid only during the call (copy out of it at once). Throws cap's own Error
 * when open() fails; the failed Cap is quarantined.
 */
export function openLiveCapture(
  iface: string,
  filter: string,
  bufferBytes: number,
  onPacket: (bytes: Uint8Array, caplen: number, truncated: boolean) => void,
): LiveCapture {
  const { Cap } = capModule();
  const cap = new Cap();
  const buffer = Buffer.alloc(PACKET_BUFFER_BYTES);
  let linkName: string;
  try {
    linkName = cap.open(iface, filter, bufferBytes, buffer);
  } catch (error) {
    quarantine.push(cap);
    retire(buffer);
    throw error;
  }
  // Deliver each packet as soon as it arrives rather than when the kernel block fills.
  cap.setMinBytes?.(0);
  cap.on('packet', (nbytes, truncated) => onPacket(buffer, nbytes, truncated));
  let open = true;
  return {
    linkName,
    close() {
      if (!open) return;
      open = false;
      cap.close();
      cap.removeAllListeners('packet');
      retire(buffer);
    },
  };
}
