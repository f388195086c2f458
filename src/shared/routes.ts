/**
 * The route catalogue: every request the UI can make of the lab, named `area.verb`, with the
 * schema of its input and of its output. Transports register exactly these routes; the lab
 * validates every input against them again before acting.
 */
import { z } from 'zod';
import {
  Bytes,
  CallRecord,
  Domain,
  ErrnoName,
  Fd,
  MsgFlag,
  OptionLevel,
  OptionValue,
  Payload,
  PingReply,
  Protocol,
  ShutHow,
  SockAddr,
  SockType,
  SocketId,
  SocketInfo,
  SocketOption,
  TranscriptEntry,
  boundedBytes,
  callResult,
} from './socket';
import { ERRNO } from './errno';
import { captureRoutes } from './capture';
import { exerciseRoutes } from './exercise';
import { PrivilegePlan } from './privileges';
import { HostName, netRoutes } from './net';
import { tcpInfoRoutes } from './tcpinfo';
import { defineRoute, result } from './route';
import { cString } from './c-string';

const fdOnly = z.object({ fd: Fd });
const maxBytes = z
  .number()
  .int('maxBytes must be a whole number')
  .min(0, 'maxBytes cannot be negative')
  .max(16 * 1024 * 1024, 'maxBytes is at most 16 MiB in the lab');
const flags = z.array(MsgFlag).max(4).default([]);

export const socketRoutes = {
  'socket.socket': defineRoute(
    z.object({
      domain: Domain,
      type: SockType,
      protocol: Protocol.default('IPPROTO_IP'),
      /** A lab-network host ("A", "B", see net.ts) to make the socket on; null: this machine. */
      host: HostName.nullable().default(null),
    }),
    /** ret is the descriptor; socketId the new socket's lab-wide identity. */
    callResult({ socketId: SocketId }),
  ),
  'socket.bind': defineRoute(z.object({ fd: Fd, address: SockAddr }), callResult({})),
  'socket.listen': defineRoute(z.object({ fd: Fd, backlog: z.number().int().min(0).max(65535).default(128) }), callResult({})),
  'socket.accept': defineRoute(fdOnly, callResult({ peer: SockAddr.nullable(), socketId: SocketId })),
  'socket.connect': defineRoute(z.object({ fd: Fd, address: SockAddr }), callResult({})),
  'socket.send': defineRoute(z.object({ fd: Fd, data: Payload, flags }), callResult({})),
  'socket.recv': defineRoute(z.object({ fd: Fd, maxBytes, flags }), callResult({ data: Bytes })),
  'socket.sendto': defineRoute(z.object({ fd: Fd, data: Payload, address: SockAddr.nullable().default(null), flags }), callResult({})),
  'socket.recvfrom': defineRoute(z.object({ fd: Fd, maxBytes, flags }), callResult({ data: Bytes, from: SockAddr.nullable() })),
  'socket.shutdown': defineRoute(z.object({ fd: Fd, how: ShutHow }), callResult({})),
  'socket.close': defineRoute(fdOnly, callResult({})),
  'socket.getsockname': defineRoute(fdOnly, callResult({ address: SockAddr.nullable() })),
  'socket.getpeername': defineRoute(fdOnly, callResult({ address: SockAddr.nullable() })),
  'socket.setsockopt': defineRoute(
    z.object({ fd: Fd, level: OptionLevel.optional(), option: SocketOption, value: OptionValue }),
    callResult({}),
  ),
  'socket.getsockopt': defineRoute(
    z.object({ fd: Fd, level: OptionLevel.optional(), option: SocketOption }),
    callResult({ value: OptionValue }),
  ),
  /** fcntl(fd, F_SETFL, O_NONBLOCK) when nonblock is given, else F_GETFL; ret is the flags. */
  'socket.fcntl': defineRoute(
    z.object({ fd: Fd, cmd: z.enum(['F_GETFL', 'F_SETFL']), nonblock: z.boolean().optional() }),
    callResult({ nonblock: z.boolean() }),
  ),
  /** Interrupts the call a socket is blocked in; that call returns -1 EINTR. */
  'socket.cancel': defineRoute(fdOnly, result(z.object({ cancelled: z.boolean() }))),
} as const;

