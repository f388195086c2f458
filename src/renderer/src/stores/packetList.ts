/**
 * The packet list as a window over the lab's store: the lab holds up to a million packets, the
 * renderer holds only the rows someone looked at recently. Rows are asked for when the list
 * renders them (the visible window plus the list's overscan), a page at a time, and kept in a
 * bounded plain Map announced by one `version` counter — never a deep reactive array.
 *
 * Without a display filter or socket filter, index `i` is frame `firstNo + i`, so rows are
 * cached by frame number and live rows from `capture.packets` land in the cache directly
 * (following the end costs no request). With a filter, the lab numbers the matches; rows are
 * cached by that offset and refreshed (throttled) as packets arrive.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { CaptureStatus, PacketRow } from '@shared/capture';
import { useLabApi } from '@renderer/api/inject';
import { useSocketsStore } from './sockets';

/** Rows asked for together; the list's overscan keeps a request to a page or two. */
export const ROWS_PAGE = 64;
/** Rows kept in the renderer; older ones are dropped and fetched again if needed. */
export const ROW_CACHE_LIMIT = 20_000;
/** Least time between two refreshes of a filtered view while packets arrive. */
export const REFRESH_MS = 250;

export const usePacketListStore = defineStore('packetList', () => {
  const api = useLabApi();
  const sockets = useSocketsStore();

  /** The display filter applied to the list (the bar may hold an edited, not yet applied one). */
  const filter = ref('');
  /**
   * "Only this socket": restrict to packets of the socket selected in the workbench. It follows
   * the selection by default (selecting a socket filters the list to it) until the student
   * turns it off or on by hand.
   */
  const onlySocketChoice = ref<boolean | null>(null);
  const onlySocket = computed(() => onlySocketChoice.value ?? sockets.selectedId !== null);
  /** The socket the list is restricted to (by identity: its descriptor may be reused later). */
  const socketId = computed(() => (onlySocket.value ? sockets.selectedId : null));
  const filtered = computed(() => filter.value.trim() !== '' || socketId.value !== null);

  // Unfiltered view: the held frames are firstNo..lastNo.
  const firstNo = ref(1);
  const lastNo = ref(0);
  // Filtered view: what the lab last said.
  const filteredTotal = ref(0);
  /** Held packets the lab's filter has not examined yet (the total is still growing). */
  const pending = ref(0);
  const total = computed(() => (filtered.value ? filteredTotal.value : Math.max(0, lastNo.value - firstNo.value + 1)));
  /** Time of the first packet, the zero of the relative Time column. */
  const firstTsUs = ref<number | null>(null);
  const error = ref<string | null>(null);
  /** Bumped whenever cached rows change; rendering reads it so rows appear as they arrive. */
  const version = ref(0);

  let rows = new Map<number, PacketRow>();
  /** Rows of the previous refresh of a filtered view, shown until fresh ones arrive (no flicker). */
  let stale = new Map<number, PacketRow>();
  let generation = 0;
  const inFlight = new Set<number>();
  const wanted = new Set<number>();
  let flushQueued = false;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let lastRefresh = 0;
  /** The socket filter the cached rows were fetched with. */
  let viewSocketId: number | null = null;

  function keyOf(index: number): number {
    return filtered.value ? index : firstNo.value + index;
  }

  function remember(key: number, row: PacketRow): void {
    rows.delete(key);
    rows.set(key, row);
    if (rows.size > ROW_CACHE_LIMIT) {
      // Map order is insertion order: the first keys are the least recently stored.
      for (const old of rows.keys()) {
        rows.delete(old);
        if (rows.size <= ROW_CACHE_LIMIT * 0.9) break;
      }
    }
  }

  /** The row at list index `index`, or undefined while it loads (asking for it). */
  function rowAt(index: number): PacketRow | undefined {
    void version.value;
    if (index < 0 || index >= total.value) return undefined;
    const key = keyOf(index);
    const row = rows.get(key);
    if (row) return row;
    want(index);
    return stale.get(key);
  }

  /** Frame number at list index `index` when known without a request. */
  function noAt(index: number): number | null {
    if (!filtered.value) return index >= 0 && index < total.value ? firstNo.value + index : null;
    return rows.get(index)?.no ?? stale.get(index)?.no ?? null;
  }

  function want(index: number): void {
    wanted.add(index);
    if (flushQueued) return;
    flushQueued = true;
    // Gather every row the current render asks for, then make one request.
    queueMicrotask(() => {
      flushQueued = false;
      void flush();
    });
  }

  async function flush(): Promise<void> {
    if (wanted.size === 0) return;
    let min = Infinity;
    let max = -1;
    for (const index of wanted) {
      if (index < min) min = index;
      if (index > max) max = index;
    }
    wanted.clear();
    const firstPage = Math.floor(min / ROWS_PAGE);
    const lastPage = Math.floor(max / ROWS_PAGE);
    let start = -1;
    for (let page = firstPage; page <= lastPage + 1; page++) {
      const free = page <= lastPage && !inFlight.has(page);
      if (free && start === -1) start = page;
      if (!free && start !== -1) {
        void fetchPages(start, page - 1);
        start = -1;
      }
    }
  }

  /** Asks the lab for pages `from..to` of the current view. */
  async function fetchPages(from: number, to: number): Promise<void> {
    const asked = generation;
    for (let p = from; p <= to; p++) inFlight.add(p);
    const offset = from * ROWS_PAGE;
    const limit = Math.min(5000, (to - from + 1) * ROWS_PAGE);
    try {
      const answer = await api.invoke('capture.rows', { offset, limit, filter: filter.value, socketId: socketId.value });
      if (asked !== generation) return;
      if (!answer.ok) {
        error.value = answer.message;
        return;
      }
      error.value = null;
      take(offset, answer.value.total, answer.value.pending, answer.value.rows);
    } catch (cause) {
      if (asked === generation) error.value = cause instanceof Error ? cause.message : String(cause);
    } finally {
      if (asked === generation) for (let p = from; p <= to; p++) inFlight.delete(p);
    }
  }

  function take(offset: number, count: number, notYet: number, list: readonly PacketRow[]): void {
    if (filtered.value) {
      filteredTotal.value = count;
      pending.value = notYet;
      list.forEach((row, i) => remember(offset + i, row));
      // The lab filters in slices; ask again at once so the total grows without idle gaps.
      if (notYet > 0) scheduleRefresh(0);
    } else {
      // The lab's answer may be older or newer than the events seen so far: only move forward.
      const base = list.length > 0 ? list[0]!.no - offset : firstNo.value;
      if (base > firstNo.value) firstNo.value = base;
      if (base + count - 1 > lastNo.value) lastNo.value = base + count - 1;
      // Nothing where frames were expected: the lab holds fewer than the events said (it was
      // cleared and the status saying so is on its way). Believe it, or the list would ask again.
      if (list.length === 0 && count <= offset) lastNo.value = firstNo.value + count - 1;
      for (const row of list) remember(row.no, row);
    }
    for (const row of list) if (row.no === 1) firstTsUs.value = row.tsUs;
    version.value++;
  }

  /** Forgets every cached row and asks for the top of the view again (filter change, clear). */
  function resetView(): void {
    viewSocketId = socketId.value;
    generation++;
    rows = new Map();
    stale = new Map();
    inFlight.clear();
    wanted.clear();
    filteredTotal.value = 0;
    pending.value = 0;
    error.value = null;
    version.value++;
    void fetchPages(0, 0);
  }

  /** Re-reads a filtered view, keeping its rows on screen until the new ones arrive. */
  function refresh(): void {
    lastRefresh = Date.now();
    generation++;
    stale = rows;
    rows = new Map();
    inFlight.clear();
    version.value++;
    void fetchPages(0, 0);
  }

  function scheduleRefresh(minGap = REFRESH_MS): void {
    if (refreshTimer !== null) return;
    const wait = Math.max(0, lastRefresh + minGap - Date.now());
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, wait);
  }

  /** Empties the list (the lab's store was cleared, a capture started, a file opened). */
  function resetData(): void {
    firstNo.value = 1;
    lastNo.value = 0;
    firstTsUs.value = null;
    resetView();
  }

  /** Live rows from `capture.packets`. */
  function onPackets(list: readonly PacketRow[]): void {
    if (filtered.value) {
      scheduleRefresh();
      for (const row of list) if (row.no === 1) firstTsUs.value = row.tsUs;
      return;
    }
    for (const row of list) {
      remember(row.no, row);
      if (row.no > lastNo.value) lastNo.value = row.no;
      if (row.no === 1) firstTsUs.value = row.tsUs;
    }
    version.value++;
  }

  /** Live status: totals, evictions, and a store that started again from frame 1. */
  function onStatus(status: CaptureStatus): void {
    const newest = status.evicted + status.held;
    // Events come in order, so every frame seen so far is at most the newest held one —
    // unless the store was emptied and numbering began again.
    if (newest < lastNo.value) {
      resetData();
      if (newest === 0) return;
    }
    if (status.evicted + 1 > firstNo.value) firstNo.value = status.evicted + 1;
    if (newest > lastNo.value) lastNo.value = newest;
    if (filtered.value && status.held > 0) scheduleRefresh();
    // The lab keeps frame 1's time after frame 1 is evicted: relative times never rebase.
    if (status.firstTsUs !== null) firstTsUs.value = status.firstTsUs;
  }

  /** Applies a display filter (already checked) to the list. */
  function applyFilter(text: string): void {
    filter.value = text.trim();
    resetView();
  }

  function setOnlySocket(on: boolean): void {
    onlySocketChoice.value = on;
    resetView();
  }

  /** Called when the workbench selection changes: the socket filter may now name another socket. */
  function socketChanged(): void {
    // Also when the filter just switched itself off (the selected socket was closed).
    if (socketId.value !== viewSocketId) resetView();
  }

  // Here, not only in the filter bar: the selection may change while the Packets tab is hidden.
  watch(socketId, socketChanged);

  return {
    filter,
    onlySocket,
    socketId,
    filtered,
    total,
    pending,
    firstTsUs,
    error,
    version,
    rowAt,
    noAt,
    onPackets,
    onStatus,
    resetData,
    resetView,
    applyFilter,
    setOnlySocket,
    socketChanged,
  };
});
