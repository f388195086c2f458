/**
 * SOCK_RAW for the lab: real raw sockets through koffi (./raw-socket), ICMP/ICMPv6 message
 * builders and parsers (./icmp), and a ping engine (./ping). See docs/raw-sockets.md. The raw
 * routes' area (./area) is imported by the lab facade directly.
 */
export { RAW_MAX_BYTES, RawSocket, openRawSocket, type RawAddress, type RawDomain } from './raw-socket';
export { buildIcmpEcho, buildIcmpv6Echo, buildIpv4Header, echoPayload, internetChecksum, parseIcmpFromIpv4, parseIcmpv6 } from './icmp';
export { ping, type PingReply } from './ping';
