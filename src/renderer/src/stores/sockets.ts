/**
 * The socket table: every open lab socket by descriptor, the selected one, and the "new socket"
 * action. Snapshots arrive whole (`socket.changed`), so the list lives in a `shallowRef` and is
 * replaced, never deeply observed: 1000 sockets cost one array, not 1000 proxies.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Domain, Protocol, SockType, SocketInfo } from '@shared/socket';
import type { RouteOutput } from '@shared/api';
import { useLabApi } from '@renderer/api/inject';

export const useSocketsStore = defineStore('sockets', () => {
  const api = useLabApi();
  /** Sorted by descriptor, as `ls /proc/self/fd` would list them. */
  const sockets = shallowRef<readonly SocketInfo[]>([]);
  const selectedFd = ref<number | null>(null);
  const lastCreate = shallowRef<RouteOutput<'socket.socket'> | null>(null);

  const byFd = computed(() => new Map(sockets.value.map((s) => [s.fd, s])));
  const selected = computed(() => (selectedFd.value === null ? null : (byFd.value.get(selectedFd.value) ?? null)));

  /** Replaces the whole table (initial load). */
  function setAll(list: readonly SocketInfo[]): void {
    sockets.value = [...list].sort((a, b) => a.fd - b.fd);
    if (selectedFd.value === null && sockets.value.length > 0) selectedFd.value = sockets.value[0]!.fd;
  }

  /** Inserts or replaces one snapshot, keeping descriptor order. */
  function upsert(info: SocketInfo): void {
    const list = sockets.value;
    const index = list.findIndex((s) => s.fd >= info.fd);
    const next = list.slice();
    if (index === -1) next.push(info);
    else if (list[index]!.fd === info.fd) next[index] = info;
    else next.splice(index, 0, info);
    sockets.value = next;
  }

  /** Drops a closed descriptor; the selection moves to a neighbour so the panel stays useful. */
  function remove(fd: number): void {
    const list = sockets.value;
    const index = list.findIndex((s) => s.fd === fd);
    if (index === -1) return;
    const next = list.slice(0, index).concat(list.slice(index + 1));
    sockets.value = next;
    if (selectedFd.value === fd) selectedFd.value = (next[index] ?? next[index - 1])?.fd ?? null;
  }

  function select(fd: number | null): void {
    selectedFd.value = fd;
  }

  /** Moves the selection by `delta` rows (keyboard navigation in the table). */
  function selectRelative(delta: number): void {
    const list = sockets.value;
    if (list.length === 0) return;
    const current = list.findIndex((s) => s.fd === selectedFd.value);
    const next = Math.min(list.length - 1, Math.max(0, current === -1 ? 0 : current + delta));
    selectedFd.value = list[next]!.fd;
  }

  /**
   * socket(domain, type, protocol) on this machine, or on lab-network host `host`; on success
   * the new descriptor is selected.
   */
  async function create(domain: Domain, type: SockType, protocol: Protocol, host: string | null = null): Promise<RouteOutput<'socket.socket'>> {
    const result = await api.invoke('socket.socket', host === null ? { domain, type, protocol } : { domain, type, protocol, host });
    lastCreate.value = result;
    if (result.ok) selectedFd.value = result.ret;
    return result;
  }

  return { sockets, selectedFd, selected, byFd, lastCreate, setAll, upsert, remove, select, selectRelative, create };
});
