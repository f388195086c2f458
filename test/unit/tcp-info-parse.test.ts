/**
 * struct tcp_info parsed as Linux lays it out (include/uapi/linux/tcp.h): a buffer written
 * field by field at the kernel's offsets, and a short one as an older kernel returns it.
 */
import { describe, expect, it } from 'vitest';
import { parseTcpInfo } from '../../src/main/lab/libc/tcp-info';

/** A struct tcp_info as a 5.x+ kernel fills it for an established connection (232 bytes). */
function kernelBuffer(): Buffer {
  const b = Buffer.alloc(232);
  b.writeUInt8(1, 0); // tcpi_state TCP_ESTABLISHED
  b.writeUInt8(4, 1); // tcpi_ca_state TCP_CA_Loss
  b.writeUInt8(2, 2); // tcpi_retransmits
  b.writeUInt8(1, 4); // tcpi_backoff
  b.writeUInt32LE(204_000, 8); // tcpi_rto
  b.writeUInt32LE(40_000, 12); // tcpi_ato
  b.writeUInt32LE(32_768, 16); // tcpi_snd_mss
  b.writeUInt32LE(536, 20); // tcpi_rcv_mss
  b.writeUInt32LE(7, 24); // tcpi_unacked
  b.writeUInt32LE(2, 28); // tcpi_sacked
  b.writeUInt32LE(1, 32); // tcpi_lost
  b.writeUInt32LE(3, 36); // tcpi_retrans
  b.writeUInt32LE(123, 44); // tcpi_last_data_sent: not read
  b.writeUInt32LE(65_535, 60); // tcpi_pmtu
  b.writeUInt32LE(65_483, 64); // tcpi_rcv_ssthresh
  b.writeUInt32LE(31, 68); // tcpi_rtt
  b.writeUInt32LE(15, 72); // tcpi_rttvar
  b.writeUInt32LE(2_147_483_647, 76); // tcpi_snd_ssthresh (infinite)
  b.writeUInt32LE(10, 80); // tcpi_snd_cwnd
  b.writeUInt32LE(65_483, 84); // tcpi_advmss
  b.writeUInt32LE(3, 88); // tcpi_reordering
  b.writeUInt32LE(0, 92); // tcpi_rcv_rtt
  b.writeUInt32LE(65_483, 96); // tcpi_rcv_space
  b.writeUInt32LE(5, 100); // tcpi_total_retrans
  b.writeBigUInt64LE(0xffffffffffffffffn, 104); // tcpi_pacing_rate: ~0 (none)
  b.writeBigUInt64LE(1_000n, 112); // tcpi_max_pacing_rate: not read
  b.writeBigUInt64LE(4_097n, 120); // tcpi_bytes_acked
  b.writeBigUInt64LE(11n, 128); // tcpi_bytes_received
  b.writeUInt32LE(9, 136); // tcpi_segs_out
  b.writeUInt32LE(8, 140); // tcpi_segs_in
  b.writeUInt32LE(100, 144); // tcpi_notsent_bytes
  b.writeUInt32LE(12, 148); // tcpi_min_rtt
  b.writeBigUInt64LE(5_000_000_000n, 160); // tcpi_delivery_rate (beyond 2^32)
  b.writeBigUInt64LE(8_192n, 200); // tcpi_bytes_sent
  b.writeBigUInt64LE(4_096n, 208); // tcpi_bytes_retrans
  b.writeUInt32LE(65_536, 228); // tcpi_snd_wnd
  return b;
}

describe('parseTcpInfo', () => {
  it('reads every field at the kernel offset, with the state named as the wire badges name it', () => {
    const info = parseTcpInfo(kernelBuffer(), 232);
    expect(info).toMatchObject({
      state: 'ESTABLISHED',
      stateNumber: 1,
      ca_state: 4,
      retransmits: 2,
      backoff: 1,
      rto: 204_000,
      ato: 40_000,
      snd_mss: 32_768,
      rcv_mss: 536,
      unacked: 7,
      sacked: 2,
      lost: 1,
      retrans: 3,
      pmtu: 65_535,
      rtt: 31,
      rttvar: 15,
      snd_ssthresh: 2_147_483_647,
      snd_cwnd: 10,
      reordering: 3,
      rcv_space: 65_483,
      total_retrans: 5,
      pacing_rate: null,
      bytes_acked: 4_097,
      bytes_received: 11,
      notsent_bytes: 100,
      min_rtt: 12,
      delivery_rate: 5_000_000_000,
      bytes_sent: 8_192,
      bytes_retrans: 4_096,
      snd_wnd: 65_536,
      in_flight: 7,
      congestion: null,
    });
  });

  it('a short struct (an older kernel, 104 bytes): fields beyond its length are null, not 0', () => {
    const info = parseTcpInfo(kernelBuffer(), 104);
    expect(info.total_retrans).toBe(5); // ends at 104: still inside
    expect(info.snd_cwnd).toBe(10);
    expect(info.pacing_rate).toBeNull();
    expect(info.delivery_rate).toBeNull();
    expect(info.bytes_sent).toBeNull();
    expect(info.snd_wnd).toBeNull();
  });

  it('a length longer than the buffer reads only the buffer; an empty one reads nothing', () => {
    const info = parseTcpInfo(kernelBuffer().subarray(0, 84), 232);
    expect(info.snd_cwnd).toBe(10);
    expect(info.advmss).toBeNull();
    const none = parseTcpInfo(new Uint8Array(0), 0);
    expect(none.state).toBe('UNKNOWN(0)');
    expect(none.rtt).toBeNull();
    expect(none.in_flight).toBeNull();
  });

  it('every kernel state number has a name; a listener has no segments in flight', () => {
    const names = Array.from({ length: 12 }, (_, i) => {
      const b = kernelBuffer();
      b.writeUInt8(i + 1, 0);
      return parseTcpInfo(b, 232);
    });
    expect(names.map((n) => n.state)).toEqual([
      'ESTABLISHED',
      'SYN_SENT',
      'SYN_RECEIVED',
      'FIN_WAIT_1',
      'FIN_WAIT_2',
      'TIME_WAIT',
      'CLOSED',
      'CLOSE_WAIT',
      'LAST_ACK',
      'LISTEN',
      'CLOSING',
      'SYN_RECEIVED',
    ]);
    expect(names[9].in_flight).toBeNull();
  });
});
