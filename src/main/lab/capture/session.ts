/**
 * The live side of the capture area: starts and stops capture in the capture process, takes its
 * packet batches into the ring store (kernel timestamps, original lengths), ties each batch's
 * packets to lab sockets and calls as it arrives (ties.ts), keeps libpcap's drop counters,
 * pushes new rows and the status to the UI a few times a second (at once when something is
 * first lost), and turns the capture process's death into a status error (capture can start again).
 */
import type { CaptureStatus, PacketRow } from '@shared/capture';
import { monoUs, wallUs, type LabContext } from '../context';
import { inNetns } from '../libc';
import { CaptureClient } from './client';
import { captureFailure, mapLoadError, mapStartError, type CaptureFailure } from './errors';
import type { CaptureLauncher } from './launcher';
import type { KernelStats } from './cap';
import { returnFreedMemory } from './memory';
import { decodeBatch, linkTypeOf, type CaptureTuning } from './protocol';
import type { PacketStore } from './store';
import type { PacketViews } from './views';
import type { CaptureTies } from './ties';

/** How often new rows go to the UI while packets arrive. */
const PUSH_MS = 20;
/** Most rows in one push; when more arrived, only the newest go (the list fetches the rest). */
export const MAX_PUSHED_ROWS = 300;
/** How often the status goes to the UI while capturing. */
const STATUS_MS = 250;
/** A cleared store this large has its memory returned to the system at once (memory.ts). */
const RETURN_MEMORY_BYTES = 32 * 1024 * 1024;

type Answer<T> = { ok: true; value: T } | CaptureFailure;

export class CaptureSession {
  running = false;
  iface: string | null = null;
  filter = '';
  linkType: number | null = null;
  /** Interface captured on, or the name of the imported file. */
  source: string | null = null;
  packets = 0;
  bytes = 0;
  error: string | null = null;
  permissionHint: string | null = null;
  /** libpcap's counters for the current (or last) capture. */
  kernel: KernelStats = { received: 0, dropped: 0, ifDropped: 0 };
  /** Whether the kernel stamps of this capture carry nanoseconds. */
  nanoseconds = false;
  /** Snapshot length of the current (or last) capture; 0 (unlimited) for opened files. */
  snaplen = 0;

  private client: CaptureClient | null = null;
  /** The namespace the capture process runs in (a lab-network host's; null: this process's). */
  private clientNetns: number | null = null;
  /** Ends a capture on the lab network's link (null when capturing through the capture process). */
  private untap: (() => void) | null = null;
  /** Batches that arrive between asking to start and hearing it started. */
  private early: { data: Uint8Array; clockOffsetUs: number }[] | null = null;
  /** libpcap's counters as last reported, and their values at the last Clear while capturing. */
  private kernelTotal: KernelStats = { received: 0, dropped: 0, ifDropped: 0 };
  private kernelBase: KernelStats = { received: 0, dropped: 0, ifDropped: 0 };
  /** Losses already announced with an immediate status (kernel + interface + store). */
  private lostAnnounced = 0;
  private pushFrom = 1;
  private pushTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private rateSamples: { at: number; packets: number }[] = [];
  /** Start and stop run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private ctx: LabContext,
    private store: PacketStore,
    private views: PacketViews,
    private ties: CaptureTies,
    private launcher: CaptureLauncher | null,
  ) {}

  status(): CaptureStatus {
    return {
      running: this.running,
      iface: this.iface,
      filter: this.filter,
      linkType: this.linkType,
      packets: this.packets,
      bytes: this.bytes,
      evicted: this.store.evicted,
      held: this.store.held,
      dropped: this.kernel.dropped,
      ifDropped: this.kernel.ifDropped,
      firstTsUs: this.store.firstTsUs,
      rate: this.rate(),
      error: this.error,
      permissionHint: this.permissionHint,
      source: this.source,
    };
  }

  emitStatus(): void {
    this.ctx.emit('capture.status', this.status());
  }

  /** The capture process client, created on first use; null when capture is switched off. */
  processClient(): CaptureClient | null {
    if (this.launcher === null) return null;
    const launcher = this.launcher;
    const netns = this.clientNetns;
    // A child process starts in the namespace of the thread that forks it: a host's, for its devices.
    this.client ??= new CaptureClient(
      {
        onBatch: (data, _count, clockOffsetUs) => this.onBatch(data, clockOffsetUs),
        onStats: (stats) => this.onStats(stats),
        onDeath: (reason) => this.onDeath(reason),
      },
      netns === null ? launcher : (entry) => inNetns(netns, () => launcher(entry)),
    );
    return this.client;
  }

