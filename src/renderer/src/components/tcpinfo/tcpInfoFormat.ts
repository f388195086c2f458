/**
 * Formatting a TCP_INFO sample the way `ss -ti` prints it (iproute2's tcp_show_info): the
 * tokens are ss's own, so a student can compare with a terminal, in either language.
 */
import type { TcpInfoSample } from '@shared/tcpinfo';

/** ssthresh at or above this is "not set yet" (ss hides it; the kernel's is 0x7fffffff). */
export const SSTHRESH_UNSET = 0xffff;

/** µs as ss prints milliseconds: 0.031, 204. */
export function ms(us: number): string {
  const value = us / 1000;
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** Bytes per second as ss prints a rate in bits per second (bps, Kbps, Mbps, Gbps). */
export function rate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(1)}Gbps`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)}Mbps`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(1)}Kbps`;
  return `${bits}bps`;
}

/** The `ss -ti` line of one sample (fields the kernel did not return are left out). */
export function ssLine(s: TcpInfoSample): string {
  const parts: string[] = [];
  const put = (token: string, value: number | null, show = true) => value !== null && show && parts.push(`${token}:${value}`);
  if (s.congestion) parts.push(s.congestion);
  if (s.rto !== null && s.rto > 0) parts.push(`rto:${ms(s.rto)}`);
  if (s.rtt !== null && s.rttvar !== null && s.rtt > 0) parts.push(`rtt:${ms(s.rtt)}/${ms(s.rttvar)}`);
  if (s.ato !== null && s.ato > 0) parts.push(`ato:${ms(s.ato)}`);
  put('mss', s.snd_mss);
  put('pmtu', s.pmtu);
  put('rcvmss', s.rcv_mss);
  put('advmss', s.advmss);
  put('cwnd', s.snd_cwnd);
  put('ssthresh', s.snd_ssthresh, s.snd_ssthresh !== null && s.snd_ssthresh < SSTHRESH_UNSET);
  put('bytes_sent', s.bytes_sent, (s.bytes_sent ?? 0) > 0);
  put('bytes_retrans', s.bytes_retrans, (s.bytes_retrans ?? 0) > 0);
  put('bytes_acked', s.bytes_acked, (s.bytes_acked ?? 0) > 0);
  put('bytes_received', s.bytes_received, (s.bytes_received ?? 0) > 0);
  put('segs_out', s.segs_out, (s.segs_out ?? 0) > 0);
  put('segs_in', s.segs_in, (s.segs_in ?? 0) > 0);
  if (s.pacing_rate !== null && s.pacing_rate > 0) parts.push(`pacing_rate ${rate(s.pacing_rate)}`);
  if (s.delivery_rate !== null && s.delivery_rate > 0) parts.push(`delivery_rate ${rate(s.delivery_rate)}`);
  put('unacked', s.unacked, (s.unacked ?? 0) > 0 && s.state !== 'LISTEN');
  if ((s.retrans ?? 0) > 0 || (s.total_retrans ?? 0) > 0) parts.push(`retrans:${s.retrans ?? 0}/${s.total_retrans ?? 0}`);
  put('lost', s.lost, (s.lost ?? 0) > 0);
  put('reordering', s.reordering, s.reordering !== null && s.reordering !== 3);
  put('rcv_space', s.rcv_space, (s.rcv_space ?? 0) > 0);
  put('rcv_ssthresh', s.rcv_ssthresh, (s.rcv_ssthresh ?? 0) > 0);
  if (s.min_rtt !== null && s.min_rtt > 0) parts.push(`minrtt:${ms(s.min_rtt)}`);
  put('snd_wnd', s.snd_wnd, (s.snd_wnd ?? 0) > 0);
  return parts.join(' ');
}