export const labRoutes = {
  'lab.sockets': defineRoute(z.object({}), result(z.array(SocketInfo))),
  'lab.calls': defineRoute(
    z.object({ sinceId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(10_000).default(1000) }),
    result(z.array(CallRecord)),
  ),
  /** A socket's transcript, open or recently closed (by identity: its fd may be reused). */
  'lab.transcript': defineRoute(
    z.object({ socketId: SocketId, limit: z.number().int().min(1).max(100_000).default(1000) }),
    result(z.array(TranscriptEntry)),
  ),
  /** Closes every socket and clears logs: a fresh lab. */
  'lab.reset': defineRoute(z.object({}), result(z.object({ closed: z.number().int() }))),
  'lab.info': defineRoute(
    z.object({}),
    result(
      z.object({
        version: z.string(),
        mode: z.enum(['electron', 'web', 'headless']),
        platform: z.string(),
        /** What this machine lets SockLab do, and the least-privilege command for the rest. */
        privileges: PrivilegePlan,
        /** The lab directory for AF_UNIX socket paths (relative names resolve there). */
        unixDir: z.string().optional(),
      }),
    ),
  ),
} as const;

const RawFamily = z.enum(['AF_INET', 'AF_INET6']);
const wholeNumber = (name: string, min: number, max: number) =>
  z.number().int(`${name} must be a whole number`).min(min, `${name} is at least ${min}`).max(max, `${name} is at most ${max}`);

/** Raw sockets beyond the BSD calls: the ping view and the ICMP builder (see docs/raw-sockets.md). */
export const rawRoutes = {
  /** ping over a real raw socket: count echo requests intervalMs apart; needs CAP_NET_RAW (EPERM). */
  'raw.ping': defineRoute(
    z.object({
      family: RawFamily.default('AF_INET'),
      /** A numeric address (127.0.0.1, ::1): no name resolution, as ping -n. */
      target: cString(128, 'target'),
      count: wholeNumber('count', 1, 100).default(4),
      intervalMs: wholeNumber('intervalMs', 10, 60_000).default(1000),
      /** How long a reply may take before that request counts as lost. */
      timeoutMs: wholeNumber('timeoutMs', 1, 60_000).default(1000),
      /** Bytes after the 8-byte echo header (ping's default is 56). */
      payloadSize: wholeNumber('payloadSize', 0, 65_000).default(56),
    }),
    result(
      z.object({
        target: z.string(),
        identifier: z.number().int(),
        transmitted: z.number().int(),
        received: z.number().int(),
        /** 0-100. */
        lossPercent: z.number(),
        /** Microseconds; null when no reply came. */
        rtt: z.object({ min: z.number(), avg: z.number(), max: z.number(), mdev: z.number() }).nullable(),
        replies: z.array(PingReply),
        /** Requests sendto() refused (ping's "+N errors"). */
        errors: z.array(z.object({ sequence: z.number().int(), errno: ErrnoName, message: z.string() })),
      }),
    ),
  ),
  /** Builds an ICMP echo-style message; the checksum is computed (ICMPv6: 0, the kernel fills it). */
  'raw.buildIcmp': defineRoute(
    z.object({
      family: RawFamily.default('AF_INET'),
      type: wholeNumber('type', 0, 255),
      code: wholeNumber('code', 0, 255).default(0),
      identifier: wholeNumber('identifier', 0, 0xffff).default(0),
      sequence: wholeNumber('sequence', 0, 0xffff).default(0),
      payload: boundedBytes(65_000, 'payload').default(() => new Uint8Array(0)),
    }),
    result(z.object({ data: Bytes, checksum: z.number().int() })),
  ),
} as const;

export const routes = {
  ...socketRoutes,
  ...labRoutes,
  ...rawRoutes,
  ...captureRoutes,
  ...exerciseRoutes,
  ...netRoutes,
  ...tcpInfoRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteInput<N extends RouteName> = z.input<Routes[N]['input']>;
export type ParsedInput<N extends RouteName> = z.output<Routes[N]['input']>;
export type RouteOutput<N extends RouteName> = z.output<Routes[N]['output']>;
export const ROUTE_NAMES = Object.keys(routes) as RouteName[];

/** Whether a string names a route in the catalogue. */
export function isRouteName(name: string): name is RouteName {
  return Object.hasOwn(routes, name);
}

/** The result when input fails its schema: EINVAL, with a sentence naming the bad field. */
export function invalidInput(route: string, error: z.ZodError) {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return {
    errno: 'EINVAL' as const,
    code: ERRNO.EINVAL.code,
    message: `Invalid argument to ${route}: ${where}${issue?.message ?? 'malformed request'}`,
  };
}
