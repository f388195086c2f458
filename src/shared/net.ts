/**
 * The lab network contract: a private network of hosts (each its own Linux network namespace)
 * joined by one link that SockLab carries frame by frame in user space, so it can delay, drop,
 * duplicate, reorder, rate-limit or hold any frame while the real kernel TCP/IP stacks react.
 * See docs/lab-network.md.
 *
 * Sockets are made on a host with `socket.socket { host: "A" }`; their descriptors are numbered
 * from NET_FD_BASE so they never collide with this machine's, and every socket route with such a
 * descriptor goes to the lab network's engine process. Captures on "link:A" / "link:B" show the
 * link as seen from that host's end, with no privileges.
 */
import { z } from 'zod';
import { defineRoute, result } from './route';

/** Descriptors of sockets on lab-network hosts start here (this machine's start at 3). */
export const NET_FD_BASE = 1000;
/** Call-log ids of calls made on lab-network hosts start here (this machine's start at 1). */
export const NET_CALL_ID_BASE = 1_000_000_000;
/** Socket identities in the engine start here too, so a host's socket never shares one with this machine's. */
export const NET_SOCKET_ID_BASE = 1_000_000_000;
/** Capture interface names of the link: `link:A` is the link as host A's end sees it. */
export const LINK_IFACE_PREFIX = 'link:';
/**
 * Whether a capture interface belongs to the lab network: an end of the link ("link:A") or a
 * host's own device ("A:eth0", "A:lo", captured with libpcap inside that host's namespace).
 */
export function isNetInterface(name: string): boolean {
  return name.startsWith(LINK_IFACE_PREFIX) || /^[A-Z][A-Za-z0-9]{0,7}:[a-z0-9]+$/.test(name);
}

/** Most hosts one lab network may have. */
export const MAX_HOSTS = 8;

/** A host's name: a capital letter, then up to 7 letters or digits ("A", "B", "Server1"). */
export const HostName = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]{0,7}$/, 'a host name is a capital letter followed by up to 7 letters or digits');
export type HostName = z.infer<typeof HostName>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** A host as asked for: its name and its addresses on the link. */
export const HostSpec = z.object({
  name: HostName,
  ipv4: z.string().regex(IPV4, 'ipv4 must be a dotted IPv4 address like 10.0.0.1'),
  prefix4: z.number().int().min(8).max(30).default(24),
  ipv6: z
    .string()
    .max(64)
    .regex(/^[0-9a-fA-F:]+$/, 'ipv6 must be an IPv6 address like fd00::1'),
  prefix6: z.number().int().min(8).max(128).default(64),
});
export type HostSpec = z.infer<typeof HostSpec>;

/** The two hosts a network gets when none are named. */
export const DEFAULT_HOSTS: HostSpec[] = [
  { name: 'A', ipv4: '10.0.0.1', prefix4: 24, ipv6: 'fd00::1', prefix6: 64 },
  { name: 'B', ipv4: '10.0.0.2', prefix4: 24, ipv6: 'fd00::2', prefix6: 64 },
];

/** A host as it is: its interface (eth0, one end of a veth pair the engine carries) and addresses. */
export const HostInfo = HostSpec.extend({
  ifname: z.string(),
  mac: z.string(),
  ifindex: z.number().int(),
});
export type HostInfo = z.infer<typeof HostInfo>;

const percent = (name: string) => z.number().min(0, `${name} is at least 0`).max(100, `${name} is at most 100`);
const millis = (name: string) => z.number().min(0, `${name} is at least 0 ms`).max(60_000, `${name} is at most 60000 ms`);

/**
 * What the link does to every frame, in each direction alike (delay is one-way: a round trip
 * takes twice). Changeable at any time; frames already on the link keep their fate.
 */
