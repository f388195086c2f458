/**
 * Live capture: the interface list, the capture settings typed in the toolbar, the status the
 * lab pushes (packets, bytes, rate, held, evicted, errors, the permission hint), and opening
 * and saving capture files. It subscribes to the capture events once and hands packet rows to
 * the packet list.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { MAX_FILE_CHUNK_BYTES, type CaptureInterface, type CaptureStatus } from '@shared/capture';
import { LINK_IFACE_PREFIX } from '@shared/net';
import { useLabApi } from '@renderer/api/inject';
import { downloadBytes } from '@renderer/components/packets/download';
import { exportFileName, sortInterfaces } from '@renderer/components/packets/packetFormat';
import { useLabStore } from './lab';
import { usePacketListStore } from './packetList';
import { usePacketDetailStore } from './packetDetail';
import { privilegeCommand } from '@renderer/lib/privileges';
import { labCaptureFilter, labTraffic, portsMissing } from '@renderer/lib/labFilter';
import { useSocketsStore } from './sockets';

/** What the lab reports before anything was captured. */
export const IDLE_STATUS: CaptureStatus = {
  running: false,
  iface: null,
  filter: '',
  linkType: null,
  packets: 0,
  bytes: 0,
  evicted: 0,
  held: 0,
  dropped: 0,
  ifDropped: 0,
  firstTsUs: null,
  rate: 0,
  error: null,
  permissionHint: null,
  source: null,
};

/** A file's outcome for the toolbar: how many packets, and what was wrong in it. */
export interface FileOutcome {
  name: string;
  packets: number;
  problems: string[];
  /** Opening was cancelled: the packets read until then are held. */
  cancelled: boolean;
}

