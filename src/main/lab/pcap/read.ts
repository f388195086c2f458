/**
 * Reading pcap (both byte orders, microsecond and nanosecond) and pcapng (SHB, IDB, EPB, SPB,
 * both byte orders, per-interface link type and if_tsresol). Never throws: problems come back
 * as error values next to the packets read so far.
 */
import type { CapturedPacket, CaptureFileError, CaptureStream, ReadResult } from './types';

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

function err(code: CaptureFileError['code'], message: string, offset: number): CaptureFileError {
  return { code, message, offset };
}

function packet(tsNs: bigint, linkType: number, data: Uint8Array, origLen: number, iface: number): CapturedPacket {
  return { tsNs, tsUs: Number(tsNs / 1000n), linkType, data, origLen, iface };
}

/** Reads a whole capture file held in memory. */
export function readCapture(bytes: Uint8Array): ReadResult {
  const stream = streamCapture(bytes);
  const packets = [...stream.packets];
  return { format: stream.format, packets, errors: stream.errors };
}

/**
 * Reads a capture file packet by packet: the caller pulls packets when it likes (so a large
 * file can be read in slices between other work); `errors` fills as reading goes.
 */
export function streamCapture(bytes: Uint8Array): CaptureStream {
  const errors: CaptureFileError[] = [];
  const none = (message: string): CaptureStream => ({ format: null, packets: [][Symbol.iterator](), errors: [err('EBADF_FORMAT', message, 0)] });
  if (bytes.length < 4) return none('The file is too short to be a pcap or pcapng capture.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  const magicLE = view.getUint32(0, true);
  if (magicBE === PCAPNG_SHB) return { format: 'pcapng', packets: pcapngPackets(bytes, view, errors), errors };
  if (magicBE === PCAP_US || magicBE === PCAP_NS) return { format: 'pcap', packets: pcapPackets(bytes, view, false, magicBE === PCAP_NS, errors), errors };
  if (magicLE === PCAP_US || magicLE === PCAP_NS) return { format: 'pcap', packets: pcapPackets(bytes, view, true, magicLE === PCAP_NS, errors), errors };
  return none('This is neither a pcap nor a pcapng file (unknown magic number).');
}

function* pcapPackets(bytes: Uint8Array, view: DataView, le: boolean, nanos: boolean, errors: CaptureFileError[]): Generator<CapturedPacket> {
  if (bytes.length < 24) {
    errors.push(err('ETRUNCATED', 'The pcap file header is cut short (24 bytes expected).', 0));
    return;
  }
  const snaplen = view.getUint32(16, le);
  // The upper bits of the link type field carry FCS information; the type is the low 26 bits, as Wireshark reads it.
  const linkType = view.getUint32(20, le) & 0x03ffffff;
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) {
      errors.push(err('ETRUNCATED', `Packet record header at byte ${off} is cut short.`, off));
      break;
    }
    const sec = view.getUint32(off, le);
    const frac = view.getUint32(off + 4, le);
    const capLen = view.getUint32(off + 8, le);
    const origLen = view.getUint32(off + 12, le);
    if (capLen > Math.max(snaplen, 262144) * 4) {
      errors.push(err('EBADF_FORMAT', `Packet at byte ${off} claims ${capLen} captured bytes, more than any snapshot length.`, off));
      break;
    }
    if (off + 16 + capLen > bytes.length) {
      errors.push(err('ETRUNCATED', `Packet at byte ${off} is cut short (${capLen} bytes announced).`, off));
      break;
    }
    const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanos ? 1n : 1000n);
    yield packet(tsNs, linkType, bytes.subarray(off + 16, off + 16 + capLen), origLen, 0);
    off += 16 + capLen;
  }
}

interface Iface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSec: bigint;
}

/** if_tsresol: top bit clear → 10^-n seconds, set → 2^-n seconds. */
function tsresol(value: number): bigint {
  const n = BigInt(value & 0x7f);
  return value & 0x80 ? 1n << n : 10n ** n;
}

