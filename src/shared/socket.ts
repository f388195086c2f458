/**
 * The socket model: what a lab socket is, what each BSD call takes and returns.
 * Types are inferred from the zod schemas, so the schema that validates a value crossing a
 * process boundary and the type the code sees can never disagree.
 */
import { z } from 'zod';
import { ERRNO_NAMES } from './errno';
import { cString } from './c-string';
import { LabTextSchema } from './lab-text';

export const DOMAINS = ['AF_INET', 'AF_INET6', 'AF_UNIX'] as const;
export const SOCK_TYPES = ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW'] as const;
/** Protocol names with their IANA numbers; IPPROTO_IP (0) means "the default for this type". */
export const IPPROTO = {
  IPPROTO_IP: 0,
  IPPROTO_ICMP: 1,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_ICMPV6: 58,
  IPPROTO_RAW: 255,
} as const;
export const PROTOCOLS = Object.keys(IPPROTO) as [keyof typeof IPPROTO, ...(keyof typeof IPPROTO)[]];

export const Domain = z.enum(DOMAINS);
export const SockType = z.enum(SOCK_TYPES);
export const Protocol = z.enum(PROTOCOLS);
export type Domain = z.infer<typeof Domain>;
export type SockType = z.infer<typeof SockType>;
export type Protocol = z.infer<typeof Protocol>;

/** A descriptor number as the lab hands them out (3 and up, like a fresh C process). */
export const Fd = z.number().int().min(0).max(1_000_000);
/**
 * A socket's identity in its lab: 1, 2, 3, ... in creation order, never handed out again (not
 * even after a reset). Descriptor numbers are reused as in C, so history (packet ties, the
 * ladder, the call log, transcripts, exercise roles) is keyed by this; the fd is its label.
 */
export const SocketId = z.number().int().min(1);
export type SocketId = z.infer<typeof SocketId>;
export const Port = z
  .number({ error: 'a port must be a number' })
  .int('a port must be a whole number')
  .min(0, 'a port is at least 0')
  .max(65535, 'a port is at most 65535 (it is a 16-bit number)');
/**
 * Bytes, as raw bytes everywhere the contract goes: in process, and over Electron IPC (structured
 * clone copies a Uint8Array as it is). Only web mode's JSON frames need text; its codec
 * (`encodeFrame`/`decodeFrame` in wire.ts) turns bytes into base64 there and back, so neither
 * the lab nor the renderer ever encodes a payload.
 */
export const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'data must be bytes (a Uint8Array)' });
/** Largest payload accepted in one send/sendto call from the UI or a scenario (16 MiB). */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Bytes of at most `max` bytes; `what` names them in the refusal. */
export function boundedBytes(max: number, what: string) {
  const shown = max % (1024 * 1024) === 0 ? `${max / (1024 * 1024)} MiB` : `${max} bytes`;
  return Bytes.refine((bytes) => bytes.byteLength <= max, `${what} holds at most ${shown}`);
}
/** The payload of one send/sendto: at most 16 MiB, the contract's own limit. */
export const Payload = boundedBytes(MAX_PAYLOAD_BYTES, 'the payload of one call');

export const InetAddr = z.object({
  family: z.literal('AF_INET'),
  address: cString(64, 'an address'),
  port: Port,
});
export const Inet6Addr = z.object({
  family: z.literal('AF_INET6'),
  address: cString(128, 'an address'),
  port: Port,
  /** Interface index for link-local addresses (sin6_scope_id). */
  scopeId: z.number().int().min(0).optional(),
});
export const UnixAddr = z.object({
  family: z.literal('AF_UNIX'),
  /** A filesystem path; sun_path holds 108 bytes, one of them the terminating NUL. */
  path: cString(4096, 'a Unix socket path'),
});
export const SockAddr = z.discriminatedUnion('family', [InetAddr, Inet6Addr, UnixAddr]);
export type InetAddr = z.infer<typeof InetAddr>;
export type Inet6Addr = z.infer<typeof Inet6Addr>;
export type UnixAddr = z.infer<typeof UnixAddr>;
export type SockAddr = z.infer<typeof SockAddr>;

export const SOCKET_STATES = [
  'created', // socket() returned, nothing else yet
  'bound', // bind() succeeded (for TCP the OS binds at listen/connect: see docs/fidelity.md)
  'listening',
  'connecting', // blocked in connect(), or non-blocking connect in progress
  'connected', // established (accepted or connected); see shutRd/shutWr/peerClosed
  'closed', // close() returned; the descriptor is free
] as const;
export const SocketState = z.enum(SOCKET_STATES);
export type SocketState = z.infer<typeof SocketState>;

