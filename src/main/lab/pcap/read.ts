/**
 * Reading pcap (both byte orders, microsecond and nanosecond) and pcapng (SHB, IDB, EPB, SPB,
 * both byte orders, per-interface link type and if_tsresol). Never throws: problems come back
 * as error values next to the packets read so far.
 */
import { PcapngStreamReader } from './pcapng-stream';
import type { CapturedPacket, CaptureFileError, ReadResult } from './types';

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;

function err(code: CaptureFileError['code'], message: string, offset: number): CaptureFileError {
  return { code, message, offset };
}

function packet(tsNs: bigint, linkType: number, data: Uint8Array, origLen: number, iface: number): CapturedPacket {
  return { tsNs, tsUs: Number(tsNs / 1000n), linkType, data, origLen, iface };
}

/** Reads a whole capture file held in memory. */
export function readCapture(bytes: Uint8Array): ReadResult {
  if (bytes.length < 4) return { format: null, packets: [], errors: [err('EBADF_FORMAT', 'The file is too short to be a pcap or pcapng capture.', 0)] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  const magicLE = view.getUint32(0, true);
  if (magicBE === PCAPNG_SHB) return readPcapng(bytes);
  if (magicBE === PCAP_US || magicBE === PCAP_NS) return readPcap(bytes, view, false, magicBE === PCAP_NS);
  if (magicLE === PCAP_US || magicLE === PCAP_NS) return readPcap(bytes, view, true, magicLE === PCAP_NS);
  return { format: null, packets: [], errors: [err('EBADF_FORMAT', 'This is neither a pcap nor a pcapng file (unknown magic number).', 0)] };
}

function readPcap(bytes: Uint8Array, view: DataView, le: boolean, nanos: boolean): ReadResult {
  const packets: CapturedPacket[] = [];
  const errors: CaptureFileError[] = [];
  if (bytes.length < 24) {
    errors.push(err('ETRUNCATED', 'The pcap file header is cut short (24 bytes expected).', 0));
    return { format: 'pcap', packets, errors };
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
    packets.push(packet(tsNs, linkType, bytes.subarray(off + 16, off + 16 + capLen), origLen, 0));
    off += 16 + capLen;
  }
  return { format: 'pcap', packets, errors };
}

/** pcapng through the stream reader, fed the whole file at once (packets are views of it). */
function readPcapng(bytes: Uint8Array): ReadResult {
  const packets: CapturedPacket[] = [];
  const reader = new PcapngStreamReader({ packet: (p) => packets.push(p) });
  reader.push(bytes);
  reader.end();
  return { format: 'pcapng', packets, errors: reader.errors };
}
