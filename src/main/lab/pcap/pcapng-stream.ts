/**
 * pcapng read as a stream of chunks: a file read piece by piece, or dumpcap's output on a pipe.
 * Blocks that lie whole inside a chunk are decoded in place (packet data is a view of the
 * chunk, no copy); only a block split across chunks is copied once. The same reader serves a
 * whole file in memory (one push). Never throws: problems come back as error values, and the
 * first malformed block ends the stream as the file reader always has.
 */
import type { CapturedPacket, CaptureFileError } from './types';

const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

interface Iface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSec: bigint;
}

/** What an Interface Statistics Block says (counters absent from the block are null). */
export interface InterfaceStats {
  iface: number;
  /** Packets the interface received (isb_ifrecv). */
  received: bigint | null;
  /** Packets dropped by the interface (isb_ifdrop). */
  ifDropped: bigint | null;
  /** Packets dropped by the operating system, i.e. the kernel's buffer (isb_osdrop). */
  osDropped: bigint | null;
}

export interface PcapngStreamHandlers {
  packet(packet: CapturedPacket): void;
  stats?(stats: InterfaceStats): void;
}

function packet(tsNs: bigint, linkType: number, data: Uint8Array, origLen: number, iface: number): CapturedPacket {
  return { tsNs, tsUs: Number(tsNs / 1000n), linkType, data, origLen, iface };
}

const commentDecoder = new TextDecoder();

/** `chunk` after the bytes an earlier chunk left unread (copied once, only when there are some). */
export function afterPending(pending: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (pending.length === 0) return chunk;
  const bytes = new Uint8Array(pending.length + chunk.length);
  bytes.set(pending);
  bytes.set(chunk, pending.length);
  return bytes;
}

/** if_tsresol: top bit clear → 10^-n seconds, set → 2^-n seconds. */
function tsresol(value: number): bigint {
  const n = BigInt(value & 0x7f);
  return value & 0x80 ? 1n << n : 10n ** n;
}

/** Calls `visit(code, valueOffset, length)` for each option between `start` and `end`. */
function eachOption(view: DataView, start: number, end: number, le: boolean, visit: (code: number, at: number, len: number) => void): void {
  let o = start;
  while (o + 4 <= end) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    if (code === 0 || o + 4 + len > end) break;
    visit(code, o + 4, len);
    o += 4 + ((len + 3) & ~3);
  }
}

type Block = CapturedPacket | InterfaceStats | Omit<CaptureFileError, 'offset'> | null;

/** A pcapng reader fed chunk by chunk. */
export class PcapngStreamReader {
  private le = true;
  private ifaces: Iface[] = [];
  /** Bytes of a block that a chunk boundary cut, waiting for the rest. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Offset in the whole stream of `pending[0]`, for error offsets. */
  private base = 0;
  private started = false;
  private failed = false;
  readonly errors: CaptureFileError[] = [];

  constructor(private readonly handlers: PcapngStreamHandlers) {}

  /** Whether a malformed block has ended the stream. */
  get stopped(): boolean {
    return this.failed;
  }

  /** Reads every complete block of `chunk` (after what an earlier chunk left). */
  push(chunk: Uint8Array): void {
    for (const packet of this.packetsOf(chunk)) this.handlers.packet(packet);
  }

