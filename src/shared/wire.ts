/**
 * Web mode's WebSocket protocol: the LabApi carried as JSON text frames. The renderer's
 * WebSocket client and `src/main/web` both speak it; the server validates every frame.
 */
import { z } from 'zod';
import type { EventEnvelope } from './events';

/** Path of the WebSocket endpoint; the token travels as `?token=` (browsers cannot set headers). */
export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';

/** A request from the page: `id` pairs the answer with it. */
export const WireRequest = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  name: z.string().max(256),
  input: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequest>;

/** What the server sends: the answer to one request, or a batch of lab events. */
export type WireMessage =
  | { type: 'result'; id: number; output: unknown }
  | { type: 'events'; events: EventEnvelope[] };
