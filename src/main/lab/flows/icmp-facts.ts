/**
 * The ICMP facts the flows layer needs beyond `FlowInfo`: the message type and code, the echo
 * identifier and sequence, and for error messages the 5-tuple of the packet they quote, so a
 * port unreachable can be tied to the UDP socket whose datagram caused it. Read from the frame
 * at the offsets the summary decode already found (FlowInfo.payloadOffset is the byte after the
 * 8-byte ICMP header), so no second dissection is needed. Never throws: short data gives nulls.
 */
import type { FlowInfo } from '../dissect/types';
import { canonicalAddress } from './endpoints';

/** The transport 5-tuple of the packet an ICMP error quotes. Ports are 0 when not TCP/UDP. */
export interface QuotedFlow {
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';
  family: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
}

export interface IcmpFacts {
  type: number;
  code: number;
  /** Destination unreachable, time exceeded, parameter problem (and ICMPv6's packet too big). */
  isError: boolean;
  /** Echo request/reply only. */
  echo: { id: number; seq: number; request: boolean } | null;
  quoted: QuotedFlow | null;
}

const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMP6_ERRORS = new Set([1, 2, 3, 4]);

/** The ICMP facts of a frame whose flow is ICMP or ICMPv6; null for any other flow. */
export function icmpFactsOf(frame: Uint8Array, flow: FlowInfo): IcmpFacts | null {
  if (flow.proto !== 'icmp' && flow.proto !== 'icmpv6') return null;
  const header = flow.payloadOffset - 8;
  if (header < 0 || header + 8 > frame.length) return null;
  const type = frame[header];
  const code = frame[header + 1];
  const v6 = flow.proto === 'icmpv6';
  const isError = (v6 ? ICMP6_ERRORS : ICMP4_ERRORS).has(type);
  const echoTypes = v6 ? [128, 129] : [8, 0];
  const echo = echoTypes.includes(type)
    ? { id: u16(frame, header + 4), seq: u16(frame, header + 6), request: type === echoTypes[0] }
    : null;
  const quotedEnd = flow.payloadOffset + flow.payloadLength;
  const quoted = isError ? quotedFlowOf(frame.subarray(flow.payloadOffset, Math.min(quotedEnd, frame.length))) : null;
  return { type, code, isError, echo, quoted };
}

/** The 5-tuple of a quoted IP packet (header plus at least the first 8 transport bytes). */
export function quotedFlowOf(bytes: Uint8Array): QuotedFlow | null {
  if (bytes.length < 1) return null;
  const version = bytes[0] >> 4;
  let protoNumber: number;
  let transport: number;
  let src: string;
  let dst: string;
  let family: 4 | 6;
  if (version === 4) {
    const ihl = (bytes[0] & 0x0f) * 4;
    if (ihl < 20 || bytes.length < 20) return null;
    protoNumber = bytes[9];
    src = Array.from(bytes.subarray(12, 16)).join('.');
    dst = Array.from(bytes.subarray(16, 20)).join('.');
    transport = ihl;
    family = 4;
  } else if (version === 6) {
    if (bytes.length < 40) return null;
    protoNumber = bytes[6];
    src = ipv6Text(bytes.subarray(8, 24));
    dst = ipv6Text(bytes.subarray(24, 40));
    transport = 40;
    family = 6;
  } else {
    return null;
  }
  const proto =
    protoNumber === 6 ? 'tcp' : protoNumber === 17 ? 'udp' : protoNumber === 1 ? 'icmp' : protoNumber === 58 ? 'icmpv6' : 'other';
  const hasPorts = (proto === 'tcp' || proto === 'udp') && bytes.length >= transport + 4;
  return {
    proto,
    family,
    src: canonicalAddress(src),
    dst: canonicalAddress(dst),
    srcPort: hasPorts ? u16(bytes, transport) : 0,
    dstPort: hasPorts ? u16(bytes, transport + 2) : 0,
  };
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(u16(bytes, i).toString(16));
  return groups.join(':');
}
