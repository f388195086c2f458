/**
 * Payload bytes at the route boundary. Callers send raw bytes or base64 text; the lab answers
 * in base64 text (see `Bytes` and `BytesIn` in src/shared/socket.ts), for every area of the lab. Every
 * encode and decode in the lab goes through these two functions, so changing the wire form
 * (to Uint8Array, say) is a change here and in the shared `Bytes` schema only.
 */

/** Bytes as the contract carries them (base64 text). */
export function encodeWireBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes a contract value carries: raw bytes as they are (no copy), or decoded base64. */
export function decodeWireBytes(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** How many bytes a contract value carries, without decoding it. */
export function wireByteLength(data: string): number {
  return Buffer.byteLength(data, 'base64');
}