export const useCaptureStore = defineStore('capture', () => {
  const api = useLabApi();
  const lab = useLabStore();
  const list = usePacketListStore();
  const detail = usePacketDetailStore();

  const status = shallowRef<CaptureStatus>(IDLE_STATUS);
  const interfaces = shallowRef<readonly CaptureInterface[]>([]);
  const iface = ref('');
  /**
   * Lab-only capture by default: the filter names the lab's own ports, follows them as sockets
   * bind and connect, and stays editable (an edit is kept until a scope is chosen again).
   * "Everything" captures the whole interface.
   */
  const scope = ref<'lab' | 'all'>('lab');
  const typedFilter = ref<string | null>(null);
  const sockets = useSocketsStore();
  const traffic = computed(() => labTraffic(sockets.sockets));
  const onLink = computed(() => iface.value.startsWith(LINK_IFACE_PREFIX));
  const labFilter = computed(() => labCaptureFilter(traffic.value));
  const captureFilter = computed<string>({
    get: () => typedFilter.value ?? (scope.value === 'lab' && !onLink.value ? labFilter.value : ''),
    set: (value) => (typedFilter.value = value),
  });
  /** The lab's ports the running capture's filter leaves out (bound after it started). */
  const missingPorts = computed(() => (status.value.running ? portsMissing(traffic.value, status.value.filter) : []));
  function setScope(value: 'lab' | 'all'): void {
    scope.value = value;
    typedFilter.value = null;
  }
  const bufferMB = ref(64);
  const busy = ref(false);
  /** The last start/stop/clear/list failure, as the lab worded it (libpcap's text included). */
  const actionError = ref<string | null>(null);
  const fileError = ref<string | null>(null);
  const fileOutcome = shallowRef<FileOutcome | null>(null);
  let unsubscribers: Array<() => void> = [];

  /** The exact command to get capture rights: the capture status's, else the lab's own. */
  const permissionHint = computed(() => status.value.permissionHint ?? privilegeCommand(lab.info?.privileges, 'hostCapture'));
  /** What to show in the error line: a failed action, else the error the capture stopped with. */
  const captureError = computed(() => actionError.value ?? status.value.error);

  function applyStatus(next: CaptureStatus): void {
    status.value = next;
    list.onStatus(next);
  }

  /** Subscribes to capture events (once) and loads the interfaces, the status and the list. */
  async function connect(): Promise<void> {
    if (unsubscribers.length > 0) return;
    unsubscribers = [api.on('capture.status', applyStatus), api.on('capture.packets', ({ rows }) => list.onPackets(rows))];
    const [, current] = await Promise.all([refreshInterfaces(), api.invoke('capture.status', {})]);
    if (current.ok) applyStatus(current.value);
    list.resetView();
  }

  /** Reloads the interface list (a lab network adds and removes its link's interfaces). */
  async function refreshInterfaces(): Promise<void> {
    const ifaces = await api.invoke('capture.interfaces', {});
    if (!ifaces.ok) {
      actionError.value = ifaces.message;
      return;
    }
    interfaces.value = sortInterfaces(ifaces.value);
    if (!interfaces.value.some((item) => item.name === iface.value)) iface.value = interfaces.value[0]?.name ?? '';
  }

  function disconnect(): void {
    for (const off of unsubscribers) off();
    unsubscribers = [];
  }

  async function act(
    run: () => Promise<{ ok: true; value: CaptureStatus } | { ok: false; message: string }>,
    fresh: boolean,
  ): Promise<boolean> {
    busy.value = true;
    try {
      const answer = await run();
      if (!answer.ok) {
        actionError.value = answer.message;
        return false;
      }
      actionError.value = null;
      if (fresh) {
        list.resetData();
        void detail.select(null);
      }
      applyStatus(answer.value);
      return true;
    } catch (cause) {
      actionError.value = cause instanceof Error ? cause.message : String(cause);
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** capture.start on the chosen interface; the lab empties its store for the new capture. */
  function start(): Promise<boolean> {
    fileOutcome.value = null;
    return act(() => api.invoke('capture.start', { iface: iface.value, filter: captureFilter.value, bufferMB: bufferMB.value }), true);
  }
  /**
   * Starts capturing on `name` (the network panel's "capture the link at A"). The link takes no
   * capture filter (the lab refuses BPF there), so the field empties for it.
   */
  async function startOn(name: string): Promise<boolean> {
    if (!interfaces.value.some((item) => item.name === name)) await refreshInterfaces();
    iface.value = name;
    if (name.startsWith(LINK_IFACE_PREFIX)) typedFilter.value = null;
    if (status.value.running) await stop();
    return start();
  }
  function stop(): Promise<boolean> {
    return act(() => api.invoke('capture.stop', {}), false);
  }
  function clear(): Promise<boolean> {
    return act(() => api.invoke('capture.clear', {}), true);
  }

  /**
   * Saves packets as a pcapng download, in pieces (any size): all of them, or those the display
   * filter shows, as Wireshark's Export Specified Packets asks.
   */
  async function savePcapng(which: 'all' | 'displayed'): Promise<boolean> {
    fileError.value = null;
    const shown = which === 'displayed';
    const begun = await api.invoke('capture.save', { filter: shown ? list.filter : '', socketId: shown ? list.socketId : null });
    if (!begun.ok) {
      fileError.value = begun.message;
      return false;
    }
    const pieces: Uint8Array[] = [];
    for (;;) {
      const piece = await api.invoke('capture.saveChunk', { saveId: begun.value.saveId });
      if (!piece.ok) {
        fileError.value = piece.message;
        return false;
      }
      pieces.push(piece.value.data);
      if (piece.value.done) break;
    }
    downloadBytes(pieces, exportFileName());
    return true;
  }

  /** A file being opened: how far along, for the progress bar. */
  const opening = shallowRef<{ name: string; bytes: number; size: number; packets: number } | null>(null);
  let cancelRequested = false;

  /**
   * Opens a pcap or pcapng file of any size, in pieces, with progress and Cancel: its packets
   * replace the held ones, to inspect without capturing. A cancelled opening keeps the packets
   * read so far, as Wireshark does.
   */
  async function openFile(file: Blob & { name: string }): Promise<boolean> {
    fileError.value = null;
    fileOutcome.value = null;
    const begun = await api.invoke('capture.open', { name: file.name });
    if (!begun.ok) {
      fileError.value = begun.message;
      return false;
    }
    const openId = begun.value.openId;
    cancelRequested = false;
    opening.value = { name: file.name, bytes: 0, size: file.size, packets: 0 };
    try {
      for (let offset = 0; offset < file.size && !cancelRequested;) {
        const data = new Uint8Array(await file.slice(offset, offset + MAX_FILE_CHUNK_BYTES).arrayBuffer());
        const piece = await api.invoke('capture.openChunk', { openId, offset, data });
        if (!piece.ok) {
          fileError.value = piece.message;
          await api.invoke('capture.openEnd', { openId, cancel: true });
          return false;
        }
        offset += data.length;
        opening.value = { name: file.name, bytes: offset, size: file.size, packets: piece.value.packets };
      }
      const end = await api.invoke('capture.openEnd', { openId, cancel: cancelRequested });
      if (!end.ok) {
        fileError.value = end.message;
        return false;
      }
      fileOutcome.value = { name: file.name, packets: end.value.packets, problems: end.value.problems, cancelled: end.value.cancelled };
      list.resetData();
      void detail.select(null);
      const current = await api.invoke('capture.status', {});
      if (current.ok) applyStatus(current.value);
      return true;
    } finally {
      opening.value = null;
    }
  }

  /** Stops opening the file after the piece being read; what was read stays. */
  function cancelOpen(): void {
    cancelRequested = true;
  }

  return {
    status,
    interfaces,
    iface,
    scope,
    captureFilter,
    labFilter,
    missingPorts,
    setScope,
    bufferMB,
    busy,
    actionError,
    captureError,
    permissionHint,
    fileError,
    fileOutcome,
    connect,
    disconnect,
    refreshInterfaces,
    start,
    startOn,
    stop,
    clear,
    savePcapng,
    openFile,
    opening,
    cancelOpen,
  };
});
