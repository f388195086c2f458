/**
 * The capture contract: interfaces, capture sessions, packet rows for the list, the decoded
 * field tree of one packet, display filters, streams, and pcapng import/export.
 */
import { z } from 'zod';
import { Bytes, SocketId, boundedBytes } from './socket';
import { cString } from './c-string';
import { defineRoute, result } from './route';

export const CaptureInterface = z.object({
  name: z.string(),
  description: z.string().nullable(),
  addresses: z.array(z.object({ address: z.string(), netmask: z.string().nullable() })),
  loopback: z.boolean(),
  up: z.boolean(),
  running: z.boolean(),
});
export type CaptureInterface = z.infer<typeof CaptureInterface>;

export const CaptureStatus = z.object({
  running: z.boolean(),
  iface: z.string().nullable(),
  filter: z.string(),
  /** pcap link type of the current capture (1 Ethernet, 113 SLL, 276 SLL2, 0 null, 101 raw). */
  linkType: z.number().int().nullable(),
  /** Packets and bytes seen since start (exact, including those the ring store dropped). */
  packets: z.number(),
  bytes: z.number(),
  /** Packets evicted from the ring store because it was full (oldest first). */
  evicted: z.number(),
  /** Packets currently held. */
  held: z.number(),
  /** Packets the kernel dropped because the capture buffer was full (libpcap's ps_drop). */
  dropped: z.number(),
  /** Packets the interface or its driver dropped (libpcap's ps_ifdrop). */
  ifDropped: z.number(),
  /**
   * Kernel time of frame 1 (µs since the epoch), the zero of "seconds since the first packet";
   * kept when frame 1 is evicted, null while nothing was captured or opened.
   */
  firstTsUs: z.number().nullable(),
  /** Packets per second over the last second. */
  rate: z.number(),
  /** Set when capture cannot run: what happened and what to do about it. */
  error: z.string().nullable(),
  permissionHint: z.string().nullable(),
  /** Where the held packets came from: the interface captured on, or the imported file's name. */
  source: z.string().nullable(),
});
export type CaptureStatus = z.infer<typeof CaptureStatus>;

/** One row of the packet list: what a fast summary decode finds. */
export const PacketRow = z.object({
  /** Frame number, from 1, stable for the packet's life in the store. */
  no: z.number().int(),
  /**
   * The kernel's stamp on CLOCK_MONOTONIC, microseconds (compares with CallRecord times); 0 for
   * imported packets.
   */
  monoUs: z.number(),
  /** The kernel's stamp since the Unix epoch, microseconds. */
  tsUs: z.number(),
  caplen: z.number().int(),
  len: z.number().int(),
  src: z.string(),
  dst: z.string(),
  protocol: z.string(),
  info: z.string(),
  /** Colouring rule that matched: SYN, FIN, RST, ICMP error, malformed, bad TCP (tcp.analysis findings). */
  mark: z.enum(['syn', 'fin', 'rst', 'icmp-error', 'malformed', 'tcp-bad']).nullable(),
  /**
   * Lab sockets this packet belongs to (`socketIds`), with the descriptor each had (`fds`, the
   * same order: labels, since descriptor numbers are reused), and the call that caused it.
   */
  fds: z.array(z.number().int()),
  socketIds: z.array(SocketId),
  callId: z.number().int().nullable(),
  /** 'call' when a lab call caused it, 'kernel' for ACKs, window updates, ICMP errors, ... */
  cause: z.enum(['call', 'kernel']).nullable(),
});
export type PacketRow = z.infer<typeof PacketRow>;

/** A node of the decoded field tree, with the byte range it covers in the frame. */
export interface FieldNode {
  /** Wireshark field name (`ip.src`, `tcp.flags.syn`) or protocol name (`tcp`). */
  name: string;
  /** The line shown in the tree, e.g. "Source Address: 127.0.0.1". */
  label: string;
  start: number;
  length: number;
  /** The value as tshark prints it in `-T fields`, where the field has one. */
  value?: string;
  /** Set on nodes that mark malformed or truncated data, or explain (offloaded checksums). */
  severity?: 'note' | 'warn' | 'error';
  children?: FieldNode[];
}
export const FieldNode: z.ZodType<FieldNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    label: z.string(),
    start: z.number().int(),
    length: z.number().int(),
    value: z.string().optional(),
    severity: z.enum(['note', 'warn', 'error']).optional(),
    children: z.array(FieldNode).optional(),
  }),
);

