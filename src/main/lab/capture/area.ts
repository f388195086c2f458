/**
 * The capture area: every `capture.*` route. Live capture runs in its own process (session.ts,
 * client.ts, worker.ts); packets are kept in a bounded ring store (store.ts) and decoded when
 * asked for: rows for the list (views.ts), the field tree of one packet, streams, pcapng.
 * Plain Node; never imports electron.
 */
import type { CaptureInterface } from '@shared/capture';
import { LINK_IFACE_PREFIX } from '@shared/net';
import type { CaptureArea, SocketView } from '../areas';
import type { LabContext } from '../context';
import { dissect, summarize } from '../dissect';
import { compileFilter } from '../filter';
import { followStream, payloadOf, type StreamPacket } from '../flows/follow';
import { captureFailure } from './errors';
import { listInterfaces } from './interfaces';
import { forkLauncher, type CaptureLauncher } from './launcher';
import { DEFAULT_BUFFER_TIMEOUT_MS, DEFAULT_SNAPLEN } from './protocol';
import { CaptureSession } from './session';
import { PacketStore } from './store';
import { expertInfo } from './expert';
import { createCaptureFiles } from './files';
import { ladderPicture } from './ladder';
import { CaptureTies } from './ties';
import { frameMeta, PacketViews } from './views';
import { hasNetRaw, planItem, privilegePlan } from '../privilege';

export type { CaptureLauncher } from './launcher';

