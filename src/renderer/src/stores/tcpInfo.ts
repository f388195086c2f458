/**
 * The kernel's view of the lab's TCP sockets (TCP_INFO samples): each socket's recent history,
 * filled by 'tcpinfo.samples' events and seeded from `socket.tcpInfo` when a socket is shown.
 * Bounded: TCP_INFO_HISTORY samples per socket, the last MAX_SOCKETS sockets.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { TCP_INFO_HISTORY, type TcpInfoSample } from '@shared/tcpinfo';
import { useLabApi } from '@renderer/api/inject';

const MAX_SOCKETS = 64;

export const useTcpInfoStore = defineStore('tcpInfo', () => {
  const api = useLabApi();
  /** Samples by socket identity, oldest first; replaced (not mutated) on each change. */
  const histories = shallowRef<ReadonlyMap<number, readonly TcpInfoSample[]>>(new Map());
  /** The last failure of socket.tcpInfo by socket (ENOPROTOOPT, EBADF), shown instead of a panel. */
  const failures = shallowRef<ReadonlyMap<number, string>>(new Map());
  let off: (() => void) | null = null;

  function add(samples: readonly TcpInfoSample[]): void {
    const next = new Map(histories.value);
    for (const sample of samples) {
      const list = [...(next.get(sample.socketId) ?? [])];
      if (list.length > 0 && list[list.length - 1].atUs >= sample.atUs) continue; // already have it
      list.push(sample);
      next.delete(sample.socketId); // re-insert: Map order is recency
      next.set(sample.socketId, list.length > TCP_INFO_HISTORY ? list.slice(-TCP_INFO_HISTORY) : list);
    }
    while (next.size > MAX_SOCKETS) next.delete(next.keys().next().value as number);
    histories.value = next;
  }

  /** Subscribes to the samples once. */
  function start(): void {
    if (!off) off = api.on('tcpinfo.samples', ({ samples }) => add(samples));
  }

  /** Loads a socket's kept history and a fresh sample (when the panel first shows it). */
  async function load(socketId: number): Promise<void> {
    start();
    const answer = await api.invoke('socket.tcpInfo', { socketId, history: true });
    const failed = new Map(failures.value);
    if (answer.ok) {
      failed.delete(socketId);
      const known = histories.value.get(socketId) ?? [];
      const last = known[known.length - 1]?.atUs ?? -1;
      const fresh = [...answer.value.history, ...(answer.value.now ? [answer.value.now] : [])].filter((s) => s.atUs > last);
      add(fresh);
    } else failed.set(socketId, `${answer.errno}: ${answer.message}`);
    failures.value = failed;
  }

  function history(socketId: number): readonly TcpInfoSample[] {
    return histories.value.get(socketId) ?? [];
  }

  function latest(socketId: number): TcpInfoSample | null {
    const list = history(socketId);
    return list[list.length - 1] ?? null;
  }

  function stop(): void {
    off?.();
    off = null;
  }

  return { histories, failures, start, stop, load, history, latest };
});
