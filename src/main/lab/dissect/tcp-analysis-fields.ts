/**
 * How the TCP analysis (tcp-analysis.ts) shows in a packet: the `tcp.analysis` subtree with
 * Wireshark's field names and expert items, the Info column prefixes ("[TCP Retransmission] ")
 * and the expert entries of the Expert Information list. tshark prints a field that carries no
 * value (FT_NONE: `tcp.analysis`, `tcp.analysis.flags`, the expert items) as "1".
 */
import { field } from './fields';
import type { Sink } from './sink';
import { TCP_A, type TcpAnalysis } from './tcp-analysis';

/** Expert severities, as Wireshark's (PI_CHAT, PI_NOTE, PI_WARN). */
export type ExpertSeverity = 'chat' | 'note' | 'warn';

/** One kind of analysis finding: its flag, expert field, Info text and severity. */
export interface TcpExpertKind {
  readonly flag: number;
  readonly name: string;
  readonly summary: string;
  readonly severity: ExpertSeverity;
  /** The Info column prefix; Dup ACK's is built with its numbers. */
  readonly info: string;
}

const kind = (flag: number, name: string, summary: string, severity: ExpertSeverity, info: string): TcpExpertKind =>
  Object.freeze({ flag, name, summary, severity, info });

/**
 * In the order packet-tcp.c reports them; each Info prefix goes in front of those before it,
 * so the last one reported is the first in the column.
 */
