/**
 * The exercise contract: what an exercise file holds (bilingual text, roles, steps, hints and
 * declarative checks), what evaluating its checks answers, and the `exercise.*` routes the app
 * uses to list exercises, read one, and check it live. Format: docs/exercises.md.
 */
import { z } from 'zod';
import { CallName, ErrnoName, Fd, SockType, Domain, SocketId, SocketState, type SocketState as SocketStateType } from './socket';
import type { ErrnoName as ErrnoNameType } from './errno';
import { defineRoute, result } from './route';
import { TcpInfoMatch } from './tcpinfo';
import { LabTextSchema } from './lab-text';

/** Text a student reads, in English and Simplified Chinese. */
export const BiText = z.strictObject({ en: z.string().min(1), zh: z.string().min(1) });
export type BiText = z.infer<typeof BiText>;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const RoleName = z.string().regex(NAME_RE, 'a role name starts with a letter or _ (for example "server")');
export const ExerciseId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an exercise id is lower-case words joined by "-"');

/** A number, or a comparison such as ">0", "!=-1", ">=${server.port}" (as in scenarios). */
export const NumberMatch = z.union([z.number(), z.string()]);
export type NumberMatch = z.infer<typeof NumberMatch>;

/**
 * A socket the exercise talks about. The student's scenario names it with `as: ROLE`; in the
 * app, where sockets have no names, the hints below pick the first socket made since the
 * exercise began that fits, and the student can choose another.
 */
export const RoleSpec = z.strictObject({
  title: BiText,
  domain: Domain.optional(),
  type: SockType.optional(),
  /** The socket made this call successfully (listen for a server, connect for a client, ...). */
  made: CallName.optional(),
  /** The socket was returned by accept() on this role's socket. */
  acceptedFrom: RoleName.optional(),
});
export type RoleSpec = z.infer<typeof RoleSpec>;

/** Which call-log records a check talks about. `args` matches the recorded arguments partially. */
export const CallMatch = z.strictObject({
  call: CallName,
  role: RoleName.optional(),
  ok: z.boolean().optional(),
  ret: NumberMatch.optional(),
  errno: ErrnoName.optional(),
  args: z.record(z.string(), z.unknown()).optional(),
});
export type CallMatch = z.infer<typeof CallMatch>;

/** Optional on every check; required (and checked) on the top-level checks of an exercise. */
interface CheckMeta {
  id?: string;
  title?: BiText;
  explain?: BiText;
}
export type Check = CheckMeta &
  (
    | {
        call: CallMatch['call'];
        role?: string;
        ok?: boolean;
        ret?: NumberMatch;
        errno?: ErrnoNameType;
        args?: Record<string, unknown>;
        after?: CallMatch;
        before?: CallMatch;
        count?: NumberMatch;
      }
    | {
        socket: string;
        /** The socket was seen in this state at some point. */
        reached?: SocketStateType;
        /** Its peer address is this role's local address. */
        peerIs?: string;
        acceptedFrom?: string;
        pendingError?: ErrnoNameType | null;
        shutWr?: boolean;
        peerClosed?: boolean;
        /** Some TCP_INFO sample of the socket (since the exercise began) met all of these at once. */
        tcpInfo?: TcpInfoMatch;
      }
    | { packets: string; count?: NumberMatch; after?: CallMatch }
    | { sequence: string[] }
    | { all: Check[] }
    | { any: Check[] }
    | { not: Check }
  );

const meta = { id: z.string().regex(NAME_RE).optional(), title: BiText.optional(), explain: BiText.optional() };
export const Check: z.ZodType<Check> = z.lazy(() =>
  z.union(
    [
      z.strictObject({
        ...meta,
        ...CallMatch.shape,
        after: CallMatch.optional(),
        before: CallMatch.optional(),
        count: NumberMatch.optional(),
      }),
      z.strictObject({
        ...meta,
        socket: RoleName,
        reached: SocketState.optional(),
        peerIs: RoleName.optional(),
        acceptedFrom: RoleName.optional(),
        pendingError: ErrnoName.nullable().optional(),
        shutWr: z.boolean().optional(),
        peerClosed: z.boolean().optional(),
        tcpInfo: TcpInfoMatch.optional(),
      }),
      z.strictObject({ ...meta, packets: z.string(), count: NumberMatch.optional(), after: CallMatch.optional() }),
      z.strictObject({ ...meta, sequence: z.array(z.string()).min(1) }),
      z.strictObject({ ...meta, all: z.array(Check).min(1) }),
      z.strictObject({ ...meta, any: z.array(Check).min(1) }),
      z.strictObject({ ...meta, not: Check }),
    ],
    { error: 'a check has exactly one of: call, socket, packets, sequence, all, any, not (with the fields that kind takes)' },
  ),
);