export const SHUT_HOW = ['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR'] as const;
export const ShutHow = z.enum(SHUT_HOW);
export type ShutHow = z.infer<typeof ShutHow>;

/** 'send' blocks while the kernel's send buffer is full (a stream whose peer does not read). */
export const BLOCKING_CALLS = ['accept', 'recv', 'recvfrom', 'connect', 'send'] as const;
export const BlockingCall = z.enum(BLOCKING_CALLS);
export type BlockingCall = z.infer<typeof BlockingCall>;

/** Socket options the lab supports, with the level C puts them at. */
export const SOCKET_OPTIONS = {
  SO_REUSEADDR: 'SOL_SOCKET',
  SO_BROADCAST: 'SOL_SOCKET',
  SO_KEEPALIVE: 'SOL_SOCKET',
  SO_RCVBUF: 'SOL_SOCKET',
  SO_SNDBUF: 'SOL_SOCKET',
  SO_LINGER: 'SOL_SOCKET',
  TCP_NODELAY: 'IPPROTO_TCP',
  IP_TTL: 'IPPROTO_IP',
  IP_MULTICAST_TTL: 'IPPROTO_IP',
  IP_ADD_MEMBERSHIP: 'IPPROTO_IP',
  IP_DROP_MEMBERSHIP: 'IPPROTO_IP',
  IP_HDRINCL: 'IPPROTO_IP',
  /** Hop limit of unicast IPv6 packets (IPv6's IP_TTL). */
  IPV6_UNICAST_HOPS: 'IPPROTO_IPV6',
  /** Offset of the checksum a raw IPv6 socket computes (-1: none); fixed at 2 on ICMPv6 sockets. */
  IPV6_CHECKSUM: 'IPPROTO_IPV6',
} as const;
export type SocketOption = keyof typeof SOCKET_OPTIONS;
export const SocketOption = z.enum(Object.keys(SOCKET_OPTIONS) as [SocketOption, ...SocketOption[]]);
export const OptionLevel = z.enum(['SOL_SOCKET', 'IPPROTO_TCP', 'IPPROTO_IP', 'IPPROTO_IPV6']);

/** An option value: int/bool options take a number, SO_LINGER a struct, memberships an ip_mreq. */
export const OptionValue = z.union([
  z.number().int(),
  z.object({ onoff: z.boolean(), linger: z.number().int().min(0).max(65535) }),
  z.object({ multiaddr: cString(64, 'multiaddr'), interface: cString(64, 'interface').default('0.0.0.0') }),
]);
export type OptionValue = z.infer<typeof OptionValue>;

/** Message flags accepted by send/recv/sendto/recvfrom. */
export const MsgFlag = z.enum(['MSG_PEEK', 'MSG_DONTWAIT', 'MSG_WAITALL', 'MSG_NOSIGNAL']);
export type MsgFlag = z.infer<typeof MsgFlag>;

export const ErrnoName = z.enum(ERRNO_NAMES);

/** A failed call: what C gives as -1 and errno, plus a sentence about this call in particular. */
export const CallError = z.object({
  ok: z.literal(false),
  ret: z.literal(-1),
  errno: ErrnoName,
  /** Linux errno number. */
  code: z.number().int(),
  message: z.string(),
  /** The lab's sentence about this call as a key with parameters, for the UI's language (see lab-text.ts). */
  text: LabTextSchema.optional(),
  /** Id of the call-log record (0 when the call never reached the lab, e.g. invalid input). */
  callId: z.number().int(),
  /** Set when the failure is a SockLab bug, not an answer the OS gave (see internalRefusal). */
  internal: z.literal(true).optional(),
});
export type CallError = z.infer<typeof CallError>;

/** A successful call with extra fields (the accepted peer, the bytes read, ...). */
export function callOk<T extends z.ZodRawShape>(extra: T) {
  return z.object({
    ok: z.literal(true),
    ret: z.number().int(),
    callId: z.number().int(),
    /** Where the lab's effect differs from C's (see docs/fidelity.md), said for this call. */
    note: z.string().optional(),
    ...extra,
  });
}
/** The C-shaped answer of a BSD call: a return value with extras, or -1 with errno. */
export function callResult<T extends z.ZodRawShape>(extra: T) {
  return z.discriminatedUnion('ok', [callOk(extra), CallError]);
}

export const Counters = z.object({
  bytesSent: z.number(),
  bytesReceived: z.number(),
  sendCalls: z.number(),
  recvCalls: z.number(),
  datagramsSent: z.number(),
  datagramsReceived: z.number(),
});
export type Counters = z.infer<typeof Counters>;

