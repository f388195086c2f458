/**
 * Reading pcap (both byte orders, microsecond and nanosecond) and pcapng (SHB, IDB, EPB, SPB,
 * both byte orders, per-interface link type and if_tsresol). Never throws: problems come back
 * as error values next to the packets read so far.
 */
import { PcapngStreamReader } from './pcapng-stream';
import type { CapturedPacket, CaptureFileError, CaptureStream, ReadResult } from './types';

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
  const none = (message: string): CaptureStream => ({
    format: null,
    packets: [][Symbol.iterator](),
    errors: [err('EBADF_FORMAT', message, 0)],
  });
  if (bytes.length < 4) return none('The file is too short to be a pcap or pcapng capture.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  const magicLE = view.getUint32(0, true);
  if (magicBE === PCAPNG_SHB) return { format: 'pcapng', packets: pcapngPackets(bytes, errors), errors };
  if (magicBE === PCAP_US || magicBE === PCAP_NS)
    return { format: 'pcap', packets: pcapPackets(bytes, view, false, magicBE === PCAP_NS, errors), errors };
  if (magicLE === PCAP_US || magicLE === PCAP_NS)
    return { format: 'pcap', packets: pcapPackets(bytes, view, true, magicLE === PCAP_NS, errors), errors };
  return none('This is neither a pcap nor a pcapng file (unknown magic number).');
}

function* pcapPackets(
  bytes: Uint8Array,
  view: DataView,
  le: boolean,
  nanos: boolean,
  errors: CaptureFileError[],
): Generator<CapturedPacket> {
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

/** pcapng through the one pcapng reader (./pcapng-stream), fed the whole file; packets are views of it. */
function* pcapngPackets(bytes: Uint8Array, errors: CaptureFileError[]): Generator<CapturedPacket> {
  const reader = new PcapngStreamReader({ packet: () => undefined });
  yield* reader.packetsOf(bytes);
  reader.end();
  errors.push(...reader.errors);
}
