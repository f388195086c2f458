/**
 * The kernel's view of one TCP socket: `getsockopt(IPPROTO_TCP, TCP_INFO)` and
 * `TCP_CONGESTION`, sampled by the lab while the socket lives (docs/tcp-info.md). Field names
 * are struct tcp_info's without the `tcpi_` prefix (include/uapi/linux/tcp.h), so they read as
 * `ss -ti` and the kernel's headers do. A field the running kernel does not return (older
 * kernels return a shorter struct) is null, never 0.
 */
import { z } from 'zod';
import { defineRoute, result } from './route';
import { SocketId } from './socket';

/**
 * tcpi_state by number (include/net/tcp_states.h), named as the wire-inferred badges name the
 * states (RFC 793's names), so the two can be compared directly. The kernel's TCP_CLOSE is
 * CLOSED; TCP_SYN_RECV and TCP_NEW_SYN_RECV are both SYN_RECEIVED.
 */
export const KERNEL_TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECEIVED',
  4: 'FIN_WAIT_1',
  5: 'FIN_WAIT_2',
  6: 'TIME_WAIT',
  7: 'CLOSED',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'SYN_RECEIVED',
};

const count = z.number().int().min(0).nullable();
/** A 64-bit counter; JSON numbers hold it exactly up to 2^53. */
const big = z.number().min(0).nullable();

/** The struct tcp_info fields SockLab reads, by their kernel names (units in each comment). */
export const TcpInfoFields = z.object({
  /** tcpi_state as a name (KERNEL_TCP_STATES); `stateNumber` keeps the kernel's number. */
  state: z.string(),
  stateNumber: z.number().int().min(0).max(255),
  /** Congestion-avoidance state: 0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss. */
  ca_state: count,
  /** Retransmissions of the current unacknowledged segment (tcpi_retransmits). */
  retransmits: count,
  probes: count,
  backoff: count,
  /** Microseconds. */
  rto: count,
  ato: count,
  snd_mss: count,
  rcv_mss: count,
  /** Segments sent and not acknowledged (listener: the accept queue's length). */
  unacked: count,
  /** Segments SACKed (listener: the accept queue's limit). */
  sacked: count,
  lost: count,
  /** Segments retransmitted and not acknowledged yet. */
  retrans: count,
  pmtu: count,
  rcv_ssthresh: count,
  /** Smoothed round-trip time and its variance, microseconds. */
  rtt: count,
  rttvar: count,
  /** Segments; 2147483647 (TCP_INFINITE_SSTHRESH) until the first loss. */
  snd_ssthresh: count,
  /** The congestion window, segments. */
  snd_cwnd: count,
  advmss: count,
  reordering: count,
  rcv_rtt: count,
  rcv_space: count,
  total_retrans: count,
  /** Bytes per second. */
  pacing_rate: big,
  bytes_acked: big,
  bytes_received: big,
  segs_out: count,
  segs_in: count,
  notsent_bytes: count,
  min_rtt: count,
  /** Bytes per second. */
  delivery_rate: big,
  bytes_sent: big,
  bytes_retrans: big,
  snd_wnd: count,
  /**
   * Segments in flight as the kernel counts them (tcp_packets_in_flight):
   * unacked - sacked - lost + retrans; computed, not a field of the struct.
   */
  in_flight: count,
  /** The congestion control algorithm (getsockopt TCP_CONGESTION), e.g. "cubic". */
  congestion: z.string().nullable(),
});
export type TcpInfoFields = z.infer<typeof TcpInfoFields>;
/** Every field name, which scenarios (`wait: … tcpInfo:`) and exercise checks may compare. */
export const TCP_INFO_FIELD_NAMES = Object.keys(TcpInfoFields.shape) as [keyof TcpInfoFields, ...Array<keyof TcpInfoFields>];
/**
 * Conditions on fields: a number or a comparison such as ">0" for numbers, the exact name for
 * `state` and `congestion`. All must hold in one sample.
 */
export const TcpInfoMatch = z
  .partialRecord(z.enum(TCP_INFO_FIELD_NAMES), z.union([z.number(), z.string(), z.null()]))
  .refine((match) => Object.keys(match).length > 0, 'tcpInfo needs at least one field, for example { state: ESTABLISHED }');
export type TcpInfoMatch = z.infer<typeof TcpInfoMatch>;

/** One sample of one socket, stamped on the call log's clock (CLOCK_MONOTONIC, µs). */
export const TcpInfoSample = TcpInfoFields.extend({
  socketId: SocketId,
  atUs: z.number(),
  /** How many bytes of struct tcp_info the kernel returned. */
  length: z.number().int().min(0),
});
export type TcpInfoSample = z.infer<typeof TcpInfoSample>;

/** Samples kept per socket (older ones drop off); the renderer keeps as many. */
export const TCP_INFO_HISTORY = 600;

export const tcpInfoRoutes = {
  /**
   * The kernel's view of one TCP socket now (a fresh getsockopt), and the samples kept so far
   * (`history` up to TCP_INFO_HISTORY, oldest first; a closed socket's history stays readable
   * until the lab forgets it). ENOTSOCK-like answers come as errno values.
   */
  'socket.tcpInfo': defineRoute(
    z.object({ socketId: SocketId, history: z.boolean().default(false) }),
    result(z.object({ now: TcpInfoSample.nullable(), history: z.array(TcpInfoSample) })),
  ),
} as const;

export const tcpInfoEvents = {
  /** New samples (one per socket whose kernel view changed since its last sample). */
  'tcpinfo.samples': z.object({ samples: z.array(TcpInfoSample) }),
} as const;
