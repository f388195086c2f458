/**
 * The socket table: every open lab socket, the selected one, and the "new socket" action.
 * Sockets are known by their lab-wide identity (`socketId`): a descriptor number handed out again
 * is another socket, so selection, marks and history never follow the number. Snapshots arrive
 * whole (`socket.changed`), so the list lives in a `shallowRef` and is replaced, never deeply
 * observed: 1000 sockets cost one array, not 1000 proxies.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Domain, Protocol, SockType, SocketInfo } from '@shared/socket';
import type { RouteOutput } from '@shared/api';
import { useLabApi } from '@renderer/api/inject';

export const useSocketsStore = defineStore('sockets', () => {
  const api = useLabApi();
  /** Sorted by descriptor, as `ls /proc/self/fd` would list them (one socket per descriptor). */
  const sockets = shallowRef<readonly SocketInfo[]>([]);
  /** The selected socket's identity. */
  const selectedId = ref<number | null>(null);
  const lastCreate = shallowRef<RouteOutput<'socket.socket'> | null>(null);

  const byId = computed(() => new Map(sockets.value.map((s) => [s.socketId, s])));
  const selected = computed(() => (selectedId.value === null ? null : (byId.value.get(selectedId.value) ?? null)));
  /** The selected socket's descriptor: its label in the UI. */
  const selectedFd = computed(() => selected.value?.fd ?? null);

  /** Replaces the whole table (initial load). */
  function setAll(list: readonly SocketInfo[]): void {
    sockets.value = [...list].sort((a, b) => a.fd - b.fd);
    if (selected.value === null) selectedId.value = sockets.value[0]?.socketId ?? null;
  }

  /**
   * Inserts or replaces one snapshot, keeping descriptor order. A snapshot of a new socket on a
   * descriptor still listed replaces the old socket there: its removal is on the way.
   */
  function upsert(info: SocketInfo): void {
    const replaced = sockets.value.find((s) => s.fd === info.fd && s.socketId !== info.socketId);
    // The selection never follows a number to another socket.
    if (replaced && replaced.socketId === selectedId.value) selectedId.value = null;
    const next = sockets.value.filter((s) => s.socketId !== info.socketId && s.fd !== info.fd);
    const index = next.findIndex((s) => s.fd > info.fd);
    if (index === -1) next.push(info);
    else next.splice(index, 0, info);
    sockets.value = next;
  }

  /** Drops a closed socket; the selection moves to a neighbour so the panel stays useful. */
  function remove(socketId: number): void {
    const list = sockets.value;
    const index = list.findIndex((s) => s.socketId === socketId);
    if (index === -1) return;
    const next = list.slice(0, index).concat(list.slice(index + 1));
    sockets.value = next;
    if (selectedId.value === socketId) selectedId.value = (next[index] ?? next[index - 1])?.socketId ?? null;
  }

  function select(socketId: number | null): void {
    selectedId.value = socketId;
  }

  /** Moves the selection by `delta` rows (keyboard navigation in the table). */
  function selectRelative(delta: number): void {
    const list = sockets.value;
    if (list.length === 0) return;
    const current = list.findIndex((s) => s.socketId === selectedId.value);
    const next = Math.min(list.length - 1, Math.max(0, current === -1 ? 0 : current + delta));
    selectedId.value = list[next]!.socketId;
  }

  /**
   * socket(domain, type, protocol) on this machine, or on lab-network host `host`; on success
   * the new descriptor is selected.
   */
  async function create(
    domain: Domain,
    type: SockType,
    protocol: Protocol,
    host: string | null = null,
  ): Promise<RouteOutput<'socket.socket'>> {
    const result = await api.invoke('socket.socket', host === null ? { domain, type, protocol } : { domain, type, protocol, host });
    lastCreate.value = result;
    if (result.ok) selectedId.value = result.socketId;
    return result;
  }

  return { sockets, selectedId, selectedFd, selected, byId, lastCreate, setAll, upsert, remove, select, selectRelative, create };
});
