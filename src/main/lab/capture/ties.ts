/**
 * Packets tied to lab sockets and calls as they arrive (docs/ladder.md, "Wiring it into
 * capture"). Ties need packets in capture order with the socket table and call log as they were
 * when the packets arrived, so each batch is tied once, in the session's batch handler, and the
 * result is kept beside the ring store (tie-table.ts) for the rows to read. The same pass keeps
 * each lab socket's TCP state badge (LabContext.tcpStates) up to date.
 */
import type { SocketInfo } from '@shared/socket';
import type { SocketView } from '../areas';
import type { LabContext } from '../context';
import { summarize } from '../dissect';
import { icmpFactsOf } from '../flows/icmp-facts';
import { tcpWindowShiftOf } from '../flows/tcp-state';
import { createPacketTies, tiePackets, type KnownSocket, type PacketTies, type TiePacketInput } from '../flows/ties';
import { endpointOfSockAddr, type Endpoint } from '../flows/endpoints';
import { callText } from '../flows/ladder';
import type { PacketStore, StoredPacket } from './store';
import { TieTable, type RowTie } from './tie-table';

export type { RowTie } from './tie-table';

/** What tying needs of a stored packet: its time, flow, ICMP facts and a SYN's window scale. */
export function tieInputOf(packet: StoredPacket): TiePacketInput {
  const flow = summarize(packet.data, packet.linkType).flow;
  return {
    monoUs: packet.monoUs,
    flow,
    icmp: flow ? icmpFactsOf(packet.data, flow) : null,
    windowShift: tcpWindowShiftOf(packet.data, packet.linkType, flow),
  };
}

/**
 * How late after a call's end its packet may be stamped. Stamps are the kernel's (taken as the
 * packet passes the capture tap, inside the system call on lo), converted from CLOCK_REALTIME to
 * CLOCK_MONOTONIC with an offset the capture process reads (clock_gettime) every 10 s. Measured
 * (bench/tie-stamps.ts, 100 rounds at load 19): every datagram, SYN and data segment stamped
 * inside its call (18 µs or more after its start, 24 µs or more before its logged end); with an
 * offset taken from Date.now()'s tick they came up to 0.52 ms after the end. 10 ms covers either
 * with a wide margin, and a clock slewed by NTP at its 500 ppm limit between two offset readings
 * (5 ms). Before kernel stamps this was 2 s (stamps taken in the capture process lagged up to
 * 13 ms, more under load). Content (first SYN, first FIN, exact bytes, length and destination)
 * still decides which call within the window.
 */
export const CAPTURE_SLACK_US = 10_000;
/**
 * The window after shutdown()/close() for their FIN or RST: Node sends them after the call
 * returned (libuv's shutdown request runs on a later loop turn), measured up to 25 ms after the
 * call's end at load 17, so this keeps the flows layer's 250 ms.
 */
export const CAPTURE_CLOSE_SLACK_US = 250_000;

const UNTIED: RowTie = { socketIds: [], fds: [], callId: null, cause: null };

/** The lab sockets whose TCP state the badge shows: stream sockets on IPv4/IPv6. */
function isTcp(socket: SocketInfo): boolean {
  return socket.type === 'SOCK_STREAM' && socket.domain !== 'AF_UNIX';
}

/** One capture's ties: the incremental tier, each held packet's tie, and the badge. */
export class CaptureTies {
  private ties: PacketTies = createPacketTies({ slackUs: CAPTURE_SLACK_US, closeSlackUs: CAPTURE_CLOSE_SLACK_US });
  private table = new TieTable();
  /** Every call with an id up to this one was finished when read: it is never read again. */
  private callsDone = 0;
  /** Bumped when held packets' ties may have changed (cleared, imported). */
  generation = 0;

  constructor(
    private ctx: LabContext,
    private view: SocketView,
  ) {}

  /** The tie of frame `no` (untied when it was never tied or is no longer held). */
  tieOf(no: number): RowTie {
    return this.table.get(no);
  }

  /**
   * Each packet's comment for a saved pcapng, as the ladder names its call: "connect(4,
   * 127.0.0.1:8080) = 0 → fd 4" for a packet a call caused, "kernel → fd 4" for one the kernel
   * sent for a lab socket (an ACK, a window update), nothing for other packets. The call log is
   * read once, when the save begins.
   */
  commenter(): (no: number) => string | undefined {
    const calls = new Map(this.view.calls().map((c) => [c.id, c]));
    return (no) => {
      const tie = this.table.get(no);
      if (tie.socketIds.length === 0) return undefined;
      const fds = tie.fds.map((fd) => `fd ${fd}`).join(', ');
      const call = tie.callId === null ? undefined : calls.get(tie.callId);
      if (tie.cause === 'call' && call) return `${callText(call, call.fd ?? -1)} → ${fds} (SockLab call #${call.id})`;
      return `kernel → ${fds}`;
    };
  }

