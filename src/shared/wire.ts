/**
 * Web mode's WebSocket protocol: the LabApi carried as JSON text frames. The renderer's
 * WebSocket client and `src/main/web` both speak it; the server validates every frame.
 *
 * The contract carries bytes as `Uint8Array`; JSON has no bytes, so this codec (and only it)
 * writes each one as `{"$base64": "..."}` and reads it back. Nothing else in the lab or the
 * renderer encodes payloads.
 */
import { z } from 'zod';
import { base64ToBytes, bytesToBase64 } from './base64';
import type { EventEnvelope } from './events';

/** Path of the WebSocket endpoint; the token travels as `?token=` (browsers cannot set headers). */
export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';

/**
 * A request from the page: `id` pairs the answer with it. `input` may be left out for routes
 * that take nothing (the lab reads it as `{}`), as `LabApi.invoke` lets a caller do.
 */
export const WireRequest = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  name: z.string().max(256),
  input: z.unknown().optional(),
});
export type WireRequest = z.infer<typeof WireRequest>;

/** What the server sends: the answer to one request, or a batch of lab events. */
export type WireMessage = { type: 'result'; id: number; output: unknown } | { type: 'events'; events: EventEnvelope[] };

/** The key of the one-key object that stands for bytes in a frame. */
const BYTES_KEY = '$base64';

/**
 * `value` with every Uint8Array replaced by its `{"$base64"}` stand-in, ready for
 * JSON.stringify. Objects without bytes inside are returned as they are (no copy), and a
 * Buffer never reaches JSON.stringify, whose `toJSON` would make an array of numbers.
 */
function withBytesAsText(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_KEY]: bytesToBase64(value) };
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = withBytesAsText(value[i]);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(value)) {
      const encoded = withBytesAsText(item);
      if (encoded !== item) (out ??= { ...value })[key] = encoded;
    }
    return out ?? value;
  }
  return value;
}

/** `value` (fresh from JSON.parse) with every `{"$base64"}` stand-in turned back into bytes. */
function withTextAsBytes(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withTextAsBytes(value[i]);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const text = record[BYTES_KEY];
    if (typeof text === 'string' && Object.keys(record).length === 1) return base64ToBytes(text);
    for (const key of Object.keys(record)) {
      // Assigning to "__proto__" would set the prototype; such a key is left as JSON made it.
      if (key !== '__proto__') record[key] = withTextAsBytes(record[key]);
    }
  }
  return value;
}

/** One frame's text for a value of the contract (bytes included). */
export function encodeFrame(value: unknown): string {
  return JSON.stringify(withBytesAsText(value));
}

/** The value a frame's text carries, bytes restored; throws on text that is not JSON. */
export function decodeFrame(text: string): unknown {
  return withTextAsBytes(JSON.parse(text));
}