  /**
   * The packets of every complete block of `chunk`, one at a time (a file reader can yield to
   * the event loop between them); statistics blocks go to the `stats` handler as they come.
   */
  *packetsOf(chunk: Uint8Array): Generator<CapturedPacket> {
    if (this.failed || chunk.length === 0) return;
    const bytes = afterPending(this.pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    while (!this.failed && off + 12 <= bytes.length) {
      if (!this.started) {
        if (view.getUint32(0, false) !== PCAPNG_SHB) {
          this.fail('EBADF_FORMAT', 'This stream is not pcapng (no section header block at its start).', 0);
          return;
        }
        this.started = true;
      }
      if (view.getUint32(off, false) === PCAPNG_SHB && !this.readByteOrder(view, off)) return;
      const len = view.getUint32(off + 4, this.le);
      if (len < 12 || len % 4 !== 0) {
        this.fail('EBADF_FORMAT', `Block at byte ${this.base + off} has a bad length (${len}).`, off);
        return;
      }
      if (off + len > bytes.length) break;
      const block = this.block(bytes, view, off, len);
      if (block && 'code' in block) this.errors.push({ ...block, offset: this.base + off });
      else if (block && 'tsNs' in block) yield block;
      else if (block) this.handlers.stats?.(block);
      off += len;
    }
    // Keep the unread tail; copy it so the chunk it came from can be let go.
    this.pending = bytes.slice(off);
    this.base += off;
  }

  /** The stream ended: a block left incomplete is a truncation. */
  end(): void {
    if (!this.failed && this.pending.length > 0) {
      this.fail('ETRUNCATED', `Block at byte ${this.base} is cut short.`, 0);
    }
    this.pending = new Uint8Array(0);
  }

  private fail(code: CaptureFileError['code'], message: string, at: number): void {
    this.errors.push({ code, message, offset: this.base + at });
    this.failed = true;
  }

  /** A section header sets the byte order (and forgets the interfaces) of what follows. */
  private readByteOrder(view: DataView, off: number): boolean {
    const bom = view.getUint32(off + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (bom === 0x4d3c2b1a) this.le = false;
    else {
      this.fail('EBADF_FORMAT', `Section header at byte ${this.base + off} has an unknown byte-order magic.`, off);
      return false;
    }
    this.ifaces = [];
    return true;
  }

  private block(bytes: Uint8Array, view: DataView, off: number, len: number): Block {
    const le = this.le;
    const type = view.getUint32(off, le);
    const body = off + 8;
    const end = off + len - 4;
    switch (type) {
      case 1: {
        if (end - body < 8) return { code: 'EBADF_FORMAT', message: `Interface block at byte ${this.base + off} is too short.` };
        let unitsPerSec = 1_000_000n;
        eachOption(view, body + 8, end, le, (code, at, optLen) => {
          if (code === 9 && optLen >= 1) unitsPerSec = tsresol(view.getUint8(at));
        });
        this.ifaces.push({ linkType: view.getUint16(body, le), unitsPerSec });
        return null;
      }
      case 6:
        return this.enhanced(bytes, view, body, end);
      case 3:
        return this.simple(bytes, view, body, end);
      case 2:
        return this.obsolete(bytes, view, body, end);
      case 5:
        return this.statistics(view, body, end);
      default:
        return null;
    }
  }

  private ts(iface: Iface, high: number, low: number): bigint {
    const units = (BigInt(high) << 32n) | BigInt(low);
    return (units * 1_000_000_000n) / iface.unitsPerSec;
  }

  private enhanced(bytes: Uint8Array, view: DataView, body: number, end: number): Block {
    const le = this.le;
    if (end - body < 20) return { code: 'EBADF_FORMAT', message: 'Enhanced packet block too short.' };
    const id = view.getUint32(body, le);
    const iface = this.ifaces[id];
    if (!iface) return { code: 'EBADF_FORMAT', message: `Packet refers to interface ${id}, which the file does not describe.` };
    const capLen = view.getUint32(body + 12, le);
    if (body + 20 + capLen > end) return { code: 'EBADF_FORMAT', message: `Packet data (${capLen} bytes) runs past its block.` };
    const tsNs = this.ts(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le));
    const read = packet(tsNs, iface.linkType, bytes.subarray(body + 20, body + 20 + capLen), view.getUint32(body + 16, le), id);
    const comments: string[] = [];
    eachOption(view, body + 20 + ((capLen + 3) & ~3), end, le, (code, at, optLen) => {
      if (code === 1) comments.push(commentDecoder.decode(bytes.subarray(at, at + optLen)));
    });
    if (comments.length > 0) read.comment = comments.join('\n');
    return read;
  }

  private simple(bytes: Uint8Array, view: DataView, body: number, end: number): Block {
    const iface = this.ifaces[0];
    if (!iface) return { code: 'EBADF_FORMAT', message: 'Simple packet block before any interface description.' };
    if (end - body < 4) return { code: 'EBADF_FORMAT', message: 'Simple packet block too short.' };
    const origLen = view.getUint32(body, this.le);
    const capLen = Math.min(origLen, end - body - 4);
    // Simple packets carry no timestamp.
    return packet(0n, iface.linkType, bytes.subarray(body + 4, body + 4 + capLen), origLen, 0);
  }

  private obsolete(bytes: Uint8Array, view: DataView, body: number, end: number): Block {
    const le = this.le;
    if (end - body < 20) return { code: 'EBADF_FORMAT', message: 'Packet block too short.' };
    const id = view.getUint16(body, le);
    const iface = this.ifaces[id];
    if (!iface) return { code: 'EBADF_FORMAT', message: `Packet refers to interface ${id}, which the file does not describe.` };
    const capLen = view.getUint32(body + 12, le);
    if (body + 20 + capLen > end) return { code: 'EBADF_FORMAT', message: `Packet data (${capLen} bytes) runs past its block.` };
    const tsNs = this.ts(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le));
    return packet(tsNs, iface.linkType, bytes.subarray(body + 20, body + 20 + capLen), view.getUint32(body + 16, le), id);
  }

  private statistics(view: DataView, body: number, end: number): Block {
    const le = this.le;
    if (end - body < 12) return { code: 'EBADF_FORMAT', message: 'Interface statistics block too short.' };
    const stats: InterfaceStats = { iface: view.getUint32(body, le), received: null, ifDropped: null, osDropped: null };
    eachOption(view, body + 12, end, le, (code, at, optLen) => {
      if (optLen !== 8) return;
      const value = view.getBigUint64(at, le);
      if (code === 4) stats.received = value;
      else if (code === 5) stats.ifDropped = value;
      else if (code === 7) stats.osDropped = value;
    });
    return stats;
  }
}
