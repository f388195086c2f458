/**
 * The socket table: every open lab socket, the sockets closed since the last "Clear closed"
 * (kept, greyed, so close()'s result and their transcript stay readable), the selected one,
 * and the "new socket" action.
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

/** Closed sockets kept at most; the oldest go first. */
export const CLOSED_KEPT = 200;

export const useSocketsStore = defineStore('sockets', () => {
  const api = useLabApi();
  /** Sorted by descriptor, as `ls /proc/self/fd` would list them (one socket per descriptor). */
  const sockets = shallowRef<readonly SocketInfo[]>([]);
  /** The selected socket's identity. */
  const selectedId = ref<number | null>(null);
  const lastCreate = shallowRef<RouteOutput<'socket.socket'> | null>(null);
  /** Closed sockets, oldest first, each as its last snapshot with state 'closed'. */
  const closed = shallowRef<readonly SocketInfo[]>([]);
  /** The table's rows in order: the open sockets, then the closed ones. */
  const rows = computed<readonly SocketInfo[]>(() => (closed.value.length === 0 ? sockets.value : [...sockets.value, ...closed.value]));

  const byId = computed(() => new Map(rows.value.map((s) => [s.socketId, s])));
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

  /**
   * A socket was closed: it leaves the open sockets and joins the closed ones (the selection
   * stays on it, so close()'s own result shows). `last` is its final snapshot, when one came.
   */
  function remove(socketId: number, last: SocketInfo | null = null): void {
    const list = sockets.value;
    const index = list.findIndex((s) => s.socketId === socketId);
    if (index === -1) return;
    sockets.value = list.slice(0, index).concat(list.slice(index + 1));
    const kept: SocketInfo = { ...(last ?? list[index]!), state: 'closed', blockedIn: null };
    const next = [...closed.value, kept];
    closed.value = next.length > CLOSED_KEPT ? next.slice(-CLOSED_KEPT) : next;
  }

  /** Forgets the closed sockets ("Clear closed"); returns their identities. */
  function clearClosed(): number[] {
    const ids = closed.value.map((s) => s.socketId);
    closed.value = [];
    if (selectedId.value !== null && ids.includes(selectedId.value)) selectedId.value = sockets.value[0]?.socketId ?? null;
    return ids;
  }

  function isClosed(socketId: number): boolean {
    return closed.value.some((s) => s.socketId === socketId);
  }

  function select(socketId: number | null): void {
    selectedId.value = socketId;
  }

  /** Moves the selection by `delta` rows (keyboard navigation in the table). */
  function selectRelative(delta: number): void {
    const list = rows.value;
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

  return {
    sockets,
    closed,
    rows,
    selectedId,
    selectedFd,
    selected,
    byId,
    lastCreate,
    setAll,
    upsert,
    remove,
    clearClosed,
    isClosed,
    select,
    selectRelative,
    create,
  };
});
