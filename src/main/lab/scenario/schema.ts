/**
 * The scenario file format, as zod schemas. A scenario is a list of steps: BSD calls on named
 * sockets, plus a few runner steps (sleep, wait, await, cancel). Values that depend on earlier
 * results are written as templates (`"127.0.0.1:${server.port}"`) or `{ ref: server.port }` and
 * resolved when the step runs; the lab itself validates the resolved call, as it would a UI call.
 * Documented with examples in docs/scenarios.md.
 */
import { z } from 'zod';
import { Domain, MsgFlag, OptionLevel, Protocol, ShutHow, SockType, SocketOption } from '@shared/socket';
import { isErrnoName } from '@shared/errno';
import { HostName, HostSpec, LinkRule, LinkSettings } from '@shared/net';
import { TcpInfoMatch } from '@shared/tcpinfo';

/** Longest a single step may wait (timeouts, sleeps, waits): a scenario never hangs for long. */
export const MAX_STEP_MS = 60_000;
/** Per-step timeout when neither the step nor the scenario sets one. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** recv/recvfrom read at most this much when the step gives no maxBytes. */
export const DEFAULT_MAX_BYTES = 65_536;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const Name = z.string().regex(NAME_RE, 'a name starts with a letter or _ and holds only letters, digits, _ and - (for example "server")');

/** `{ ref: "server.port" }`: the value at that path, used as is (a number, an address object...). */
export const Ref = z.strictObject({ ref: z.string().min(1, 'ref needs a path such as "server.port"') });
export type Ref = z.infer<typeof Ref>;

/** A number, or a template/ref that resolves to one when the step runs. */
const NumberArg = z.union([z.number(), z.string(), Ref], {
  error: 'expected a number, a "${name.field}" template or { ref: name.field }',
});
export type NumberArg = z.infer<typeof NumberArg>;

const Millis = z
  .number({ error: 'expected a number of milliseconds' })
  .int('milliseconds must be a whole number')
  .min(1, 'at least 1 ms')
  .max(MAX_STEP_MS, `at most ${MAX_STEP_MS} ms`);

/** An address: "127.0.0.1:8080", "[::1]:0", "unix:/tmp/x.sock", a ref, or the object form. */
export const AddressArg = z.union(
  [
    z.string(),
    Ref,
    z.strictObject({
      family: Domain,
      address: z.string().optional(),
      port: NumberArg.optional(),
      scopeId: NumberArg.optional(),
      path: z.string().optional(),
    }),
  ],
  { error: 'expected an address such as "127.0.0.1:8080", "[::1]:0", "unix:/tmp/x.sock" or { family, address, port }' },
);
export type AddressArg = z.infer<typeof AddressArg>;

/** What a result is compared with. Numbers match exactly; strings like ">0" or "!=-1" compare. */
const NumberMatch = z.union([z.number(), z.string()], { error: 'expected a number or a comparison such as ">0"' });
export type NumberMatch = z.infer<typeof NumberMatch>;

const ErrnoMatch = z.string().refine(isErrnoName, {
  error: (issue) => `"${String(issue.input)}" is not an errno name SockLab knows (for example EADDRINUSE, ECONNREFUSED, EAGAIN)`,
});

/** An expected address: like AddressArg, with "*" allowed for the port ("127.0.0.1:*"). */
const AddressMatch = z.union([z.string(), Ref, z.null(), z.looseObject({})], {
  error: 'expected an address such as "127.0.0.1:*" or { address: 127.0.0.1 }',
});
export type AddressMatch = z.infer<typeof AddressMatch>;