/** Everything the UI shows about one socket. */
export const SocketInfo = z.object({
  /** This socket's lab-wide identity; `fd` is the descriptor number it has while open. */
  socketId: SocketId,
  fd: Fd,
  domain: Domain,
  type: SockType,
  protocol: Protocol,
  state: SocketState,
  local: SockAddr.nullable(),
  peer: SockAddr.nullable(),
  nonblocking: z.boolean(),
  /** Options set with setsockopt, by name. */
  options: z.record(z.string(), OptionValue),
  backlog: z.number().int().nullable(),
  /** Connections the kernel completed that accept() has not taken yet (listening sockets). */
  acceptQueue: z.array(z.object({ peer: SockAddr.nullable(), since: z.number() })),
  /** Bytes (or datagrams' bytes) received by the lab and not yet returned by recv(). */
  bytesWaiting: z.number().int(),
  datagramsWaiting: z.number().int(),
  shutRd: z.boolean(),
  shutWr: z.boolean(),
  /** The peer's FIN arrived: recv() returns 0 once the buffer is drained. */
  peerClosed: z.boolean(),
  /** An error the OS reported asynchronously, returned by the next call (SO_ERROR). */
  pendingError: ErrnoName.nullable(),
  blockedIn: BlockingCall.nullable(),
  counters: Counters,
  /** Set for sockets returned by accept(): the listening socket's descriptor. */
  acceptedFrom: Fd.nullable(),
  /** Set for sockets returned by accept(): the listening socket's identity. */
  acceptedFromId: SocketId.nullable(),
  /** TCP state inferred from captured packets (filled by the flows layer when capturing). */
  tcpState: z.string().nullable(),
  createdAtUs: z.number(),
  /** The lab-network host the socket lives on (see net.ts); absent or null: this machine. */
  host: z.string().max(16).nullable().optional(),
});
export type SocketInfo = z.infer<typeof SocketInfo>;

export const CALL_NAMES = [
  'socket',
  'bind',
  'listen',
  'accept',
  'connect',
  'send',
  'recv',
  'sendto',
  'recvfrom',
  'shutdown',
  'close',
  'getsockname',
  'getpeername',
  'setsockopt',
  'getsockopt',
  'fcntl',
] as const;
export const CallName = z.enum(CALL_NAMES);
export type CallName = z.infer<typeof CallName>;

/**
 * One entry of the call log. Times are microseconds: `monoUs` on CLOCK_MONOTONIC (the clock
 * `process.hrtime` reads, shared by every process on the machine, so packets stamped by the
 * capture process compare directly) and `wallUs` since the Unix epoch.
 */
export const CallRecord = z.object({
  id: z.number().int(),
  fd: Fd.nullable(),
  /** The socket the call acted on (null for socket(), and for a descriptor that was not open). */
  socketId: SocketId.nullable(),
  /** socket() and accept(): the socket the call made (its descriptor is `ret`), once it returned. */
  newSocketId: SocketId.nullable(),
  call: CallName,
  /** The arguments as given, with payload bytes summarised (length and a short preview). */
  args: z.record(z.string(), z.unknown()),
  startMonoUs: z.number(),
  startWallUs: z.number(),
  endMonoUs: z.number().nullable(),
  durationUs: z.number().nullable(),
  /** null while the call is still blocked. */
  ret: z.number().int().nullable(),
  errno: ErrnoName.nullable(),
  message: z.string().nullable(),
  /** The lab-network host the call ran on (see net.ts); absent or null: this machine. */
  host: z.string().max(16).nullable().optional(),
});
export type CallRecord = z.infer<typeof CallRecord>;

export const TranscriptEntry = z.object({
  socketId: SocketId,
  fd: Fd,
  direction: z.enum(['out', 'in']),
  data: Bytes,
  /** Total bytes of the original chunk (data may be a truncated preview for huge chunks). */
  length: z.number().int(),
  /** For datagrams: the other side's address. */
  addr: SockAddr.nullable(),
  callId: z.number().int(),
  monoUs: z.number(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** One echo reply of a ping run (raw.ping's replies and the 'ping.reply' event). */
export const PingReply = z.object({
  /** The echo identifier of the run: tells concurrent pings apart. */
  identifier: z.number().int().min(0).max(0xffff),
  sequence: z.number().int().min(0).max(0xffff),
  /** Round trip in microseconds, sendto() to recvfrom() returning. */
  rttUs: z.number(),
  /** IPv4 TTL of the reply; null over ICMPv6 (the hop limit is not in what recvfrom returns). */
  ttl: z.number().int().nullable(),
  /** ICMP message bytes (header + payload), as ping prints "64 bytes from ...". */
  bytes: z.number().int(),
  from: z.string(),
  /** A second reply to the same request (ping's "DUP!"), not counted in the statistics. */
  duplicate: z.boolean(),
});
export type PingReply = z.infer<typeof PingReply>;
