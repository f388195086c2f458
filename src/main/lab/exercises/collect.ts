/**
 * Gathering evidence from a running lab through `invoke` only: the call log, the sockets (with a
 * cache of what the lab last showed of each, so closed sockets keep their last state), and the
 * held packets decoded into field values (cached by frame, so live re-checks stay cheap).
 */
import type { LabApi } from '@shared/api';
import type { PacketRow } from '@shared/capture';
import type { CallRecord } from '@shared/socket';
import { fieldValues } from '../dissect';
import type { ExerciseMark } from '@shared/exercise';
import { monoUs } from '../context';
import {
  rememberInfos,
  sinceMark,
  socketsFromCalls,
  type Evidence,
  type EvidencePacket,
  type EvidenceSocket,
  type InfoCache,
} from './evidence';

/** Most packets decoded for one evaluation: a lab exercise needs far fewer. */
export const MAX_EVIDENCE_PACKETS = 5000;

/** Caches that persist between evaluations of one lab. */
export interface EvidenceCache {
  infos: InfoCache;
  /** Decoded fields by `${no}@${tsUs}` (frame numbers restart after capture.clear). */
  fields: Map<string, Record<string, string[]>>;
}

export function createEvidenceCache(): EvidenceCache {
  return { infos: new Map(), fields: new Map() };
}

/** The whole call log (the lab keeps at most callLogLimit records). */
export async function readCalls(lab: LabApi): Promise<CallRecord[]> {
  const calls: CallRecord[] = [];
  for (;;) {
    const answer = await lab.invoke('lab.calls', { sinceId: calls.at(-1)?.id ?? 0, limit: 10_000 });
    if (!answer.ok || answer.value.length === 0) return calls;
    calls.push(...answer.value);
    if (answer.value.length < 10_000) return calls;
  }
}

/** Asks the lab for its sockets now and remembers what it shows. */
export async function observeSockets(lab: LabApi, cache: EvidenceCache): Promise<void> {
  const answer = await lab.invoke('lab.sockets', {});
  if (answer.ok) rememberInfos(cache.infos, answer.value);
}

/**
 * A display filter keeping only packets that can concern the lab's sockets: TCP/UDP on their
 * ports, and ICMP (which quotes UDP/TCP headers). Other programs' loopback traffic is left out,
 * so it neither costs a decode nor disturbs a check.
 */
export function relevantFilter(sockets: readonly EvidenceSocket[], calls: readonly CallRecord[] = []): string {
  const ports = new Set<number>();
  const add = (address: unknown) => {
    const port = typeof address === 'object' && address !== null ? (address as { port?: unknown }).port : undefined;
    if (typeof port === 'number' && port > 0) ports.add(port);
  };
  for (const socket of sockets) [socket.info?.local, socket.info?.peer].forEach(add);
  // Sockets closed before the lab showed them still left their ports in the call log.
  for (const call of calls) add(call.args.address);
  const list = [...ports].sort((a, b) => a - b).join(' ');
  return ports.size === 0 ? 'icmp || icmpv6' : `tcp.port in {${list}} || udp.port in {${list}} || icmp || icmpv6`;
}

/** Every held packet passing `filter`, waiting for the lab to finish slicing. */
async function readRows(lab: LabApi, filter: string): Promise<{ rows: PacketRow[]; problem: string | null }> {
  const rows: PacketRow[] = [];
  for (let guard = 0; guard < 1000 && rows.length < MAX_EVIDENCE_PACKETS; guard++) {
    const answer = await lab.invoke('capture.rows', { offset: rows.length, limit: 5000, filter });
    if (!answer.ok) return { rows, problem: answer.message };
    rows.push(...answer.value.rows);
    if (answer.value.rows.length === 0 && answer.value.pending === 0) break;
    if (answer.value.rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { rows: rows.slice(0, MAX_EVIDENCE_PACKETS), problem: null };
}

async function readPackets(
  lab: LabApi,
  cache: EvidenceCache,
  filter: string,
): Promise<{ packets: EvidencePacket[]; problem: string | null }> {
  const status = await lab.invoke('capture.status', {});
  if (!status.ok) return { packets: [], problem: status.message };
  const { rows, problem } = await readRows(lab, filter);
  const linkType = status.value.linkType;
  if (linkType === null) return { packets: [], problem: problem ?? status.value.error ?? 'the capture has not started' };
  const packets: EvidencePacket[] = [];
  for (const row of rows) {
    const key = `${row.no}@${row.tsUs}`;
    let fields = cache.fields.get(key);
    if (!fields) {
      const detail = await lab.invoke('capture.packet', { no: row.no });
      if (!detail.ok) continue; // evicted from the ring store meanwhile
      fields = Object.fromEntries(fieldValues(detail.value.data, linkType, { number: row.no }));
      cache.fields.set(key, fields);
    }
    packets.push({ row, fields });
  }
  return { packets, problem: problem ?? status.value.error };
}

/**
 * A snapshot of the lab as evidence, since `mark` when given (what came before is left out);
 * `roles` is filled by the caller (grader or live area). TCP_INFO histories are read only when
 * `withTcpInfo` (some check asks for them): they are the biggest part to copy.
 */
export async function collectEvidence(
  lab: LabApi,
  cache: EvidenceCache,
  mark: ExerciseMark | null = null,
  withTcpInfo = false,
): Promise<Evidence> {
  const all = await readCalls(lab);
  await observeSockets(lab, cache);
  const { calls, sockets } = sinceMark(
    { calls: all, sockets: socketsFromCalls(all, cache.infos), packets: [], roles: {}, captureProblem: null },
    mark,
  );
  if (withTcpInfo) await readTcpInfo(lab, sockets, mark);
  const { packets, problem } = await readPackets(lab, cache, relevantFilter(sockets, calls));
  return sinceMark({ calls, sockets, packets, roles: {}, captureProblem: problem }, mark);
}

/** Fills each TCP socket's TCP_INFO samples (since the mark); closed sockets keep theirs in the lab for a while. */
async function readTcpInfo(lab: LabApi, sockets: readonly EvidenceSocket[], mark: ExerciseMark | null): Promise<void> {
  for (const socket of sockets) {
    if (socket.type !== 'SOCK_STREAM' || socket.domain === 'AF_UNIX') continue;
    const answer = await lab.invoke('socket.tcpInfo', { socketId: socket.socketId, history: true });
    if (!answer.ok) continue; // forgotten by the lab: no samples is what the check will say
    socket.tcpInfo = answer.value.history.filter((sample) => mark === null || sample.atUs >= mark.monoUs);
    const now = answer.value.now;
    if (now && socket.tcpInfo.at(-1)?.atUs !== now.atUs) socket.tcpInfo.push(now);
  }
}

/** Where an exercise begins now: the newest call's id and the monotonic clock (see ExerciseMark). */
export async function markNow(lab: LabApi): Promise<ExerciseMark> {
  return markAfter(await readCalls(lab));
}

/** The mark just after these calls (the whole log, oldest first). */
export function markAfter(calls: readonly CallRecord[]): ExerciseMark {
  return { callId: calls.at(-1)?.id ?? 0, monoUs: monoUs() };
}
