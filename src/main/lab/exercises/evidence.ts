/**
 * The evidence checks are evaluated on: the call log, every socket the log shows (with the last
 * state the lab reported for it), captured packets with their field values, and which socket
 * plays which role. Plain data, so the same snapshot serves grading and the live panel.
 */
import type { PacketRow } from '@shared/capture';
import type { Exercise, RoleSpec } from '@shared/exercise';
import type { CallRecord, Domain, SockType, SocketInfo, SocketState } from '@shared/socket';

/** One socket's life: from the socket()/accept() that made it to the close() that ended it. */
export interface EvidenceSocket {
  fd: number;
  /** Call-log id of the socket() or accept() that returned this descriptor. */
  createdBy: number;
  /** Call-log id of the successful close(), or null while it is open. */
  closedBy: number | null;
  domain: Domain | null;
  type: SockType | null;
  /** For accepted sockets: the listening socket's createdBy. */
  acceptedFrom: number | null;
  /** The last state the lab reported (before close, for closed sockets), or null if never seen. */
  info: SocketInfo | null;
  /** States the socket went through, from its calls and the lab's reports, in order. */
  statesSeen: SocketState[];
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
  /** Role name → the socket's createdBy id, or null when no socket plays it. */
  roles: Record<string, number | null>;
  /** Set when packets could not be captured, to say so in packet checks. */
  captureProblem: string | null;
}

/** Last known SocketInfo per socket life, keyed by `${fd}@${createdBy}`. */
export type InfoCache = Map<string, SocketInfo>;

/** Records what `lab.sockets` answered into the cache, attributing each info to its socket life. */
export function rememberInfos(cache: InfoCache, calls: readonly CallRecord[], infos: readonly SocketInfo[]): void {
  for (const info of infos) {
    const created = latestCreation(calls, info.fd);
    if (created !== null) cache.set(`${info.fd}@${created}`, info);
  }
}

function latestCreation(calls: readonly CallRecord[], fd: number): number | null {
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i];
    if ((call.call === 'socket' || call.call === 'accept') && call.ret === fd) return call.id;
  }
  return null;
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
  const open = new Map<number, EvidenceSocket>();
  for (const call of calls) {
    if ((call.call === 'socket' || call.call === 'accept') && call.ret !== null && call.ret >= 0) {
      const listener = call.call === 'accept' && call.fd !== null ? open.get(call.fd) : undefined;
      const socket: EvidenceSocket = {
        fd: call.ret,
        createdBy: call.id,
        closedBy: null,
        domain: call.call === 'socket' ? (call.args.domain as Domain) : (listener?.domain ?? null),
        type: call.call === 'socket' ? (call.args.type as SockType) : (listener?.type ?? null),
        acceptedFrom: listener?.createdBy ?? null,
        info: cache.get(`${call.ret}@${call.id}`) ?? null,
        statesSeen: [call.call === 'socket' ? 'created' : 'connected'],
      };
      sockets.push(socket);
      open.set(call.ret, socket);
      continue;
    }
    const socket = call.fd === null ? undefined : open.get(call.fd);
    if (!socket) continue;
    if (call.call === 'connect' && call.ret === null) addState(socket, 'connecting');
    const state = call.ret === 0 ? STATE_AFTER[call.call] : undefined;
    // connect() on a datagram socket only fixes the destination; the lab still says connected.
    if (state) addState(socket, state);
    if (call.call === 'close' && call.ret === 0) {
      socket.closedBy = call.id;
      open.delete(socket.fd);
    }
  }
  for (const socket of sockets) {
    if (socket.info && socket.closedBy === null) addState(socket, socket.info.state);
  }
  return sockets;
}

function addState(socket: EvidenceSocket, state: SocketState): void {
  if (socket.statesSeen.at(-1) !== state) socket.statesSeen.push(state);
}

/** The calls made on one socket life (its creating call included). */
export function callsOf(calls: readonly CallRecord[], socket: EvidenceSocket): CallRecord[] {
  return calls.filter(
    (call) =>
      call.id === socket.createdBy ||
      (call.fd === socket.fd && call.id > socket.createdBy && (socket.closedBy === null || call.id <= socket.closedBy)),
  );
}

/**
 * Binds each role of the exercise to a socket: explicit choices first (role → createdBy id),
 * then, for the rest, the first socket that fits the role's hints and plays no other role.
 */
export function inferRoles(
  exercise: Pick<Exercise, 'roles'>,
  calls: readonly CallRecord[],
  sockets: readonly EvidenceSocket[],
  chosen: Record<string, number | null> = {},
): Record<string, number | null> {
  const roles: Record<string, number | null> = {};
  const taken = new Set<number>();
  for (const [role, createdBy] of Object.entries(chosen)) {
    if (createdBy !== null && Object.hasOwn(exercise.roles, role)) {
      roles[role] = createdBy;
      taken.add(createdBy);
    }
  }
  for (const [role, spec] of Object.entries(exercise.roles)) {
    if (role in roles) continue;
    const fit = sockets.find((socket) => !taken.has(socket.createdBy) && fits(spec, socket, calls, roles));
    roles[role] = fit?.createdBy ?? null;
    if (fit) taken.add(fit.createdBy);
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

/** Role bindings given as descriptors (the UI's choice): the latest socket life with that fd. */
export function rolesFromFds(sockets: readonly EvidenceSocket[], fds: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(fds).map(([role, fd]) => [role, sockets.filter((socket) => socket.fd === fd).at(-1)?.createdBy ?? null]),
  );
}