export const Exercise = z.strictObject({
  id: ExerciseId,
  title: BiText,
  goal: BiText,
  explanation: BiText,
  tags: z.array(z.string()).default([]),
  /** Privileges grading needs beyond capture (raw: SOCK_RAW). */
  requires: z.array(z.enum(['raw', 'capture'])).default([]),
  /** BPF filter for the capture on lo while grading. */
  capture: z.string().default('tcp or udp or icmp or icmp6'),
  roles: z.record(RoleName, RoleSpec).default({}),
  steps: z.array(BiText).min(1),
  hints: z.array(BiText).default([]),
  checks: z.array(Check).min(1),
});
export type Exercise = z.infer<typeof Exercise>;

/** A call-log record or packet a check used, for the report and the panel. */
export const CheckEvidence = z.object({
  calls: z.array(
    z.object({
      id: z.number().int(),
      fd: z.number().int().nullable(),
      socketId: SocketId.nullable(),
      call: CallName,
      ret: z.number().int().nullable(),
      errno: ErrnoName.nullable(),
    }),
  ),
  packets: z.array(z.object({ no: z.number().int(), info: z.string() })),
});
export type CheckEvidence = z.infer<typeof CheckEvidence>;

export const CheckResult = z.object({
  id: z.string(),
  title: BiText,
  explain: BiText,
  passed: z.boolean(),
  /** Why it passed or failed, in English (one sentence, naming calls, sockets or frames). */
  detail: z.string(),
  /** `detail` as a key with parameters, where it is one catalogue sentence (see lab-text.ts). */
  detailText: LabTextSchema.optional(),
  evidence: CheckEvidence,
});
export type CheckResult = z.infer<typeof CheckResult>;

export const ExerciseSummary = z.object({
  id: ExerciseId,
  title: BiText,
  goal: BiText,
  tags: z.array(z.string()),
  requires: z.array(z.string()),
});

/**
 * Where an exercise began: the last call-log id and the CLOCK_MONOTONIC time then. Calls,
 * sockets and packets from before it are not evidence (leftovers cannot pass or block a check).
 */
export const ExerciseMark = z.object({ callId: z.number().int().min(0), monoUs: z.number().min(0) });
export type ExerciseMark = z.infer<typeof ExerciseMark>;

/** The socket a role is bound to: its identity, the descriptor it has (or had), and whether it is open. */
export const RoleBinding = z.object({ socketId: SocketId, fd: Fd, open: z.boolean() });
export type RoleBinding = z.infer<typeof RoleBinding>;

/** A socket made since the exercise began: what the panel offers for each role. */
export const ExerciseSocket = z.object({
  socketId: SocketId,
  fd: Fd,
  domain: Domain.nullable(),
  type: SockType.nullable(),
  open: z.boolean(),
});
export type ExerciseSocket = z.infer<typeof ExerciseSocket>;

export const ExerciseCheckOutput = z.object({
  id: ExerciseId,
  passed: z.number().int(),
  total: z.number().int(),
  /** Which socket each role is bound to (null: no socket fits yet). */
  roles: z.record(z.string(), RoleBinding.nullable()),
  /** The sockets made since the exercise began, in creation order. */
  sockets: z.array(ExerciseSocket),
  results: z.array(CheckResult),
});
export type ExerciseCheckOutput = z.infer<typeof ExerciseCheckOutput>;

export const exerciseRoutes = {
  'exercise.list': defineRoute(z.object({}), result(z.array(ExerciseSummary))),
  'exercise.get': defineRoute(z.object({ id: ExerciseId }), result(Exercise)),
  /**
   * Marks the start of an exercise, and says what the lab holds already (open sockets, calls
   * logged) so the panel can offer a clean lab first.
   */
  'exercise.begin': defineRoute(
    z.object({}),
    result(z.object({ mark: ExerciseMark, openSockets: z.number().int(), calls: z.number().int() })),
  ),
  /**
   * Evaluates the exercise's checks on the lab's calls, sockets and captured packets now (since
   * `since`, when given). `roles` binds role names to sockets (by id) chosen in the UI; unbound
   * roles are inferred.
   */
  'exercise.check': defineRoute(
    z.object({ id: ExerciseId, roles: z.record(z.string(), SocketId).default({}), since: ExerciseMark.nullable().default(null) }),
    result(ExerciseCheckOutput),
  ),
} as const;
