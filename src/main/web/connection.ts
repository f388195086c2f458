/**
 * One web-mode WebSocket after it passed the token and Origin checks: requests go through the
 * shared dispatcher (validated exactly as IPC requests are), answers come back by id, lab events
 * go out in batches with backpressure and a bounded queue per connection.
 *
 * Bounds: a page may have `maxInFlight` requests waiting (blocked accept/recv calls count), and
 * all pages together may hold `budget` bytes of request frames being worked on. `socket.cancel`
 * and `lab.reset` pass whatever the bounds say: they are how a page gets out of being stuck.
 * When a page goes away, the calls it left blocked are cancelled.
 */
import type { LabApi } from '@shared/api';
import { decodeFrame, encodeFrame, WireRequest, type WireMessage } from '@shared/wire';
import { WebSocket, type RawData } from 'ws';
import { createBlockedCalls, createDispatcher, createEventBatcher, forwardLabEvents, refusal } from '../transport';

/** Requests one page may have waiting at once (blocked accept/recv calls count). */
export const MAX_IN_FLIGHT = 4096;
/** Bytes the socket may hold unsent before event batches wait. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Close code for a frame that breaks the protocol (RFC 6455: policy violation). */
const POLICY_VIOLATION = 1008;
/** Routes that always get through: they end blocking and free what is held. */
const ALWAYS_ANSWERED: ReadonlySet<string> = new Set(['socket.cancel', 'lab.reset']);

/** Frame bytes that requests being worked on may hold, shared by every page of one server. */
export interface RequestBudget {
  /** Takes `bytes` from the budget; false (nothing taken) when they do not fit. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly used: number;
}

/** A budget of `limit` bytes. A request larger than the whole budget never fits. */
export function createRequestBudget(limit: number): RequestBudget {
  let used = 0;
  return {
    take(bytes) {
      if (used + bytes > limit) return false;
      used += bytes;
      return true;
    },
    give(bytes) {
      used = Math.max(0, used - bytes);
    },
    get used() {
      return used;
    },
  };
}

export interface ConnectionOptions {
  maxInFlight?: number;
  maxQueuedEvents?: number;
  /** Frame bytes in flight across all pages (the server creates one budget for all). */
  budget?: RequestBudget;
  /** Where to say that events were dropped for a slow page. */
  warn?(message: string): void;
}

/** Serves the lab over an accepted WebSocket until it closes. */
export function serveConnection(ws: WebSocket, lab: LabApi, options: ConnectionOptions = {}): void {
  const dispatch = createDispatcher(lab);
  const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  const budget = options.budget ?? null;
  const blocked = createBlockedCalls(dispatch);
  let inFlight = 0;
  let closed = false;

  const send = (message: WireMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(message));
  };
  const batcher = createEventBatcher({
    send: (events) => send({ type: 'events', events }),
    ready: () => ws.bufferedAmount < MAX_BUFFERED_BYTES,
    maxQueued: options.maxQueuedEvents,
    onDrop: (count) => options.warn?.(`web mode: a page is not keeping up; ${count} lab events dropped (refetchable by route)`),
  });
  const stopForwarding = forwardLabEvents(lab, (envelope) => batcher.push(envelope));

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const size = rawSize(data);
    const request = isBinary ? null : parseRequest(data);
    if (request === null) {
      // A frame that is not a request cannot be answered by id: the page is not ours.
      ws.close(POLICY_VIOLATION, 'malformed request');
      return;
    }
    const exempt = ALWAYS_ANSWERED.has(request.name);
    const held = exempt ? 0 : size;
    if (!exempt) {
      const busy = admit(held);
      if (busy !== null) {
        send({ type: 'result', id: request.id, output: refusal(request.name, 'EAGAIN', busy) });
        return;
      }
    }
    const answered = blocked.track(request.name, request.input);
    void dispatch(request.name, request.input).then((output) => {
      answered();
      if (!exempt) {
        inFlight -= 1;
        budget?.give(held);
      }
      send({ type: 'result', id: request.id, output });
    });
  });

  /** Counts a request of `size` bytes in, or says why it cannot be taken now. */
  function admit(size: number): string | null {
    if (inFlight >= maxInFlight) return `Too many requests at once (${maxInFlight}): wait for some to finish.`;
    if (budget && !budget.take(size)) return 'The lab is busy with other large requests (opened files): try again when they finish.';
    inFlight += 1;
    return null;
  }

  // A frame over the size limit or a broken frame: ws closes the connection itself; without a
  // listener the error would end the whole process.
  ws.on('error', (error: Error) => options.warn?.(`web mode: a WebSocket failed: ${error.message}`));
  ws.on('close', () => {
    if (closed) return;
    closed = true;
    stopForwarding();
    batcher.close();
    // Nobody waits for the answers of the calls this page left blocked.
    blocked.cancelAll();
  });
}

function parseRequest(data: RawData): WireRequest | null {
  let value: unknown;
  try {
    value = decodeFrame(rawText(data));
  } catch {
    return null; // not JSON, or nested too deep to walk
  }
  const parsed = WireRequest.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
