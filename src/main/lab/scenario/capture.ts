/**
 * `npm run scenario -- FILE --capture OUT.pcapng`: the scenario's own traffic as a pcapng whose
 * packet comments name the calls that caused them (capture/files.ts).
 *
 * The capture starts once the scenario's network exists (on the link at A for a lab network,
 * whose every frame is the scenario's; on `lo` otherwise) and stops after the last step, with a
 * moment for the last ACKs and FINs. On `lo` other programs' traffic may pass too, so the file
 * keeps only what the scenario's sockets used: the ports the lab's sockets were bound or
 * connected to (read after every socket call, closed sockets included as they were last seen),
 * and ICMP when the scenario made raw sockets.
 */
import { writeFile } from 'node:fs/promises';
import type { LabApi } from '@shared/api';
import { LINK_IFACE_PREFIX } from '@shared/net';
import type { SockAddr, SocketInfo } from '@shared/socket';
import type { Scenario } from './schema';

/** Time after the last step for the packets still in flight. */
export const CAPTURE_SETTLE_MS = 300;
/** How long close() waits while capturing, for the packets before it to be tied. */
const TIE_WAIT_MS = 100;
/** Most ports the saved file's filter names (a scenario uses a handful). */
const MAX_PORTS = 256;
/** Most pieces read while saving (4 MiB each): a scenario's capture is far smaller. */
const MAX_SAVE_PIECES = 1024;

export interface ScenarioCapture {
  /** The lab to run the scenario on: the same lab, watching which ports its sockets use. */
  lab: LabApi;
  /** Starts capturing (after the scenario's network is made); the problem, or null. */
  start(): Promise<string | null>;
  /** Stops, and writes what the scenario sent to `file`; the packets written, or the problem. */
  save(file: string): Promise<{ packets: number } | { problem: string }>;
}

const portOf = (address: SockAddr | null): number | null =>
  address && (address.family === 'AF_INET' || address.family === 'AF_INET6') && address.port > 0 ? address.port : null;

/** The display filter that keeps the scenario's packets on `lo` ('' keeps everything). */
export function scenarioFilter(ports: ReadonlySet<number>, raw: boolean): string {
  const parts = [...ports].sort((a, b) => a - b).map((port) => `tcp.port == ${port} || udp.port == ${port}`);
  if (raw) parts.push('icmp || icmpv6');
  return parts.length > 0 ? parts.join(' || ') : 'frame.len == 0';
}

export function captureScenario(lab: LabApi, scenario: Scenario): ScenarioCapture {
  const ports = new Set<number>();
  let raw = false;
  let capturing = false;
  const onLink = scenario.network !== undefined;

  const remember = (sockets: readonly SocketInfo[]): void => {
    for (const socket of sockets) {
      if (socket.type === 'SOCK_RAW') raw = true;
      for (const port of [portOf(socket.local), portOf(socket.peer)]) {
        if (port !== null && ports.size < MAX_PORTS) ports.add(port);
      }
    }
  };

  const watching: LabApi = {
    on: (name, handler) => lab.on(name, handler),
    async invoke(name, input) {
      // Before close() the socket still shows its ports; after any other call they are known.
      // The capture hands packets over every few tens of ms and ties them to the sockets open
      // then (capture/ties.ts): close() waits a moment, so the socket's last packets are tied.
      if (name === 'socket.close') {
        if (capturing) await new Promise((resolve) => setTimeout(resolve, TIE_WAIT_MS));
        const before = await lab.invoke('lab.sockets', {});
        if (before.ok) remember(before.value);
      }
      const answer = await lab.invoke(name, input);
      if (name.startsWith('socket.') && name !== 'socket.close') {
        const after = await lab.invoke('lab.sockets', {});
        if (after.ok) remember(after.value);
      }
      return answer;
    },
  };

  return {
    lab: watching,
    async start() {
      const iface = onLink ? `${LINK_IFACE_PREFIX}A` : 'lo';
      const started = await lab.invoke('capture.start', { iface, filter: '' });
      if (!started.ok) return `capture on ${iface} refused: ${started.message}`;
      if (started.value.error) return `capture on ${iface} failed: ${started.value.error}`;
      capturing = true;
      return null;
    },
    async save(file) {
      if (!capturing) return { problem: 'the capture never started' };
      await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
      await lab.invoke('capture.stop', {});
      const begun = await lab.invoke('capture.save', { filter: onLink ? '' : scenarioFilter(ports, raw), socketId: null });
      if (!begun.ok) return { problem: begun.message };
      const pieces: Uint8Array[] = [];
      for (let done = false; !done;) {
        if (pieces.length >= MAX_SAVE_PIECES) return { problem: `the capture is larger than ${MAX_SAVE_PIECES} pieces` };
        const piece = await lab.invoke('capture.saveChunk', { saveId: begun.value.saveId });
        if (!piece.ok) return { problem: piece.message };
        pieces.push(piece.value.data);
        done = piece.value.done;
      }
      await writeFile(file, Buffer.concat(pieces));
      return { packets: begun.value.packets };
    },
  };
}
