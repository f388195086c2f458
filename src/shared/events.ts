/**
 * Events the lab pushes to the UI. Transports carry them as `{ name, payload }` envelopes in
 * batches (see `EVENT_BATCH_MS`), so a flood of data cannot swamp the renderer.
 */
import { z } from 'zod';
import { CallRecord, Fd, PingReply, SocketId, SocketInfo, TranscriptEntry } from './socket';
import { CaptureStatus, PacketRow } from './capture';
import { netEvents } from './net';
import { tcpInfoEvents } from './tcpinfo';

export const events = {
  /** A socket's snapshot after any change (state, counters, queue, blocked call). */
  'socket.changed': SocketInfo,
  /** The socket was closed: its descriptor number is free again (the id never is). */
  'socket.removed': z.object({ fd: Fd, socketId: SocketId }),
  /** A call began (ret is null while it blocks) or finished. */
  'call.logged': CallRecord,
  /** Bytes went out or came in on a socket. */
  'transcript.appended': TranscriptEntry,
  'capture.status': CaptureStatus,
  'capture.packets': z.object({ rows: z.array(PacketRow) }),
  /** A live echo reply of a running raw.ping (its identifier tells runs apart). */
  'ping.reply': PingReply,
  ...netEvents,
  ...tcpInfoEvents,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;
export type EventEnvelope = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export { EVENT_BATCH_MS, EVENT_CHANNEL, INVOKE_CHANNEL } from './channels';
