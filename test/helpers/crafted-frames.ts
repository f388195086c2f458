/**
 * Crafted Ethernet frames for the layer-bound rules (docs/dissection.md, "Each layer ends where
 * its parent says"): each is checked in test/unit/dissect-bounds.test.ts and compared with
 * tshark in test/tshark/dissect-bounds.test.ts.
 */
import { be16, be32, bytes, ethernet, icmp, ipv4, ipv6, tcpSegment, udp } from './frames';

const echo = icmp(8, 0, [0, 1, 0, 1, 0x61, 0x62]);
const inner = ethernet(0x0800, ipv4(17, udp(1000, 2000, [9, 9, 9, 9]), { src: [192, 168, 9, 1], dst: [192, 168, 9, 2] }));
const jumboPayload = new Uint8Array(70_000);

export const CRAFTED = {
  /** IPv4 says 23 bytes: 3 bytes of ICMP; the rest of the 60-byte frame is Ethernet padding. */
  icmpThreeBytes: ethernet(0x0800, ipv4(1, echo.subarray(0, 3), { totalLength: 23 }), 60),
  /** The same, with the echo's remaining bytes in the Ethernet trailer. */
  icmpThreeBytesTrailer: ethernet(0x0800, bytes(ipv4(1, echo.subarray(0, 3), { totalLength: 23 }), echo.subarray(3)), 60),
  /** An echo request whose IP datagram ends after the ICMP checksum; id and seq in the trailer. */
  echoWithoutIdent: ethernet(0x0800, bytes(ipv4(1, icmp(8, 0, []), { totalLength: 24 }), [0, 1, 0, 1]), 60),
  /** A UDP header cut after the ports by the IP total length. */
  udpPortsOnly: ethernet(0x0800, ipv4(17, udp(1234, 53, [1, 2, 3, 4]).subarray(0, 4))),
  /** A RARP request (ethertype 0x8035). */
  rarpRequest: ethernet(
    0x8035,
    bytes(be16(1), be16(0x0800), [6, 4], be16(3), [2, 0, 0, 0, 0, 0x0a], [0, 0, 0, 0], [2, 0, 0, 0, 0, 0x0a], [0, 0, 0, 0]),
    60,
  ),
  /** IPv6 next header 143: an Ethernet frame inside. */
  ipv6Ethernet: ethernet(0x86dd, ipv6(143, inner)),
  /** An IPv6 jumbogram: payload length 0, Jumbo Payload option, UDP length 0 (RFC 2675). */
  jumbogram: ethernet(0x86dd, ipv6(0, bytes([17, 0, 0xc2, 4], be32(8 + 8 + jumboPayload.length), udp(1000, 2000, jumboPayload, 0)), 0)),
  /** GRE with ERSPAN type III (no platform sub-header), then the mirrored frame. */
  erspanThree: ethernet(
    0x0800,
    ipv4(47, bytes(be16(0x1000), be16(0x22eb), be32(7), be16(0x2000 | 5), be16(100), be32(0x01020304), be16(0), be16(0), inner)),
  ),
} as const;

export type CraftedName = keyof typeof CRAFTED;

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

/** The server's port: one no tshark dissector claims, so its Info column stays plain TCP. */
const SERVER_PORT = 44444;

/** A TCP segment between CLIENT:port and SERVER:SERVER_PORT in an Ethernet frame. */
function segment(
  fromClient: boolean,
  port: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  length = 0,
  options: number[] = [],
): Uint8Array {
  const [sport, dport] = fromClient ? [port, SERVER_PORT] : [SERVER_PORT, port];
  const payload = new Uint8Array(length).fill(0x61);
  return ethernet(
    0x0800,
    ipv4(
      6,
      tcpSegment(sport, dport, seq, ack, flags, window, payload, options),
      fromClient ? { src: CLIENT, dst: SERVER } : { src: SERVER, dst: CLIENT },
    ),
  );
}

/**
 * Two TCP conversations: one the capture joins mid-stream (no SYN: tshark numbers its first
 * segment Seq=1 Ack=1 and leaves the window unscaled), then one with its handshake and window
 * scaling (WS=128 and WS=32).
 */
export const MID_STREAM_TCP: readonly Uint8Array[] = [
  segment(true, 40000, 1000, 5000, 0x18, 500, 10),
  segment(false, 40000, 5000, 1010, 0x10, 300),
  segment(true, 40000, 1010, 5000, 0x18, 500, 20),
  segment(false, 40000, 5000, 1030, 0x18, 300, 5),
  segment(true, 40000, 1030, 5005, 0x11, 500),
  segment(true, 40001, 7000, 0, 0x02, 64240, 0, [3, 3, 7, 1]),
  segment(false, 40001, 9000, 7001, 0x12, 65160, 0, [3, 3, 5, 1]),
  segment(true, 40001, 7001, 9001, 0x10, 502),
  segment(false, 40001, 9001, 7001, 0x18, 2000, 100),
];