  /** Starts capturing on `iface`, stopping a capture already running; the store starts empty. */
  start(iface: string, filter: string, bufferBytes: number, tuning: CaptureTuning): Promise<Answer<CaptureStatus>> {
    return this.serially(async () => {
      if (this.ctx.net.linkInterfaces().includes(iface)) return this.startLink(iface, filter);
      // A host's own device is captured by a capture process started inside that host.
      const onHost = this.ctx.net.hostDevice(iface);
      if ((onHost?.netns ?? null) !== this.clientNetns) {
        if (this.running) await this.stopNow();
        this.client?.close();
        this.client = null;
        this.clientNetns = onHost?.netns ?? null;
      }
      const client = this.processClient();
      if (client === null)
        return captureFailure('ENOSYS', 'Capture is switched off in this lab (it was created with captureLauncher "none").');
      if (this.running) await this.stopNow();
      this.early = [];
      const opened = await client.start(onHost?.device ?? iface, filter, bufferBytes, tuning);
      const early = this.early;
      this.early = null;
      if (!opened.ok) {
        const failure: CaptureFailure & { permissionHint?: string | null } =
          mapLoadError(opened.message) ?? mapStartError(opened.message, iface, filter);
        this.error = failure.message;
        this.permissionHint = failure.permissionHint ?? null;
        this.emitStatus();
        return failure;
      }
      this.resetStore();
      const { linkName, nanoseconds } = opened.value;
      Object.assign(this, {
        running: true,
        iface,
        filter,
        source: iface,
        linkType: linkTypeOf(linkName),
        nanoseconds,
        snaplen: tuning.snaplen,
        error: null,
        permissionHint: null,
      });
      for (const batch of early) this.onBatch(batch.data, batch.clockOffsetUs);
      this.pushTimer = setInterval(() => this.pushRows(), PUSH_MS);
      this.statusTimer = setInterval(() => this.emitStatus(), STATUS_MS);
      this.emitStatus();
      return { ok: true, value: this.status() };
    });
  }

  /** Stops capturing; the packets stay in the store. */
  stop(): Promise<Answer<CaptureStatus>> {
    return this.serially(async () => {
      const stopped = await this.stopNow();
      this.emitStatus();
      if (!stopped.ok) return stopped;
      return { ok: true, value: this.status() };
    });
  }

  /** Empties the store, its ties and the counters; capture, if running, goes on. */
  resetStore(): void {
    const released = this.store.footprintBytes();
    this.store.clear();
    // Give a large store's memory back at once, after this request is answered.
    if (released >= RETURN_MEMORY_BYTES) setImmediate(returnFreedMemory);
    this.ties.clear();
    this.views.reset();
    this.packets = 0;
    this.bytes = 0;
    this.kernel = { received: 0, dropped: 0, ifDropped: 0 };
    // While capturing, what libpcap counted so far belongs to the packets just cleared.
    this.kernelBase = this.running ? this.kernelTotal : { received: 0, dropped: 0, ifDropped: 0 };
    this.lostAnnounced = 0;
    this.pushFrom = 1;
    this.rateSamples = [];
  }

  /** Stops capture and ends the capture process. */
  async close(): Promise<void> {
    await this.serially(() => this.stopNow());
    this.client?.close();
    this.client = null;
  }

  /**
   * Captures on the lab network's link ("link:A"): the engine hands over every frame at that
   * end as it enters or leaves the link, stamped on CLOCK_MONOTONIC when it did, so no capture
   * process and no privilege is needed. BPF capture filters belong to kernel interfaces.
   */
  private startLink(iface: string, filter: string): Answer<CaptureStatus> {
    if (filter.trim() !== '') {
      return captureFailure(
        'EINVAL',
        `Capture filters (BPF) apply to kernel interfaces; on the link "${iface}" capture everything and use a display filter.`,
      );
    }
    if (this.running) this.halt();
    this.untap?.();
    this.resetStore();
    const wallOffsetUs = wallUs() - monoUs();
    this.untap = this.ctx.net.tapLink(iface, (stampUs, data) => {
      if (!this.running) return;
      const firstNew = this.store.nextNo;
      this.store.append(Math.round(stampUs), Math.round(stampUs + wallOffsetUs), data.length, 1, data);
      this.packets += 1;
      this.bytes += data.length;
      this.views.arrived();
      this.ties.tieArrived(this.store, firstNew);
    });
    Object.assign(this, { running: true, iface, filter, source: iface, linkType: 1, error: null, permissionHint: null });
    this.pushTimer = setInterval(() => this.pushRows(), PUSH_MS);
    this.statusTimer = setInterval(() => this.emitStatus(), STATUS_MS);
    this.emitStatus();
    return { ok: true, value: this.status() };
  }

