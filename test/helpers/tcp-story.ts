/**
 * A crafted TCP conversation with every finding the lab's lossy capture lacks, stamped at
 * chosen times (the analysis depends on them): a spurious retransmission, a zero window with
 * its probe and the probe's ACK, a window update, a keep-alive and its ACK, a segment not
 * captured, duplicate ACKs around a window update, a retransmission, and the ports reused by a
 * new connection. Client 10.0.0.1:40000, server 10.0.0.2:80, window scale 7 both ways.
 */
import { writePcapng } from '../../src/main/lab/pcap';
import { be16, bytes, ethernet, ipv4, tcpSegment } from './frames';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const WS7 = [3, 3, 7, 1];

/** [ms, from the client?, seq, ack, flags, window, payload bytes, options] */
type Step = [number, boolean, number, number, number, number, number, number[]?];

const STEPS: Step[] = [
  [0, true, 1000, 0, SYN, 64240, 0, WS7],
  [10, false, 5000, 1001, SYN | ACK, 65160, 0, WS7],
  [20, true, 1001, 5001, ACK, 502, 0],
  [30, true, 1001, 5001, PSH | ACK, 502, 100],
  [40, false, 5001, 1101, ACK, 500, 0],
  [50, true, 1101, 5001, PSH | ACK, 502, 100],
  [60, true, 1201, 5001, PSH | ACK, 502, 100],
  [70, false, 5001, 1201, ACK, 500, 0],
  [700, true, 1101, 5001, PSH | ACK, 502, 100], // spurious: the server has ACKed it
  [800, false, 5001, 1301, ACK, 0, 0], // zero window
  [900, true, 1301, 5001, ACK, 502, 1], // zero window probe
  [910, false, 5001, 1301, ACK, 0, 0], // its ACK (and still a zero window)
  [1000, false, 5001, 1301, ACK, 400, 0], // window update
  [1100, true, 1301, 5001, PSH | ACK, 502, 100],
  [1200, false, 5001, 1401, ACK, 400, 0],
  [3000, true, 1400, 5001, ACK, 502, 0], // keep-alive
  [3010, false, 5001, 1401, ACK, 400, 0], // keep-alive ACK
  [3200, true, 1401, 5001, PSH | ACK, 502, 100],
  [3210, true, 1601, 5001, PSH | ACK, 502, 100], // 1501..1600 not captured
  [3220, false, 5001, 1501, ACK, 400, 0],
  [3221, false, 5001, 1501, ACK, 400, 0], // duplicate ACK
  [3222, false, 5001, 1501, ACK, 300, 0], // window update
  [3223, false, 5001, 1501, ACK, 300, 0], // duplicate ACK again
  [3400, true, 1501, 5001, PSH | ACK, 502, 100], // retransmission
  [3410, false, 5001, 1701, ACK, 300, 0],
  [5000, true, 90000, 0, SYN, 64240, 0, WS7], // same ports, a new connection
  [5010, false, 70000, 90001, SYN | ACK, 65160, 0, WS7],
];

/** An IPv6 header from 2001:db8::`from` to 2001:db8::`to`, then `payload`. */
function ipv6Between(from: number, to: number, next: number, payload: Uint8Array): Uint8Array {
  const address = (host: number) => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, host];
  return bytes([0x60, 0, 0, 0], be16(payload.length), [next, 64], address(from), address(to), payload);
}

/** The conversation as a pcapng file (Ethernet), over IPv4 or over IPv6 (2001:db8::1 and ::2). */
export function tcpStoryCapture(family: 4 | 6 = 4): Uint8Array {
  const client = [10, 0, 0, 1];
  const server = [10, 0, 0, 2];
  const packets = STEPS.map(([ms, fromClient, seq, ack, flags, window, length, options = []]) => {
    const segment = tcpSegment(
      fromClient ? 40000 : 80,
      fromClient ? 80 : 40000,
      seq,
      ack,
      flags,
      window,
      new Array(length).fill(0x61),
      options,
    );
    const data =
      family === 4
        ? ethernet(0x0800, ipv4(6, segment, { src: fromClient ? client : server, dst: fromClient ? server : client }))
        : ethernet(0x86dd, ipv6Between(fromClient ? 1 : 2, fromClient ? 2 : 1, 6, segment));
    return { data, tsNs: 1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n };
  });
  return writePcapng(packets, { ifaceName: 'crafted', linkType: 1 });
}