export const Expect = z.strictObject({
  /** true: the call must succeed; false: it must fail (any errno). */
  ok: z.boolean().optional(),
  ret: NumberMatch.optional(),
  errno: ErrnoMatch.optional(),
  /** Received bytes as text (escapes \r \n \t \0 \\ \xHH), or as hex. */
  data: z.string().optional(),
  dataHex: z.string().optional(),
  /**
   * Received bytes at an offset, as hex: for packets where only some bytes are fixed (a raw
   * socket's ICMP type after a 20-byte IPv4 header: { offset: 20, hex: "00" }).
   */
  dataHexAt: z.strictObject({ offset: z.number().int().min(0).max(65535), hex: z.string() }).optional(),
  /** accept's peer, recvfrom's sender, getsockname/getpeername's address. */
  peer: AddressMatch.optional(),
  from: AddressMatch.optional(),
  address: AddressMatch.optional(),
  /** getsockopt's value (a number, or the fields of a struct). */
  value: z.union([z.number(), z.looseObject({})]).optional(),
  /** fcntl: whether O_NONBLOCK is set. */
  nonblock: z.boolean().optional(),
  /** true: the call must still be blocked when the step's timeout ends (it is then cancelled). */
  timeout: z.boolean().optional(),
  /** cancel steps: whether a blocked call was interrupted. */
  cancelled: z.boolean().optional(),
});
export type Expect = z.infer<typeof Expect>;

/** Fields every step may have. */
const common = {
  id: Name.optional(),
  /** A sentence for the reader: why this step is here. Printed, never interpreted. */
  note: z.string().optional(),
  timeoutMs: Millis.optional(),
  expect: Expect.optional(),
};
/** Fields of calls that act on an existing socket: by name (`sock`) or by raw number (`fd`). */
const onSocket = { ...common, sock: Name.optional(), fd: NumberArg.optional(), background: z.boolean().optional() };
const payload = {
  data: z.string().optional(),
  dataHex: z.string().optional(),
  /** Sends data repeated this many times (to fill buffers without writing it out). */
  repeat: z
    .number()
    .int()
    .min(1)
    .max(16 * 1024 * 1024)
    .optional(),
  flags: z.array(MsgFlag).optional(),
};

export const CALL_STEP_SCHEMAS = {
  socket: z.strictObject({
    ...common,
    call: z.literal('socket'),
    domain: Domain,
    type: SockType,
    protocol: Protocol.optional(),
    /** A host of the scenario's lab network ("A", "B"); absent: this machine. */
    host: HostName.optional(),
    as: Name.optional(),
  }),
  bind: z.strictObject({ ...onSocket, call: z.literal('bind'), address: AddressArg }),
  listen: z.strictObject({ ...onSocket, call: z.literal('listen'), backlog: NumberArg.optional() }),
  accept: z.strictObject({ ...onSocket, call: z.literal('accept'), as: Name.optional() }),
  connect: z.strictObject({ ...onSocket, call: z.literal('connect'), address: AddressArg }),
  send: z.strictObject({ ...onSocket, ...payload, call: z.literal('send') }),
  recv: z.strictObject({ ...onSocket, call: z.literal('recv'), maxBytes: NumberArg.optional(), flags: z.array(MsgFlag).optional() }),
  sendto: z.strictObject({ ...onSocket, ...payload, call: z.literal('sendto'), address: AddressArg.optional() }),
  recvfrom: z.strictObject({
    ...onSocket,
    call: z.literal('recvfrom'),
    maxBytes: NumberArg.optional(),
    flags: z.array(MsgFlag).optional(),
  }),
  shutdown: z.strictObject({ ...onSocket, call: z.literal('shutdown'), how: ShutHow }),
  close: z.strictObject({ ...onSocket, call: z.literal('close') }),
  getsockname: z.strictObject({ ...onSocket, call: z.literal('getsockname') }),
  getpeername: z.strictObject({ ...onSocket, call: z.literal('getpeername') }),
  setsockopt: z.strictObject({
    ...onSocket,
    call: z.literal('setsockopt'),
    option: SocketOption,
    level: OptionLevel.optional(),
    value: z.union([z.number(), z.boolean(), z.string(), Ref, z.looseObject({})]),
  }),
  getsockopt: z.strictObject({ ...onSocket, call: z.literal('getsockopt'), option: SocketOption, level: OptionLevel.optional() }),
  fcntl: z.strictObject({ ...onSocket, call: z.literal('fcntl'), nonblock: z.boolean().optional() }),
} as const;