  private async stopNow(): Promise<Answer<null>> {
    if (!this.running) return { ok: true, value: null };
    if (this.untap) {
      this.untap();
      this.untap = null;
      this.halt();
      return { ok: true, value: null };
    }
    const answer = (await this.client?.stop()) ?? { ok: true as const, value: null };
    this.halt();
    if (!answer.ok) {
      this.error = answer.message;
      return captureFailure('EINVAL', `Capture stopped, but the capture process said: ${answer.message}`);
    }
    return { ok: true, value: null };
  }

  /** Marks capture stopped and sends the rows not pushed yet. */
  private halt(): void {
    this.running = false;
    if (this.pushTimer) clearInterval(this.pushTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.pushTimer = this.statusTimer = null;
    this.pushRows();
    this.rateSamples = [];
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private onBatch(data: Uint8Array, clockOffsetUs: number): void {
    if (this.early !== null) {
      this.early.push({ data, clockOffsetUs });
      return;
    }
    if (!this.running) return;
    const linkType = this.linkType ?? 1;
    const firstNew = this.store.nextNo;
    const evictedBefore = this.store.evicted;
    decodeBatch(data, (tsSec, tsNsec, len, bytes) => {
      const subUsNs = tsNsec % 1000;
      const tsUs = tsSec * 1_000_000 + (tsNsec - subUsNs) / 1000;
      // The kernel stamps on CLOCK_REALTIME; the call log runs on CLOCK_MONOTONIC.
      const monoUs = tsUs - clockOffsetUs + subUsNs / 1000;
      this.store.append(monoUs, tsUs, len, linkType, bytes, subUsNs);
      this.packets += 1;
      this.bytes += len;
    });
    this.views.arrived();
    this.ties.tieArrived(this.store, firstNew);
    if (this.store.evicted > evictedBefore) this.announceLoss();
  }

  private onStats(stats: KernelStats): void {
    // libpcap counts from the capture's start; a Clear while capturing starts the count again.
    this.kernelTotal = stats;
    const base = this.kernelBase;
    this.kernel = {
      received: Math.max(0, stats.received - base.received),
      dropped: Math.max(0, stats.dropped - base.dropped),
      ifDropped: Math.max(0, stats.ifDropped - base.ifDropped),
    };
    this.announceLoss();
  }

  /** Sends the status at once when packets were lost since the last announcement. */
  private announceLoss(): void {
    const lost = this.kernel.dropped + this.kernel.ifDropped + this.store.evicted;
    if (lost <= this.lostAnnounced) return;
    this.lostAnnounced = lost;
    this.emitStatus();
  }

  private onDeath(reason: string): void {
    this.client = null;
    if (!this.running && this.early === null) return;
    this.halt();
    this.error = `${reason}. Capture stopped; start it again to go on.`;
    this.emitStatus();
  }

  /** Pushes rows for packets that arrived since the last push (the newest MAX_PUSHED_ROWS). */
  private pushRows(): void {
    const end = this.store.nextNo;
    if (end <= this.pushFrom) return;
    const from = Math.max(this.pushFrom, end - MAX_PUSHED_ROWS, this.store.firstNo);
    this.pushFrom = end;
    const rows: PacketRow[] = [];
    for (let no = from; no < end; no++) {
      const packet = this.store.get(no);
      if (packet) rows.push(this.views.row(packet));
    }
    if (rows.length > 0) this.ctx.emit('capture.packets', { rows });
  }

  /** Packets per second over about the last second. */
  private rate(): number {
    if (!this.running) return 0;
    const now = performance.now();
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (last === undefined || now - last.at >= 100) this.rateSamples.push({ at: now, packets: this.packets });
    while (this.rateSamples.length > 2 && now - this.rateSamples[1].at >= 1000) this.rateSamples.shift();
    const first = this.rateSamples[0];
    const elapsed = now - first.at;
    return elapsed > 0 ? Math.round(((this.packets - first.packets) * 1000) / elapsed) : 0;
  }
}
