/**
 * SOCK_RAW for the lab: real raw sockets through koffi (./raw-socket), ICMP/ICMPv6 message
 * builders and parsers (./icmp), and a ping engine (./ping). See docs/raw-sockets.md.
 */
export {
  RAW_MAX_BYTES,
  RawSocket,
  openRawSocket,
  type RawAddress,
  type RawDatagram,
  type RawDomain,
  type RawFailure,
  type RawOption,
  type RawResult,
  type RecvOptions,
} from './raw-socket';
export {
  ICMPV6_TYPE,
  ICMP_ECHO_HEADER_BYTES,
  ICMP_TYPE,
  IPV4_HEADER_BYTES,
  buildIcmpEcho,
  buildIcmpv6Echo,
  buildIpv4Header,
  echoPayload,
  internetChecksum,
  parseIcmpFromIpv4,
  parseIcmpv6,
  type BuiltIcmp,
  type IcmpEchoFields,
  type Ipv4HeaderFields,
  type ParseResult,
  type ParsedEcho,
} from './icmp';
export { nextPingIdentifier, ping, type PingOptions, type PingReply, type PingSendError, type PingSummary } from './ping';
export { libcAvailable, libcFailure } from '../libc';
export { createRawArea, type RawArea, type RawRouteName } from './area';
