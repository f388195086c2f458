/**
 * struct tcp_info as Linux lays it out (include/uapi/linux/tcp.h), read with the length the
 * kernel returned: a kernel older than a field returns a shorter struct, and that field is
 * null. Plus getsockopt(TCP_CONGESTION), the algorithm's name.
 */
import { KERNEL_TCP_STATES, type TcpInfoFields } from '@shared/tcpinfo';
import { LINUX } from './constants';
import { libc } from './load';
import { libcFailure, noLibc, ok, type LibcResult } from './result';

type Width = 'u8' | 'u32' | 'u64';
type StructField = Exclude<keyof TcpInfoFields, 'state' | 'stateNumber' | 'in_flight' | 'congestion'>;

/** Offsets of the fields SockLab reads (the struct has more; these are what ss -ti shows). */
const LAYOUT: ReadonlyArray<readonly [StructField, number, Width]> = [
  ['ca_state', 1, 'u8'],
  ['retransmits', 2, 'u8'],
  ['probes', 3, 'u8'],
  ['backoff', 4, 'u8'],
  ['rto', 8, 'u32'],
  ['ato', 12, 'u32'],
  ['snd_mss', 16, 'u32'],
  ['rcv_mss', 20, 'u32'],
  ['unacked', 24, 'u32'],
  ['sacked', 28, 'u32'],
  ['lost', 32, 'u32'],
  ['retrans', 36, 'u32'],
  ['pmtu', 60, 'u32'],
  ['rcv_ssthresh', 64, 'u32'],
  ['rtt', 68, 'u32'],
  ['rttvar', 72, 'u32'],
  ['snd_ssthresh', 76, 'u32'],
  ['snd_cwnd', 80, 'u32'],
  ['advmss', 84, 'u32'],
  ['reordering', 88, 'u32'],
  ['rcv_rtt', 92, 'u32'],
  ['rcv_space', 96, 'u32'],
  ['total_retrans', 100, 'u32'],
  ['pacing_rate', 104, 'u64'],
  ['bytes_acked', 120, 'u64'],
  ['bytes_received', 128, 'u64'],
  ['segs_out', 136, 'u32'],
  ['segs_in', 140, 'u32'],
  ['notsent_bytes', 144, 'u32'],
  ['min_rtt', 148, 'u32'],
  ['delivery_rate', 160, 'u64'],
  ['bytes_sent', 200, 'u64'],
  ['bytes_retrans', 208, 'u64'],
  ['snd_wnd', 228, 'u32'],
];

/** Bytes of struct tcp_info SockLab asks for: the whole of what it reads, and room to spare. */
export const TCP_INFO_BUFFER = 256;
const SIZE: Record<Width, number> = { u8: 1, u32: 4, u64: 8 };
/** ~0ULL: the kernel's "no value" for the 64-bit rates (e.g. pacing off). */
const U64_NONE = 0xffffffffffffffffn;

function read(view: DataView, offset: number, width: Width): number | null {
  if (width === 'u8') return view.getUint8(offset);
  if (width === 'u32') return view.getUint32(offset, true);
  const value = view.getBigUint64(offset, true);
  return value === U64_NONE ? null : Number(value);
}

/**
 * Parses the first `length` bytes of a struct tcp_info (little-endian, as on x86_64 and arm64).
 * Fields that end past `length` are null; `congestion` is left null for the caller to fill.
 */
export function parseTcpInfo(bytes: Uint8Array, length: number): TcpInfoFields {
  const usable = Math.max(0, Math.min(length, bytes.length));
  const view = new DataView(bytes.buffer, bytes.byteOffset, usable);
  const stateNumber = usable >= 1 ? view.getUint8(0) : 0;
  const fields = { state: KERNEL_TCP_STATES[stateNumber] ?? `UNKNOWN(${stateNumber})`, stateNumber } as TcpInfoFields;
  for (const [name, offset, width] of LAYOUT) {
    fields[name] = offset + SIZE[width] <= usable ? read(view, offset, width) : null;
  }
  const { unacked, sacked, lost, retrans } = fields;
  fields.in_flight =
    unacked === null || sacked === null || lost === null || retrans === null || stateNumber === 10
      ? null
      : Math.max(0, unacked - sacked - lost + retrans);
  fields.congestion = null;
  return fields;
}

/** getsockopt(TCP_INFO) and getsockopt(TCP_CONGESTION) on one TCP descriptor. */
export function sysTcpInfoFields(fd: number): LibcResult<TcpInfoFields & { length: number }> {
  const lib = libc();
  if (!lib) return noLibc('getsockopt');
  const buffer = Buffer.alloc(TCP_INFO_BUFFER);
  const length = [buffer.length];
  if (lib.getsockopt(fd, LINUX.IPPROTO_TCP, LINUX.TCP_INFO, buffer, length) !== 0) return libcFailure('getsockopt', lib.errno());
  const fields = parseTcpInfo(buffer, length[0]);
  // TCP_CA_NAME_MAX is 16: the name, NUL-padded.
  const name = Buffer.alloc(16);
  const nameLength = [name.length];
  if (lib.getsockopt(fd, LINUX.IPPROTO_TCP, LINUX.TCP_CONGESTION, name, nameLength) === 0) {
    const text = name.subarray(0, nameLength[0]).toString('latin1');
    fields.congestion = text.split('\0')[0] || null;
  }
  return ok({ ...fields, length: length[0] });
}
