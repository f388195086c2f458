/**
 * The dissector's public shape, shared by capture (packet rows), display filters and stream
 * following. Decoders are pure functions over bytes and never throw.
 */
import type { FieldNode, PacketRow } from '@shared/capture';
import type { TcpAnalysis } from './tcp-analysis';

export type { FieldNode };

/** pcap link types SockLab decodes. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** The transport-level facts of a packet, for tying it to sockets and following streams. */
export interface FlowInfo {
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  family: 4 | 6;
  src: string;
  dst: string;
  /** 0 for ICMP. */
  srcPort: number;
  dstPort: number;
  /** TCP only. flags is the 8-bit flags byte plus NS as bit 8, as tcp.flags. */
  tcp?: { seq: number; ack: number; flags: number; window: number };
  /** Where the transport payload starts in the frame, and how many bytes of it were captured. */
  payloadOffset: number;
  payloadLength: number;
}

/** What the fast summary decode gives for the packet list. */
export interface PacketSummary {
  src: string;
  dst: string;
  protocol: string;
  info: string;
  mark: PacketRow['mark'];
  flow: FlowInfo | null;
}

/** A field's values by Wireshark name, as tshark prints them (all occurrences, outermost first). */
export type FieldLookup = (name: string) => readonly string[] | undefined;

/** Value types of declared fields, so display filters can type their literals. */
export type FieldType = 'protocol' | 'uint' | 'bool' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'string' | 'time';

/** Optional facts about the frame that only the capture knows (for the frame.* fields). */
export interface FrameMeta {
  /** Frame number, from 1. */
  number?: number;
  /** Arrival since the Unix epoch in nanoseconds (kept exact for frame.time_epoch). */
  tsNs?: bigint;
  /** Length on the wire; defaults to the captured length. */
  origLen?: number;
  /** The packet's comment from a pcapng file (frame.comment). */
  comment?: string;
  /**
   * The TCP analysis of the frame's TCP headers, as `analyzeTcp` gave it in the capture's
   * analysis pass; without it there is no tcp.stream, relative tcp.seq or tcp.analysis.
   */
  tcp?: readonly TcpAnalysis[];
}