/**
 * The Expert Information list, as Wireshark's: findings grouped by severity and kind (the
 * expert field, e.g. `tcp.analysis.retransmission`), each entry a packet to jump to. `detail`
 * is the kind's number where it has one (a duplicate ACK's #n). A group lists at most
 * EXPERT_ENTRIES_MAX entries; `count` is how many packets it has in all.
 */
export const EXPERT_ENTRIES_MAX = 2000;
export const ExpertEntry = z.object({ no: z.number().int(), detail: z.number().int().nullable() });
export type ExpertEntry = z.infer<typeof ExpertEntry>;
export const ExpertGroup = z.object({
  severity: z.enum(['error', 'warn', 'note', 'chat']),
  kind: z.string(),
  protocol: z.string(),
  count: z.number().int(),
  entries: z.array(ExpertEntry).max(EXPERT_ENTRIES_MAX),
});
export type ExpertGroup = z.infer<typeof ExpertGroup>;

export const PacketDetail = z.object({
  row: PacketRow,
  data: Bytes,
  tree: z.array(FieldNode),
});
export type PacketDetail = z.infer<typeof PacketDetail>;

export const StreamSegment = z.object({
  direction: z.enum(['a-to-b', 'b-to-a']),
  no: z.number().int(),
  data: Bytes,
  /** TCP: bytes of this direction the capture never saw just before this segment (a gap). */
  missingBefore: z.number().int().min(0).optional(),
});
export const FollowedStream = z.object({
  protocol: z.enum(['tcp', 'udp']),
  a: z.string(),
  b: z.string(),
  /** Display filter selecting just this stream. */
  filter: z.string(),
  segments: z.array(StreamSegment),
});
export type FollowedStream = z.infer<typeof FollowedStream>;

const frameNo = z.number().int().min(1);

/**
 * Largest capture file one `capture.import` takes whole (100 MiB), for scripts and tests; the
 * app opens files of any size in pieces (`capture.open`). The lab opens one file at a time.
 */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

/**
 * Largest piece of a capture file one `capture.openChunk` carries, and about the most one
 * `capture.saveChunk` answers (4 MiB): what a file in transit holds at any moment.
 */
export const MAX_FILE_CHUNK_BYTES = 4 * 1024 * 1024;

const transferId = z.number().int().min(1);
const displayFilter = z.string().max(4096).default('');

/**
 * The ladder (sequence) diagram of the conversation a packet is part of, as a standalone SVG
 * (labels in English; the UI translates the chrome around it).
 */
export const LadderPicture = z.object({
  svg: z.string(),
  /** The picture's size in SVG user units (its viewBox is `0 0 width height`). */
  width: z.number(),
  height: z.number(),
  /** Left column (the side that opened the conversation) and right column. */
  conversation: z.object({ a: z.string(), b: z.string(), protocol: z.enum(['tcp', 'udp', 'icmp', 'icmpv6']) }),
  /**
   * One entry per packet arrow, top to bottom, in SVG user units: a click at height y (scaled
   * by height / rendered height) is on packet `no` when top <= y <= bottom. The arrows are also
   * `<g data-no="N">` elements in the SVG, for hit testing in the DOM.
   */
  arrows: z.array(z.object({ no: z.number().int(), top: z.number(), bottom: z.number() })),
  /** Rows beyond the picture's limit (1000) were left out. */
  truncated: z.boolean(),
});
export type LadderPicture = z.infer<typeof LadderPicture>;