export type CallStepName = keyof typeof CALL_STEP_SCHEMAS;
export type CallStep = z.infer<(typeof CALL_STEP_SCHEMAS)[CallStepName]>;

/** Socket fields a wait step can watch; numbers compare, the rest match exactly. */
export const WAIT_FIELDS = [
  'state',
  'bytesWaiting',
  'datagramsWaiting',
  'acceptQueue',
  'peerClosed',
  'pendingError',
  'blockedIn',
  'shutRd',
  'shutWr',
] as const;
export type WaitField = (typeof WAIT_FIELDS)[number];

export const SleepStep = z.strictObject({ id: Name.optional(), note: z.string().optional(), sleep: Millis });
export const WaitStep = z
  .strictObject({
    id: Name.optional(),
    note: z.string().optional(),
    wait: Name,
    until: z.partialRecord(z.enum(WAIT_FIELDS), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
    /** Conditions on the kernel's view of a TCP socket (getsockopt TCP_INFO), e.g. { state: ESTABLISHED, total_retrans: ">0" }. */
    tcpInfo: TcpInfoMatch.optional(),
    timeoutMs: Millis.optional(),
  })
  .refine(
    (step) => Object.keys(step.until ?? {}).length + Object.keys(step.tcpInfo ?? {}).length > 0,
    'until needs at least one condition, for example { bytesWaiting: ">0" } (or tcpInfo: { state: ESTABLISHED })',
  );
export const AwaitStep = z.strictObject({ id: Name.optional(), note: z.string().optional(), await: Name });
export const CancelStep = z.strictObject({
  id: Name.optional(),
  note: z.string().optional(),
  cancel: Name,
  expect: Expect.pick({ cancelled: true }).strict().optional(),
});
/** Changes the lab network's link mid-scenario (settings, and the scripted rules when given). */
export const LinkStep = z.strictObject({
  id: Name.optional(),
  note: z.string().optional(),
  link: LinkSettings.partial(),
  rules: z.array(LinkRule).max(64).optional(),
});
export type LinkStep = z.infer<typeof LinkStep>;
export type SleepStep = z.infer<typeof SleepStep>;
export type WaitStep = z.infer<typeof WaitStep>;
export type AwaitStep = z.infer<typeof AwaitStep>;
export type CancelStep = z.infer<typeof CancelStep>;

export type Step = CallStep | SleepStep | WaitStep | AwaitStep | CancelStep | LinkStep;
export type StepKind = 'call' | 'sleep' | 'wait' | 'await' | 'cancel' | 'link';

/** Privileges a scenario may need; runners skip it (and say why) when they are missing. */
export const Requirement = z.enum(['raw', 'capture']);
export type Requirement = z.infer<typeof Requirement>;

/** A scenario's lab network: the hosts (default A and B), the link, and scripted rules. */
export const NetworkDecl = z.strictObject({
  hosts: z.array(HostSpec).min(1).max(8).optional(),
  link: LinkSettings.partial().optional(),
  rules: z.array(LinkRule).max(64).optional(),
});
export type NetworkDecl = z.infer<typeof NetworkDecl>;

/** Everything but the steps, which are validated one by one for clearer messages (load.ts). */
export const ScenarioHeader = z.strictObject({
  name: z.string().min(1, 'name cannot be empty'),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  requires: z.array(Requirement).optional(),
  /** Default per-step timeout in ms (5000 when absent). */
  timeoutMs: Millis.optional(),
  /** A lab network to run on (hosts, link, scripted rules): created before the first step. */
  network: NetworkDecl.optional(),
  steps: z.array(z.unknown()).min(1, 'a scenario needs at least one step'),
});

export interface Scenario {
  name: string;
  description?: string;
  tags: string[];
  requires: Requirement[];
  timeoutMs: number;
  network?: NetworkDecl;
  steps: Step[];
}