function* pcapngPackets(bytes: Uint8Array, view: DataView, errors: CaptureFileError[]): Generator<CapturedPacket> {
  let ifaces: Iface[] = [];
  let le = true;
  let off = 0;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) {
      errors.push(err('ETRUNCATED', `Block header at byte ${off} is cut short.`, off));
      break;
    }
    const type = view.getUint32(off, le);
    if (view.getUint32(off, false) === PCAPNG_SHB) {
      // A section header sets the byte order for the section that follows.
      const bom = view.getUint32(off + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        errors.push(err('EBADF_FORMAT', `Section header at byte ${off} has an unknown byte-order magic.`, off));
        break;
      }
      ifaces = [];
    }
    const len = view.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0 || off + len > bytes.length) {
      errors.push(err(off + len > bytes.length ? 'ETRUNCATED' : 'EBADF_FORMAT', `Block at byte ${off} has a bad length (${len}).`, off));
      break;
    }
    const body = off + 8;
    const bodyEnd = off + len - 4;
    if (type === 1) {
      if (bodyEnd - body < 8) errors.push(err('EBADF_FORMAT', `Interface block at byte ${off} is too short.`, off));
      else ifaces.push({ linkType: view.getUint16(body, le), unitsPerSec: interfaceResolution(view, body + 8, bodyEnd, le) });
    } else if (type === 6 || type === 3 || type === 2) {
      const p = type === 6 ? enhanced(bytes, view, body, bodyEnd, le, ifaces) : type === 3 ? simple(bytes, view, body, bodyEnd, le, ifaces) : obsolete(bytes, view, body, bodyEnd, le, ifaces);
      if ('code' in p) errors.push({ ...p, offset: off });
      else yield p;
    }
    off += len;
  }
}

function interfaceResolution(view: DataView, start: number, end: number, le: boolean): bigint {
  let o = start;
  while (o + 4 <= end) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    if (code === 0) break;
    if (code === 9 && len >= 1 && o + 5 <= end) return tsresol(view.getUint8(o + 4));
    o += 4 + ((len + 3) & ~3);
  }
  return 1_000_000n;
}

function ts(iface: Iface, high: number, low: number): bigint {
  const units = (BigInt(high) << 32n) | BigInt(low);
  return (units * 1_000_000_000n) / iface.unitsPerSec;
}

function enhanced(bytes: Uint8Array, view: DataView, body: number, end: number, le: boolean, ifaces: Iface[]): CapturedPacket | Omit<CaptureFileError, 'offset'> {
  if (end - body < 20) return { code: 'EBADF_FORMAT', message: 'Enhanced packet block too short.' };
  const id = view.getUint32(body, le);
  const iface = ifaces[id];
  if (!iface) return { code: 'EBADF_FORMAT', message: `Packet refers to interface ${id}, which the file does not describe.` };
  const capLen = view.getUint32(body + 12, le);
  if (body + 20 + capLen > end) return { code: 'EBADF_FORMAT', message: `Packet data (${capLen} bytes) runs past its block.` };
  const tsNs = ts(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le));
  return packet(tsNs, iface.linkType, bytes.subarray(body + 20, body + 20 + capLen), view.getUint32(body + 16, le), id);
}

function simple(bytes: Uint8Array, view: DataView, body: number, end: number, le: boolean, ifaces: Iface[]): CapturedPacket | Omit<CaptureFileError, 'offset'> {
  const iface = ifaces[0];
  if (!iface) return { code: 'EBADF_FORMAT', message: 'Simple packet block before any interface description.' };
  if (end - body < 4) return { code: 'EBADF_FORMAT', message: 'Simple packet block too short.' };
  const origLen = view.getUint32(body, le);
  const capLen = Math.min(origLen, end - body - 4);
  // Simple packets carry no timestamp.
  return packet(0n, iface.linkType, bytes.subarray(body + 4, body + 4 + capLen), origLen, 0);
}

function obsolete(bytes: Uint8Array, view: DataView, body: number, end: number, le: boolean, ifaces: Iface[]): CapturedPacket | Omit<CaptureFileError, 'offset'> {
  if (end - body < 20) return { code: 'EBADF_FORMAT', message: 'Packet block too short.' };
  const id = view.getUint16(body, le);
  const iface = ifaces[id];
  if (!iface) return { code: 'EBADF_FORMAT', message: `Packet refers to interface ${id}, which the file does not describe.` };
  const capLen = view.getUint32(body + 12, le);
  if (body + 20 + capLen > end) return { code: 'EBADF_FORMAT', message: `Packet data (${capLen} bytes) runs past its block.` };
  return packet(ts(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le)), iface.linkType, bytes.subarray(body + 20, body + 20 + capLen), view.getUint32(body + 16, le), id);
}