export const TCP_EXPERT_KINDS: readonly TcpExpertKind[] = [
  kind(
    TCP_A.REUSED_PORTS,
    'tcp.analysis.reused_ports',
    'A new tcp session is started with the same ports as an earlier session in this trace',
    'note',
    'TCP Port numbers reused',
  ),
  kind(TCP_A.RETRANSMISSION, 'tcp.analysis.retransmission', 'This frame is a (suspected) retransmission', 'note', 'TCP Retransmission'),
  kind(
    TCP_A.FAST_RETRANSMISSION,
    'tcp.analysis.fast_retransmission',
    'This frame is a (suspected) fast retransmission',
    'note',
    'TCP Fast Retransmission',
  ),
  kind(
    TCP_A.SPURIOUS_RETRANSMISSION,
    'tcp.analysis.spurious_retransmission',
    'This frame is a (suspected) spurious retransmission',
    'note',
    'TCP Spurious Retransmission',
  ),
  kind(TCP_A.OUT_OF_ORDER, 'tcp.analysis.out_of_order', 'This frame is a (suspected) out-of-order segment', 'warn', 'TCP Out-Of-Order'),
  kind(
    TCP_A.LOST_PACKET,
    'tcp.analysis.lost_segment',
    'Previous segment(s) not captured (common at capture start)',
    'warn',
    'TCP Previous segment not captured',
  ),
  kind(
    TCP_A.ACK_LOST_PACKET,
    'tcp.analysis.ack_lost_segment',
    "ACKed segment that wasn't captured (common at capture start)",
    'warn',
    'TCP ACKed unseen segment',
  ),
  kind(TCP_A.WINDOW_UPDATE, 'tcp.analysis.window_update', 'TCP window update', 'chat', 'TCP Window Update'),
  kind(
    TCP_A.WINDOW_FULL,
    'tcp.analysis.window_full',
    'TCP window specified by the receiver is now completely full',
    'warn',
    'TCP Window Full',
  ),
  kind(TCP_A.KEEP_ALIVE, 'tcp.analysis.keep_alive', 'TCP keep-alive segment', 'note', 'TCP Keep-Alive'),
  kind(TCP_A.KEEP_ALIVE_ACK, 'tcp.analysis.keep_alive_ack', 'ACK to a TCP keep-alive segment', 'note', 'TCP Keep-Alive ACK'),
  kind(TCP_A.DUPLICATE_ACK, 'tcp.analysis.duplicate_ack', 'Duplicate ACK', 'note', 'TCP Dup ACK'),
  kind(TCP_A.ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe', 'TCP Zero Window Probe', 'note', 'TCP ZeroWindowProbe'),
  kind(TCP_A.ZERO_WINDOW, 'tcp.analysis.zero_window', 'TCP Zero Window segment', 'warn', 'TCP ZeroWindow'),
  kind(
    TCP_A.ZERO_WINDOW_PROBE_ACK,
    'tcp.analysis.zero_window_probe_ack',
    'ACK to a TCP Zero Window Probe',
    'note',
    'TCP ZeroWindowProbeAck',
  ),
];

/** A retransmission of any kind is also reported as a plain retransmission. */
const ALSO_RETRANSMISSION = TCP_A.FAST_RETRANSMISSION | TCP_A.SPURIOUS_RETRANSMISSION;

export const TCP_ANALYSIS = {
  stream: field('tcp.stream', 'Stream index', 'uint'),
  seq: field('tcp.seq', 'Sequence Number', 'uint'),
  nxtseq: field('tcp.nxtseq', 'Next Sequence Number', 'uint'),
  ack: field('tcp.ack', 'Acknowledgment Number', 'uint'),
  windowSize: field('tcp.window_size', 'Calculated window size', 'uint'),
  scaleFactor: field('tcp.window_size_scalefactor', 'Window size scaling factor', 'uint'),
  analysis: field('tcp.analysis', 'SEQ/ACK analysis', 'protocol'),
  acksFrame: field('tcp.analysis.acks_frame', 'This is an ACK to the segment in frame', 'uint'),
  ackRtt: field('tcp.analysis.ack_rtt', 'The RTT to ACK the segment was', 'time'),
  initialRtt: field('tcp.analysis.initial_rtt', 'iRTT', 'time'),
  bytesInFlight: field('tcp.analysis.bytes_in_flight', 'Bytes in flight', 'uint'),
  pushBytesSent: field('tcp.analysis.push_bytes_sent', 'Bytes sent since last PSH flag', 'uint'),
  flags: field('tcp.analysis.flags', 'TCP Analysis Flags', 'protocol'),
  rto: field('tcp.analysis.rto', 'The RTO for this segment was', 'time'),
  rtoFrame: field('tcp.analysis.rto_frame', 'RTO based on delta from frame', 'uint'),
  dupAckNum: field('tcp.analysis.duplicate_ack_num', 'Duplicate ACK #', 'uint'),
  dupAckFrame: field('tcp.analysis.duplicate_ack_frame', 'Duplicate to the ACK in frame', 'uint'),
  experts: new Map(TCP_EXPERT_KINDS.map((k) => [k.flag, field(k.name, k.summary, 'protocol')])),
} as const;

/** Seconds with nine decimals, as tshark prints a relative time: "0.000030000". */
export function formatSeconds(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

/** The Info column prefix of a segment's findings ("[TCP Dup ACK 30#2] "), or ''. */
export function analysisInfoPrefix(a: TcpAnalysis): string {
  let prefix = '';
  for (const k of TCP_EXPERT_KINDS) {
    if (!(a.flags & k.flag)) continue;
    if (k.flag === TCP_A.DUPLICATE_ACK) {
      if (a.dupAckNum) prefix = `[TCP Dup ACK ${a.dupAckFrame}#${a.dupAckNum}] ${prefix}`;
    } else prefix = `[${k.info}] ${prefix}`;
  }
  return prefix;
}

/** Wireshark's "Bad TCP" colouring rule: any finding but window updates and keep-alives. */
export function isBadTcp(flags: number): boolean {
  return flags !== 0 && (flags & (TCP_A.WINDOW_UPDATE | TCP_A.KEEP_ALIVE | TCP_A.KEEP_ALIVE_ACK)) === 0;
}

/** The expert kinds a segment's flags report, with the plain retransmission a fast or spurious one adds. */
export function expertKindsOf(flags: number): TcpExpertKind[] {
  return TCP_EXPERT_KINDS.filter((k) => flags & k.flag);
}

/** The `tcp.analysis` subtree, as packet-tcp.c's tcp_print_sequence_number_analysis writes it. */
export function showTcpAnalysis(sink: Sink, a: TcpAnalysis, at: number): void {
  if (!a.analysed) return;
  const F = TCP_ANALYSIS;
  sink.open(F.analysis, at, 0, '[SEQ/ACK analysis]', '1');
  if (a.acksFrame) {
    sink.field(F.acksFrame, at, 0, a.acksFrame, `${a.acksFrame}`);
    if (a.ackRttNs) sink.field(F.ackRtt, at, 0, formatSeconds(a.ackRttNs), `${formatSeconds(a.ackRttNs)} seconds`);
  }
  if (a.initialRttNs) sink.field(F.initialRtt, at, 0, formatSeconds(a.initialRttNs), `${formatSeconds(a.initialRttNs)} seconds`);
  if (a.bytesInFlight) {
    sink.field(F.bytesInFlight, at, 0, a.bytesInFlight);
    sink.field(F.pushBytesSent, at, 0, a.pushBytesSent);
  }
  if (a.flags) {
    sink.open(F.flags, at, 0, '[TCP Analysis Flags]', '1');
    for (const k of TCP_EXPERT_KINDS) {
      if (!(a.flags & k.flag)) continue;
      const severity = k.severity === 'warn' ? 'warn' : 'note';
      if (k.flag === TCP_A.DUPLICATE_ACK) {
        if (!a.dupAckNum) continue;
        sink.note('This is a TCP duplicate ack', at, 0, 'note', k.name, '1');
        sink.field(F.dupAckNum, at, 0, a.dupAckNum);
        sink.field(F.dupAckFrame, at, 0, a.dupAckFrame);
        sink.note(`Duplicate ACK (#${a.dupAckNum})`, at, 0, severity, k.name, '1');
        continue;
      }
      sink.note(k.summary, at, 0, severity, k.name, '1');
      if (k.flag & ALSO_RETRANSMISSION)
        sink.note('This frame is a (suspected) retransmission', at, 0, 'note', 'tcp.analysis.retransmission', '1');
      if (k.flag === TCP_A.RETRANSMISSION && a.rtoNs) {
        sink.field(F.rto, at, 0, formatSeconds(a.rtoNs), `${formatSeconds(a.rtoNs)} seconds`);
        sink.field(F.rtoFrame, at, 0, a.rtoFrame);
      }
    }
    sink.close();
  }
  sink.close();
}
