/**
 * The evidence checks are evaluated on: the call log, every socket the log shows (with the last
 * state the lab reported for it), captured packets with their field values, and which socket
 * plays which role. Sockets are known by their lab-wide identity (CallRecord.socketId and
 * newSocketId), never by descriptor number: numbers are reused, and a role must keep meaning the
 * socket the student made. Plain data, so the same snapshot serves grading and the live panel.
 */
import type { PacketRow } from '@shared/capture';
import type { Exercise, ExerciseMark, RoleSpec } from '@shared/exercise';
import type { CallRecord, Domain, SockType, SocketInfo, SocketState } from '@shared/socket';
import type { TcpInfoSample } from '@shared/tcpinfo';

/** One socket's life: from the socket()/accept() that made it to the close() that ended it. */
export interface EvidenceSocket {
  /** Lab-wide identity (SocketInfo.socketId). */
  socketId: number;
  /** The descriptor it had (a label). */
  fd: number;
  /** Call-log id of the socket() or accept() that made it. */
  createdBy: number;
  /** Call-log id of the successful close(), or null while it is open. */
  closedBy: number | null;
  domain: Domain | null;
  type: SockType | null;
  /** For accepted sockets: the listening socket's identity. */
  acceptedFrom: number | null;
  /** The last state the lab reported (before close, for closed sockets), or null if never seen. */
  info: SocketInfo | null;
  /** States the socket went through, from its calls and the lab's reports, in order. */
  statesSeen: SocketState[];
  /** The kernel's view over time (TCP_INFO samples, oldest first); filled only for checks that ask. */
  tcpInfo: TcpInfoSample[];
}

export interface EvidencePacket {
  row: PacketRow;
  /** Field values by Wireshark name, as the dissector gives them (fieldValues). */
  fields: Record<string, string[]>;
}

export interface Evidence {
  calls: CallRecord[];
  sockets: EvidenceSocket[];
  packets: EvidencePacket[];
  /** Role name → the socket's identity, or null when no socket plays it. */
  roles: Record<string, number | null>;
  /** Set when packets could not be captured, to say so in packet checks. */
  captureProblem: string | null;
}

/** Last known SocketInfo per socket identity. */
export type InfoCache = Map<number, SocketInfo>;

/** Records what `lab.sockets` answered into the cache. */
export function rememberInfos(cache: InfoCache, infos: readonly SocketInfo[]): void {
  for (const info of infos) cache.set(info.socketId, info);
}

/**
 * What happened since `mark` (exercise.begin): later calls, the sockets they made, packets
 * captured after it. Sockets and packets from before the exercise cannot pass its checks.
 */
export function sinceMark(evidence: Evidence, mark: ExerciseMark | null): Evidence {
  if (mark === null) return evidence;
  return {
    ...evidence,
    calls: evidence.calls.filter((call) => call.id > mark.callId),
    sockets: evidence.sockets.filter((socket) => socket.createdBy > mark.callId),
    packets: evidence.packets.filter((packet) => packet.row.monoUs >= mark.monoUs),
  };
}

const STATE_AFTER: Partial<Record<CallRecord['call'], SocketState>> = {
  bind: 'bound',
  listen: 'listening',
  connect: 'connected',
  close: 'closed',
};

/** Every socket life the call log shows, with its states and last known info. */
export function socketsFromCalls(calls: readonly CallRecord[], cache: InfoCache): EvidenceSocket[] {
  const sockets: EvidenceSocket[] = [];
  const byId = new Map<number, EvidenceSocket>();
  for (const call of calls) {
    if ((call.call === 'socket' || call.call === 'accept') && call.newSocketId !== null && call.ret !== null && call.ret >= 0) {
      const listener = call.call === 'accept' && call.socketId !== null ? byId.get(call.socketId) : undefined;
      const socket: EvidenceSocket = {
        socketId: call.newSocketId,
        fd: call.ret,
        createdBy: call.id,
        closedBy: null,
        domain: call.call === 'socket' ? (call.args.domain as Domain) : (listener?.domain ?? null),
        type: call.call === 'socket' ? (call.args.type as SockType) : (listener?.type ?? null),
        acceptedFrom: call.call === 'accept' ? call.socketId : null,
        info: cache.get(call.newSocketId) ?? null,
        statesSeen: [call.call === 'socket' ? 'created' : 'connected'],
        tcpInfo: [],
      };
      sockets.push(socket);
      byId.set(socket.socketId, socket);
      continue;
    }
    const socket = call.socketId === null ? undefined : byId.get(call.socketId);
    if (!socket) continue;
    if (call.call === 'connect' && call.ret === null) addState(socket, 'connecting');
    const state = call.ret === 0 ? STATE_AFTER[call.call] : undefined;
    // connect() on a datagram socket only fixes the destination; the lab still says connected.
    if (state) addState(socket, state);
    if (call.call === 'close' && call.ret === 0) socket.closedBy = call.id;
  }
  for (const socket of sockets) {
    if (socket.info && socket.closedBy === null) addState(socket, socket.info.state);
  }
  return sockets;
}

function addState(socket: EvidenceSocket, state: SocketState): void {
  if (socket.statesSeen.at(-1) !== state) socket.statesSeen.push(state);
}

/** The calls made on one socket (its creating call included). */
export function callsOf(calls: readonly CallRecord[], socket: EvidenceSocket): CallRecord[] {
  return calls.filter((call) => call.id === socket.createdBy || (call.socketId === socket.socketId && call.call !== 'socket'));
}

/**
 * Binds each role of the exercise to a socket: explicit choices first (role → socket id, among
 * the sockets given), then, for the rest, the first socket that fits the role's hints and plays
 * no other role.
 */
export function inferRoles(
  exercise: Pick<Exercise, 'roles'>,
  calls: readonly CallRecord[],
  sockets: readonly EvidenceSocket[],
  chosen: Record<string, number | null> = {},
): Record<string, number | null> {
  const roles: Record<string, number | null> = {};
  const taken = new Set<number>();
  for (const [role, socketId] of Object.entries(chosen)) {
    if (socketId !== null && Object.hasOwn(exercise.roles, role) && sockets.some((socket) => socket.socketId === socketId)) {
      roles[role] = socketId;
      taken.add(socketId);
    }
  }
  for (const [role, spec] of Object.entries(exercise.roles)) {
    if (role in roles) continue;
    const fit = sockets.find((socket) => !taken.has(socket.socketId) && fits(spec, socket, calls, roles));
    roles[role] = fit?.socketId ?? null;
    if (fit) taken.add(fit.socketId);
  }
  return roles;
}

function fits(spec: RoleSpec, socket: EvidenceSocket, calls: readonly CallRecord[], roles: Record<string, number | null>): boolean {
  if (spec.domain && socket.domain !== spec.domain) return false;
  if (spec.type && socket.type !== spec.type) return false;
  if (spec.acceptedFrom && (socket.acceptedFrom === null || socket.acceptedFrom !== roles[spec.acceptedFrom])) return false;
  if (spec.made && !callsOf(calls, socket).some((call) => call.call === spec.made && call.ret !== null && call.ret >= 0)) return false;
  return true;
}

/** Role → the socket bound to it (identity, descriptor label, still open), for the answer. */
export function roleBindings(evidence: Evidence): Record<string, { socketId: number; fd: number; open: boolean } | null> {
  return Object.fromEntries(
    Object.entries(evidence.roles).map(([role, socketId]) => {
      const socket = evidence.sockets.find((s) => s.socketId === socketId);
      return [role, socket ? { socketId: socket.socketId, fd: socket.fd, open: socket.closedBy === null } : null];
    }),
  );
}