export const LinkSettings = z.object({
  delayMs: millis('delayMs').default(0),
  /** Each frame's delay is delayMs ± up to jitterMs (uniform); jitter alone can reorder frames. */
  jitterMs: millis('jitterMs').default(0),
  lossPercent: percent('lossPercent').default(0),
  duplicatePercent: percent('duplicatePercent').default(0),
  /** Frames picked for reordering wait reorderExtraMs longer, so later frames overtake them. */
  reorderPercent: percent('reorderPercent').default(0),
  reorderExtraMs: millis('reorderExtraMs').default(10),
  /** Bandwidth in kbit/s each direction; 0 means unlimited. */
  rateKbps: z.number().int().min(0).max(10_000_000).default(0),
  /** Frames that may wait for the rate limiter per direction; one more is dropped (tail drop). */
  queueFrames: z.number().int().min(1).max(100_000).default(1000),
  /** MTU of every host's interface; the link drops frames larger than MTU + 14 (Ethernet header). */
  mtu: z.number().int().min(576).max(9000).default(1500),
});
export type LinkSettings = z.infer<typeof LinkSettings>;
export type LinkSettingsIn = z.input<typeof LinkSettings>;

export const RULE_ACTIONS = ['drop', 'hold', 'duplicate', 'delay'] as const;
/**
 * A scripted rule: the nth frame (and `count` frames from it) that matches a display filter,
 * going from one host to another, is dropped, held for step mode, duplicated or delayed.
 * "Drop the first SYN-ACK": `{ match: 'tcp.flags.syn == 1 && tcp.flags.ack == 1', nth: 1, action: 'drop' }`.
 */
export const LinkRule = z.object({
  /** Display filter (Wireshark syntax) the frame must pass; empty matches every frame. */
  match: z.string().max(1024).default(''),
  /** Only frames sent by this host (null: any). */
  from: HostName.nullable().default(null),
  /** Only frames going to this host (null: any). */
  to: HostName.nullable().default(null),
  /** Which matching frame the rule starts at (1: the first). */
  nth: z.number().int().min(1).max(1_000_000).default(1),
  /** How many matching frames from the nth the rule applies to. */
  count: z.number().int().min(1).max(1_000_000).default(1),
  action: z.enum(RULE_ACTIONS),
  /** For 'delay': the extra delay. */
  delayMs: millis('delayMs').default(0),
});
export type LinkRule = z.infer<typeof LinkRule>;
export type LinkRuleIn = z.input<typeof LinkRule>;

/** Link counters since the network was created (both directions together). */
export const LinkCounters = z.object({
  /** Frames that entered the link. */
  frames: z.number().int(),
  bytes: z.number().int(),
  /** Frames written out to their destination (duplicates included). */
  passed: z.number().int(),
  /** Frames dropped, all causes; the causes follow. */
  dropped: z.number().int(),
  droppedLoss: z.number().int(),
  droppedRule: z.number().int(),
  /** Tail drops: the rate limiter's queue was full. */
  droppedQueue: z.number().int(),
  /** Larger than the link MTU. */
  droppedTooBig: z.number().int(),
  /** Dropped by the person in step mode. */
  droppedStep: z.number().int(),
  /**
   * Frames a host sent that never entered the link: the engine did not read them in time and
   * the kernel's buffer for them overflowed (a heavily loaded machine). Counted in `dropped`.
   */
  droppedOverrun: z.number().int(),
  /** Frames that waited on the link (delay, jitter, rate, reorder, rule) before going on. */
  delayed: z.number().int(),
  duplicated: z.number().int(),
  reordered: z.number().int(),
  /** Frames on the link right now (waiting to go out). */
  queued: z.number().int(),
  /** Frames held for step mode right now. */
  held: z.number().int(),
});
export type LinkCounters = z.infer<typeof LinkCounters>;