/** Capture settings a lab may give; the lab options (captureLauncher, ...) are read too. */
export interface CaptureAreaOptions {
  /** How to start the capture process; null switches live capture off. */
  launcher?: CaptureLauncher | null;
  /** Most packets the ring store holds (default 1,000,000). */
  maxPackets?: number;
  /** Most captured bytes the ring store holds (default 1 GiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_PACKETS = 1_000_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * The launcher from the lab options: a function (Electron's utilityProcess launcher) is used
 * as is, 'none' switches live capture off, anything else forks a Node process.
 */
function launcherFrom(ctx: LabContext, options: CaptureAreaOptions): CaptureLauncher | null {
  if (options.launcher !== undefined) return options.launcher;
  const chosen: unknown = ctx.options.captureLauncher;
  if (typeof chosen === 'function') return chosen as CaptureLauncher;
  return chosen === 'none' ? null : forkLauncher;
}

/** A positive whole number from the options or lab options, else the default. */
function limit(given: number | undefined, ctx: LabContext, key: string, fallback: number): number {
  const fromLab: unknown = (ctx.options as unknown as Record<string, unknown>)[key];
  const value = given ?? (typeof fromLab === 'number' ? fromLab : fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Creates the capture area of a lab: nothing runs until capture starts or a file is imported. */
export function createCaptureArea(ctx: LabContext, sockets: SocketView, options: CaptureAreaOptions = {}): CaptureArea {
  const store = new PacketStore({
    maxPackets: limit(options.maxPackets, ctx, 'captureMaxPackets', DEFAULT_MAX_PACKETS),
    maxBytes: limit(options.maxBytes, ctx, 'captureMaxBytes', DEFAULT_MAX_BYTES),
  });
  const ties = new CaptureTies(ctx, sockets);
  const views = new PacketViews(store, ties);
  const session = new CaptureSession(ctx, store, views, ties, launcherFrom(ctx, options));

  const ok = <T>(value: T) => ({ ok: true as const, value });
  const noFrame = (no: number) =>
    captureFailure(
      'EINVAL',
      store.held === 0
        ? `There is no packet ${no}: no packets are held.`
        : `There is no packet ${no}: packets ${store.firstNo}–${store.nextNo - 1} are held (older ones were dropped when the store filled).`,
    );

  /** The stream packets of frame `no`'s conversation (same transport, same two endpoints). */
  function conversationOf(no: number): StreamPacket[] {
    const chosen = store.get(no);
    const flow = chosen && summarize(chosen.data, chosen.linkType, frameMeta(chosen)).flow;
    if (!flow) return chosen ? [{ no, flow: null, payload: new Uint8Array(0) }] : [];
    const ends = new Set([
      `${flow.src}|${flow.srcPort}|${flow.dst}|${flow.dstPort}`,
      `${flow.dst}|${flow.dstPort}|${flow.src}|${flow.srcPort}`,
    ]);
    const packets: StreamPacket[] = [];
    for (const packet of store.packets()) {
      const f = summarize(packet.data, packet.linkType, frameMeta(packet)).flow;
      if (f && f.proto === flow.proto && ends.has(`${f.src}|${f.srcPort}|${f.dst}|${f.dstPort}`)) {
        packets.push({ no: packet.no, flow: f, payload: payloadOf(packet.data, f) });
      }
    }
    return packets;
  }

  const files = createCaptureFiles(store, session, views, ties);

  return {
    handlers: {
      'capture.interfaces': async () => {
        // The engine's lab offers its link's ends; its own namespace has nothing to see.
        if (ctx.options.role === 'engine')
          return ok([...ctx.net.linkInterfaces().map(linkInterface), ...ctx.net.hostInterfaces().map(hostInterface)]);
        const client = session.processClient();
        if (client === null)
          return captureFailure('ENOSYS', 'Capture is switched off in this lab (it was created with captureLauncher "none").');
        const devices = await client.devices();
        if (!devices.ok) return captureFailure('EINVAL', `Could not list capture interfaces: ${devices.message}`);
        return ok(listInterfaces(devices.value));
      },
      'capture.start': (input) =>
        files.opening
          ? captureFailure('EAGAIN', 'A capture file is being opened: start capturing when it is done.')
          : session.start(input.iface, withoutOwnPorts(input.filter, ctx.ownPorts), input.bufferMB * 1024 * 1024, {
              snaplen: input.snaplen ?? DEFAULT_SNAPLEN,
              immediate: input.immediate ?? false,
              bufferTimeoutMs: DEFAULT_BUFFER_TIMEOUT_MS,
              ...captureBackend(),
            }),
      'capture.stop': () => session.stop(),
      'capture.status': () => ok(session.status()),
      'capture.clear': () => {
        session.resetStore();
        session.emitStatus();
        return ok(session.status());
      },
      'capture.rows': (input) => {
        const answer = views.window(input.offset, input.limit, input.filter, input.socketId);
        if (!answer.ok) return captureFailure('EINVAL', `Display filter error at character ${answer.position + 1}: ${answer.error}`);
        return ok({ total: answer.total, pending: answer.pending, rows: answer.rows });
      },
      'capture.packet': (input) => {
        const packet = store.get(input.no);
        if (packet === null) return noFrame(input.no);
        return ok({
          row: views.row(packet),
          data: new Uint8Array(packet.data),
          tree: dissect(packet.data, packet.linkType, views.meta(packet)),
        });
      },
      'capture.checkFilter': (input) => {
        const compiled = compileFilter(input.filter);
        return ok(
          compiled.ok ? { valid: true, error: null, position: null } : { valid: false, error: compiled.error, position: compiled.position },
        );
      },
      'capture.follow': (input) => {
        if (!store.has(input.no)) return noFrame(input.no);
        return followStream(conversationOf(input.no), input.no);
      },
      'capture.expert': () => ok({ groups: expertInfo(store, views.tcp) }),
      'capture.ladder': (input) => ladderPicture(input.no, input.theme, store, ties, sockets, views.tcp),
      'capture.export': (input) => files.exportWhole(input.filter),
      'capture.save': (input) => files.beginSave(input.filter, input.socketId),
      'capture.saveChunk': (input) => files.savePiece(input.saveId),
      'capture.import': (input) => files.importWhole(input.name, input.data),
      'capture.open': (input) => files.beginOpen(input.name),
      'capture.openChunk': (input) => files.readPiece(input.openId, input.offset, input.data),
      'capture.openEnd': (input) => files.endOpen(input.openId, input.cancel),
    },
    labReset: () => ties.reset(),
    close: () => {
      files.close();
      return session.close();
    },
  };
}

/** A capture interface for one end of the lab network's link. */
function linkInterface(name: string): CaptureInterface {
  return {
    name,
    description: `Lab network link, as host ${name.slice(LINK_IFACE_PREFIX.length)} sees it`,
    addresses: [],
    loopback: false,
    up: true,
    running: true,
  };
}

/** A capture interface for a host's own device ("A:eth0", "A:lo"), captured inside the host. */
function hostInterface(name: string): CaptureInterface {
  const [host, device] = name.split(':');
  return {
    name,
    description: `Host ${host}'s ${device === 'lo' ? 'loopback' : 'link interface'}, captured inside host ${host}`,
    addresses: [],
    loopback: device === 'lo',
    up: true,
    running: true,
  };
}

/**
 * How this process captures on the host's interfaces: libpcap itself when it holds CAP_NET_RAW
 * (root, or inside the lab network's namespace), else Wireshark's dumpcap where the privilege
 * plan says this user may run it — SockLab itself never holds the privilege.
 */
function captureBackend(): { dumpcap?: string } {
  if (hasNetRaw()) return {};
  const item = planItem(privilegePlan(), 'hostCapture');
  return item.ready && item.via === 'dumpcap' && item.params.path ? { dumpcap: item.params.path } : {};
}

/** The capture filter with the lab's own transport ports left out (see LabContext.ownPorts). */
export function withoutOwnPorts(filter: string, ports: ReadonlySet<number>): string {
  if (ports.size === 0) return filter;
  const own = [...ports].map((port) => `tcp port ${port}`).join(' or ');
  return filter.trim() === '' ? `not (${own})` : `(${filter}) and not (${own})`;
}
