/**
 * Classic pcap (both byte orders, microsecond and nanosecond) read as a stream of chunks, the
 * twin of ./pcapng-stream: records that lie whole inside a chunk are views of it, a record a
 * chunk boundary cut is copied once. Never throws; the first malformed record ends the stream.
 */
import type { CapturedPacket, CaptureFileError } from './types';
import { afterPending } from './pcapng-stream';

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Whether `magic` (read big-endian) starts a pcap file, in either byte order. */
export function isPcapMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  return [view.getUint32(0, false), view.getUint32(0, true)].some((m) => m === PCAP_US || m === PCAP_NS);
}

export class PcapStreamReader {
  private le = false;
  private nanos = false;
  private linkType = 0;
  private snaplen = 0;
  private started = false;
  private failed = false;
  private pending: Uint8Array = new Uint8Array(0);
  /** Offset in the whole stream of `pending[0]`, for error offsets. */
  private base = 0;
  readonly errors: CaptureFileError[] = [];

  get stopped(): boolean {
    return this.failed;
  }

  /** The packets of every complete record of `chunk` (after what an earlier chunk left). */
  *packetsOf(chunk: Uint8Array): Generator<CapturedPacket> {
    if (this.failed || chunk.length === 0) return;
    const bytes = afterPending(this.pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    if (!this.started) {
      if (bytes.length < FILE_HEADER) {
        this.pending = bytes.slice();
        return;
      }
      this.readFileHeader(view);
      off = FILE_HEADER;
    }
    while (!this.failed && off + RECORD_HEADER <= bytes.length) {
      const capLen = view.getUint32(off + 8, this.le);
      if (capLen > Math.max(this.snaplen, 262144) * 4) {
        this.fail('EBADF_FORMAT', `Packet at byte ${this.base + off} claims ${capLen} captured bytes, more than any snapshot length.`, off);
        return;
      }
      if (off + RECORD_HEADER + capLen > bytes.length) break;
      const sec = view.getUint32(off, this.le);
      const frac = view.getUint32(off + 4, this.le);
      const origLen = view.getUint32(off + 12, this.le);
      const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(frac) * (this.nanos ? 1n : 1000n);
      const data = bytes.subarray(off + RECORD_HEADER, off + RECORD_HEADER + capLen);
      yield { tsNs, tsUs: Number(tsNs / 1000n), linkType: this.linkType, data, origLen, iface: 0 };
      off += RECORD_HEADER + capLen;
    }
    // Keep the unread tail; copy it so the chunk it came from can be let go.
    this.pending = bytes.slice(off);
    this.base += off;
  }

  /** The stream ended: a record (or the file header) left incomplete is a truncation. */
  end(): void {
    if (this.failed) return;
    if (!this.started) this.fail('ETRUNCATED', `The pcap file header is cut short (${FILE_HEADER} bytes expected).`, 0);
    else if (this.pending.length >= RECORD_HEADER) {
      const announced = new DataView(this.pending.buffer, this.pending.byteOffset).getUint32(8, this.le);
      this.fail('ETRUNCATED', `Packet at byte ${this.base} is cut short (${announced} bytes announced).`, 0);
    } else if (this.pending.length > 0) this.fail('ETRUNCATED', `Packet record header at byte ${this.base} is cut short.`, 0);
    this.pending = new Uint8Array(0);
  }

  private readFileHeader(view: DataView): void {
    this.le = view.getUint32(0, true) === PCAP_US || view.getUint32(0, true) === PCAP_NS;
    this.nanos = view.getUint32(0, this.le) === PCAP_NS;
    this.snaplen = view.getUint32(16, this.le);
    // The upper bits of the link type field carry FCS information; the type is the low 26 bits, as Wireshark reads it.
    this.linkType = view.getUint32(20, this.le) & 0x03ffffff;
    this.started = true;
  }

  private fail(code: CaptureFileError['code'], message: string, at: number): void {
    this.errors.push({ code, message, offset: this.base + at });
    this.failed = true;
  }
}
