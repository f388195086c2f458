/** Packets read from, or written to, pcap and pcapng files. */

export interface CapturedPacket {
  /** Arrival since the Unix epoch in nanoseconds (exact, whatever the file's resolution). */
  tsNs: bigint;
  /** The same in microseconds, as a number (for the packet list). */
  tsUs: number;
  linkType: number;
  /** A view into the file's bytes (no copy). */
  data: Uint8Array;
  /** Length on the wire (may exceed data.length when the capture was truncated). */
  origLen: number;
  /** Interface index in a pcapng file (0 for pcap). */
  iface: number;
  /** The packet's comments (pcapng opt_comment), joined by newlines; absent when none. */
  comment?: string;
}

export interface CaptureFileError {
  code: 'EBADF_FORMAT' | 'ETRUNCATED' | 'EUNSUPPORTED';
  message: string;
  /** Byte offset in the file where the problem is. */
  offset: number;
}

export interface ReadResult {
  format: 'pcap' | 'pcapng' | null;
  packets: CapturedPacket[];
  /** Problems found; packets before the first fatal one are still returned. */
  errors: CaptureFileError[];
}

/** A capture file being read: packets come as they are pulled; errors fill meanwhile. */
export interface CaptureStream {
  format: 'pcap' | 'pcapng' | null;
  packets: IterableIterator<CapturedPacket>;
  errors: CaptureFileError[];
}