/** Where the lab network stands; `error` and `fix` say why it cannot run and what to do. */
export const NetInfo = z.object({
  state: z.enum(['off', 'starting', 'up', 'failed']),
  hosts: z.array(HostInfo),
  link: LinkSettings,
  rules: z.array(LinkRule),
  /** Step mode: every frame waits on the link until the person decides its fate. */
  step: z.boolean(),
  counters: LinkCounters,
  error: z.string().nullable(),
  /** The command that makes lab networks possible on this machine, when they are refused. */
  fix: z.string().nullable(),
  /** The engine process (it holds the hosts' namespaces; killing it removes them all). */
  enginePid: z.number().int().nullable(),
});
export type NetInfo = z.infer<typeof NetInfo>;

/** Every link counter at zero: a new link, or no network at all. */
export function emptyCounters(): LinkCounters {
  return Object.fromEntries(Object.keys(LinkCounters.shape).map((name) => [name, 0])) as LinkCounters;
}

/** The network's state when there is none (before net.create, or after it failed). */
export function offNetInfo(patch: Partial<NetInfo> = {}): NetInfo {
  return {
    state: 'off',
    hosts: [],
    link: LinkSettings.parse({}),
    rules: [],
    step: false,
    counters: emptyCounters(),
    error: null,
    fix: null,
    enginePid: null,
    ...patch,
  };
}

/** A frame waiting on the link in step mode (or held by a rule), decoded. */
export const HeldFrame = z.object({
  id: z.number().int(),
  from: HostName,
  /** null: a broadcast or multicast frame (ARP request, neighbour solicitation), to every host. */
  to: HostName.nullable(),
  /** When it entered the link, CLOCK_MONOTONIC µs (compares with call-log times). */
  monoUs: z.number(),
  len: z.number().int(),
  protocol: z.string(),
  src: z.string(),
  dst: z.string(),
  info: z.string(),
  /** The lab socket that sent it and the call that caused it, where the ties know. */
  fd: z.number().int().nullable(),
  callId: z.number().int().nullable(),
});
export type HeldFrame = z.infer<typeof HeldFrame>;

export const STEP_ACTIONS = ['deliver', 'drop', 'duplicate', 'delay'] as const;

export const netRoutes = {
  /** Creates the lab network (default hosts A and B); EPERM with the reason and fix where refused. */
  'net.create': defineRoute(
    z.object({
      hosts: z.array(HostSpec).min(1).max(MAX_HOSTS).optional(),
      link: LinkSettings.partial().default({}),
      rules: z.array(LinkRule).max(64).default([]),
      step: z.boolean().default(false),
    }),
    result(NetInfo),
  ),
  /** Ends the network: its sockets, hosts, devices and engine process are gone. */
  'net.destroy': defineRoute(z.object({}), result(z.object({ destroyed: z.boolean() }))),
  'net.info': defineRoute(z.object({}), result(NetInfo)),
  /** Changes the link while traffic flows; `rules` replaces the scripted rules when given. */
  'net.link.set': defineRoute(
    z.object({ link: LinkSettings.partial().default({}), rules: z.array(LinkRule).max(64).optional() }),
    result(NetInfo),
  ),
  /** Step mode on or off; turning it off delivers every frame still held. */
  'net.step.mode': defineRoute(z.object({ on: z.boolean() }), result(NetInfo)),
  /** The frames waiting on the link, oldest first. */
  'net.step.list': defineRoute(z.object({}), result(z.array(HeldFrame))),
  /** Decides one held frame's fate (or every held frame's, with id null, oldest first). */
  'net.step.act': defineRoute(
    z.object({
      id: z.number().int().min(0).nullable(),
      action: z.enum(STEP_ACTIONS),
      /** For 'delay': how long it stays on the link before delivery. */
      delayMs: millis('delayMs').default(0),
    }),
    result(z.object({ acted: z.number().int() })),
  ),
} as const;

export const netEvents = {
  /** The network's state, settings or counters changed (counters at most 4 times a second). */
  'net.changed': NetInfo,
  /** A frame started waiting on the link (step mode, or a 'hold' rule). */
  'net.frame.held': HeldFrame,
  /** A held frame's fate was decided. */
  'net.frame.released': z.object({ id: z.number().int(), action: z.enum(STEP_ACTIONS) }),
} as const;
