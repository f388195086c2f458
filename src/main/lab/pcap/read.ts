/**
 * Reading capture files: pcap (both byte orders, microsecond and nanosecond, ./pcap-stream) and
 * pcapng (SHB, IDB, EPB, SPB, ISB, both byte orders, per-interface link type and if_tsresol,
 * ./pcapng-stream), told apart by their first bytes. One reader takes a file in chunks of any
 * size (a file opened piece by piece) or whole (one chunk). Never throws: problems come back as
 * error values next to the packets read so far.
 */
import { isPcapMagic, PcapStreamReader } from './pcap-stream';
import { PcapngStreamReader } from './pcapng-stream';
import type { CapturedPacket, CaptureFileError, CaptureStream, ReadResult } from './types';

const PCAPNG_SHB = 0x0a0d0d0a;

/** The format a file's first bytes announce (null: neither, or fewer than 4 bytes). */
export function captureFormat(head: Uint8Array): 'pcap' | 'pcapng' | null {
  if (head.length < 4) return null;
  if (new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false) === PCAPNG_SHB) return 'pcapng';
  return isPcapMagic(head) ? 'pcap' : null;
}

/** A capture file fed chunk by chunk: `packetsOf(chunk)` for each piece in order, then `end()`. */
export class CaptureFileReader {
  private reader: PcapStreamReader | PcapngStreamReader | null = null;
  /** The first bytes, until there are enough to tell the format. */
  private head = new Uint8Array(0);
  private readonly own: CaptureFileError[] = [];

  get format(): 'pcap' | 'pcapng' | null {
    return this.reader instanceof PcapngStreamReader ? 'pcapng' : this.reader ? 'pcap' : null;
  }

  /** Problems found so far (the same array as reading goes on). */
  get errors(): CaptureFileError[] {
    return this.reader?.errors ?? this.own;
  }

  /** Whether reading has ended on a problem: later chunks are ignored. */
  get stopped(): boolean {
    return this.own.length > 0 || (this.reader?.stopped ?? false);
  }

  *packetsOf(chunk: Uint8Array): Generator<CapturedPacket> {
    if (this.own.length > 0) return;
    if (!this.reader) {
      const bytes = this.head.length > 0 ? concat(this.head, chunk) : chunk;
      if (bytes.length < 4) {
        this.head = bytes.slice();
        return;
      }
      const format = captureFormat(bytes);
      if (format === null) {
        this.own.push({ code: 'EBADF_FORMAT', message: 'This is neither a pcap nor a pcapng file (unknown magic number).', offset: 0 });
        return;
      }
      this.reader = format === 'pcapng' ? new PcapngStreamReader({ packet: () => undefined }) : new PcapStreamReader();
      this.head = new Uint8Array(0);
      chunk = bytes;
    }
    yield* this.reader.packetsOf(chunk);
  }

  /** The file ended: whatever is left incomplete is a truncation. */
  end(): void {
    if (this.reader) this.reader.end();
    else if (this.own.length === 0) {
      this.own.push({ code: 'EBADF_FORMAT', message: 'The file is too short to be a pcap or pcapng capture.', offset: 0 });
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads a whole capture file held in memory. */
export function readCapture(bytes: Uint8Array): ReadResult {
  const stream = streamCapture(bytes);
  const packets = [...stream.packets];
  return { format: stream.format, packets, errors: stream.errors };
}

/**
 * Reads a capture file held in memory packet by packet: the caller pulls packets when it likes
 * (so a large file can be read in slices between other work); `errors` fills as reading goes.
 * Packets are views of `bytes`.
 */
export function streamCapture(bytes: Uint8Array): CaptureStream {
  const reader = new CaptureFileReader();
  function* packets(): Generator<CapturedPacket> {
    yield* reader.packetsOf(bytes);
    reader.end();
  }
  const iterator = packets();
  // Pull nothing yet, but tell the format at once, and why a file too short or unknown is not read.
  const format = captureFormat(bytes);
  if (format === null) Array.from(iterator);
  return {
    format,
    packets: iterator,
    get errors() {
      return reader.errors;
    },
  };
}