export const captureRoutes = {
  'capture.interfaces': defineRoute(z.object({}), result(z.array(CaptureInterface))),
  'capture.start': defineRoute(
    z.object({
      iface: cString(64, 'iface').pipe(z.string().min(1, 'iface names an interface')),
      filter: cString(4096, 'filter').default(''),
      bufferMB: z.number().int().min(1).max(1024).default(64),
      /** Most bytes kept of each packet (default 262144, as tcpdump); the original length is always recorded. */
      snaplen: z.number().int().min(64).max(262144).optional(),
      /**
       * Deliver each packet at once (lowest latency per packet, but more CPU and losses under
       * floods) instead of in batches every few tens of milliseconds (the default).
       */
      immediate: z.boolean().optional(),
    }),
    result(CaptureStatus),
  ),
  'capture.stop': defineRoute(z.object({}), result(CaptureStatus)),
  'capture.status': defineRoute(z.object({}), result(CaptureStatus)),
  'capture.clear': defineRoute(z.object({}), result(CaptureStatus)),
  /** A window of the (optionally display-filtered) packet list, for a virtualized view. */
  'capture.rows': defineRoute(
    z.object({
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(5000),
      filter: z.string().max(4096).default(''),
      /** Only the packets tied to this socket ("Only socket N"). */
      socketId: SocketId.nullable().default(null),
    }),
    /**
     * pending: held packets the display filter has not examined yet. A filter over many packets
     * is applied in slices so the lab keeps answering; ask again while pending > 0 (total grows).
     */
    result(z.object({ total: z.number().int(), pending: z.number().int(), rows: z.array(PacketRow) })),
  ),
  'capture.packet': defineRoute(z.object({ no: frameNo }), result(PacketDetail)),
  /** Checks a display filter; the error names the position of the problem. */
  'capture.checkFilter': defineRoute(
    z.object({ filter: z.string().max(4096) }),
    result(z.object({ valid: z.boolean(), error: z.string().nullable(), position: z.number().int().nullable() })),
  ),
  'capture.follow': defineRoute(z.object({ no: frameNo }), result(FollowedStream)),
  /** The Expert Information list of the held packets (TCP analysis findings). */
  'capture.expert': defineRoute(z.object({}), result(z.object({ groups: z.array(ExpertGroup) }))),
  'capture.ladder': defineRoute(z.object({ no: frameNo, theme: z.enum(['light', 'dark']).default('light') }), result(LadderPicture)),
  /** The packets a display filter shows (all when empty) as one pcapng file (scripts, tests). */
  'capture.export': defineRoute(z.object({ filter: displayFilter }), result(z.object({ pcapng: Bytes }))),
  /**
   * Saving in pieces, any size: `capture.save` chooses the packets (all when the filter is
   * empty and no socket is given, else those the packet list shows with them), then each `capture.saveChunk` answers the next piece of the
   * pcapng file until `done`. A save left without a request for a minute is dropped.
   */
  'capture.save': defineRoute(
    z.object({ filter: displayFilter, socketId: SocketId.nullable().default(null) }),
    result(z.object({ saveId: transferId, packets: z.number().int() })),
  ),
  'capture.saveChunk': defineRoute(z.object({ saveId: transferId }), result(z.object({ data: Bytes, done: z.boolean() }))),
  /** A file held whole, opened in one request (at most MAX_IMPORT_BYTES). */
  'capture.import': defineRoute(
    z.object({ name: z.string().max(255), data: boundedBytes(MAX_IMPORT_BYTES, 'a capture file') }),
    /** problems: what was wrong in the file (packets before a fatal problem are still imported). */
    result(z.object({ packets: z.number().int(), problems: z.array(z.string()) })),
  ),
  /**
   * Opening a file of any size in pieces: `capture.open`, then each piece in order with
   * `capture.openChunk` (offset: where it starts in the file), then `capture.openEnd` (or
   * `cancel`: the packets read so far stay, as in Wireshark). The file's packets replace the
   * held ones once its first packet is read. An opening left without a request for a minute is
   * dropped.
   */
  'capture.open': defineRoute(z.object({ name: z.string().max(255) }), result(z.object({ openId: transferId }))),
  'capture.openChunk': defineRoute(
    z.object({
      openId: transferId,
      offset: z.number().int().min(0),
      data: boundedBytes(MAX_FILE_CHUNK_BYTES, 'a piece of a capture file'),
    }),
    result(z.object({ packets: z.number().int(), bytes: z.number().int() })),
  ),
  'capture.openEnd': defineRoute(
    z.object({ openId: transferId, cancel: z.boolean().default(false) }),
    result(z.object({ packets: z.number().int(), problems: z.array(z.string()), cancelled: z.boolean() })),
  ),
} as const;