  /** Lab sockets known to the ties, open and recently closed (for the ladder's columns). */
  knownSockets(): KnownSocket[] {
    return this.ties.knownSockets();
  }

  /**
   * For a socket accept() returned: the listening socket and the connection's two ends. Its
   * handshake and the data that came before accept() were tied to the listener (the socket did
   * not exist yet), and are still this connection's.
   */
  acceptedConnection(socketId: number): { listenerId: number; local: Endpoint; peer: Endpoint } | null {
    const open = this.view.sockets().find((s) => s.socketId === socketId);
    const known = open ? null : this.ties.knownSockets().find((s) => s.socketId === socketId);
    const listenerId = open ? open.acceptedFromId : (known?.acceptedFromId ?? null);
    const local = open ? endpointOfSockAddr(open.local) : (known?.local ?? null);
    const peer = open ? endpointOfSockAddr(open.peer) : (known?.peer ?? null);
    return listenerId === null || local === null || peer === null ? null : { listenerId, local, peer };
  }

  /**
   * Ties the frames from `fromNo` to the newest, just appended in capture order: first the
   * socket table and the calls as they are now, then each packet; then the badges.
   */
  tieArrived(store: PacketStore, fromNo: number): void {
    this.table.dropBefore(store.firstNo);
    const snapshot = this.view.sockets();
    if (snapshot.length === 0 && this.ties.knownSockets().length === 0) {
      // No lab socket, open or recently closed: nothing to tie to, so skip decoding the flood.
      for (let no = Math.max(fromNo, store.firstNo); no < store.nextNo; no++) this.table.set(no, UNTIED);
      this.ctx.tcpStates.clear();
      return;
    }
    this.ties.updateSockets(snapshot);
    this.readCalls();
    const streams = new Map(snapshot.filter(isTcp).map((s) => [s.socketId, s]));
    for (let no = Math.max(fromNo, store.firstNo); no < store.nextNo; no++) {
      const packet = store.get(no);
      if (packet === null) continue;
      const tie = this.ties.tie(tieInputOf(packet));
      this.table.set(no, tie);
      // Badge changes are announced packet by packet, so the UI sees every state in order.
      for (const socketId of tie.socketIds) {
        const socket = streams.get(socketId);
        if (socket) this.syncState(socket);
      }
    }
    for (const socket of streams.values()) this.syncState(socket);
    for (const socketId of [...this.ctx.tcpStates.keys()]) if (!streams.has(socketId)) this.ctx.tcpStates.delete(socketId);
  }

  /**
   * Ties an imported capture in one go against the lab's sockets and calls, when there are any
   * (a file from elsewhere has nothing to tie to, and its packets carry no monotonic times, so
   * only endpoints can match).
   */
  tieImported(store: PacketStore): void {
    const sockets = this.view.sockets();
    const calls = this.view.calls();
    if (sockets.length === 0 && calls.length === 0) return;
    const packets = [...store.packets()];
    const tied = tiePackets(packets.map(tieInputOf), sockets, calls);
    tied.forEach((tie, i) => this.table.set(packets[i].no, tie));
    this.generation += 1;
  }

  /** Forgets the ties (capture.clear, a new capture, an import); badges stay until packets say otherwise. */
  clear(): void {
    this.ties.clear();
    this.table.clear();
    this.generation += 1;
  }

  /** A lab reset: every socket is gone, so are their calls and badges. */
  reset(): void {
    this.clear();
    this.ctx.tcpStates.clear();
  }

  /** Notes calls logged since the last batch, re-reading from the oldest one still running. */
  private readCalls(): void {
    let finishedSoFar = true;
    for (const record of this.view.calls(this.callsDone)) {
      this.ties.noteCall(record);
      if (finishedSoFar && record.endMonoUs !== null) this.callsDone = record.id;
      else finishedSoFar = false;
    }
  }

  /** Writes a socket's inferred TCP state for the badge and announces a change. */
  private syncState(socket: SocketInfo): void {
    const state = this.ties.tcpState(socket.socketId);
    if (state === null || this.ctx.tcpStates.get(socket.socketId) === state) return;
    this.ctx.tcpStates.set(socket.socketId, state);
    this.ctx.emit('socket.changed', { ...socket, tcpState: state });
  }
}
