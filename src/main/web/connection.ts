/**
 * One web-mode WebSocket after it passed the token and Origin checks: requests go through the
 * shared dispatcher (validated exactly as IPC requests are), answers come back by id, lab events
 * go out in batches with backpressure and a bounded queue per connection.
 */
import type { LabApi } from '@shared/api';
import { WireRequest, type WireMessage } from '@shared/wire';
import { WebSocket, type RawData } from 'ws';
import { createDispatcher, createEventBatcher, forwardLabEvents, refusal } from '../transport';

/** Requests one page may have waiting at once (blocked accept/recv calls count). */
export const MAX_IN_FLIGHT = 4096;
/** Bytes the socket may hold unsent before event batches wait. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Close code for a frame that breaks the protocol (RFC 6455: policy violation). */
const POLICY_VIOLATION = 1008;

export interface ConnectionOptions {
  maxInFlight?: number;
  maxQueuedEvents?: number;
  /** Where to say that events were dropped for a slow page. */
  warn?(message: string): void;
}

/** Serves the lab over an accepted WebSocket until it closes. */
export function serveConnection(ws: WebSocket, lab: LabApi, options: ConnectionOptions = {}): void {
  const dispatch = createDispatcher(lab);
  const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  let inFlight = 0;

  const send = (message: WireMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const batcher = createEventBatcher({
    send: (events) => send({ type: 'events', events }),
    ready: () => ws.bufferedAmount < MAX_BUFFERED_BYTES,
    maxQueued: options.maxQueuedEvents,
    onDrop: (count) => options.warn?.(`web mode: a page is not keeping up; ${count} lab events dropped (refetchable by route)`),
  });
  const stopForwarding = forwardLabEvents(lab, (envelope) => batcher.push(envelope));

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const request = isBinary ? null : parseRequest(data);
    if (request === null) {
      // A frame that is not a request cannot be answered by id: the page is not ours.
      ws.close(POLICY_VIOLATION, 'malformed request');
      return;
    }
    if (inFlight >= maxInFlight) {
      const output = refusal(request.name, 'EAGAIN', `Too many requests at once (${maxInFlight}): wait for some to finish.`);
      send({ type: 'result', id: request.id, output });
      return;
    }
    inFlight += 1;
    void dispatch(request.name, request.input).then((output) => {
      inFlight -= 1;
      send({ type: 'result', id: request.id, output });
    });
  });

  // A frame over the size limit or a broken frame: ws closes the connection itself; without a
  // listener the error would end the whole process.
  ws.on('error', (error: Error) => options.warn?.(`web mode: a WebSocket failed: ${error.message}`));
  ws.on('close', () => {
    stopForwarding();
    batcher.close();
  });
}

function parseRequest(data: RawData): WireRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(rawText(data));
  } catch {
    return null;
  }
  const parsed = WireRequest.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
