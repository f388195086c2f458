/**
 * Payload bytes at the route boundary. The contract carries them as base64 text today; every
 * encode and decode in the lab goes through these two functions, so changing the wire form
 * (to Uint8Array, say) is a change here and in the shared `Bytes` schema only.
 */

/** Bytes as the contract carries them (base64 text). */
export function encodeWireBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes a contract value carries (already validated as base64 by the route's schema). */
export function decodeWireBytes(data: string): Buffer {
  return Buffer.from(data, 'base64');
}

/** How many bytes a contract value carries, without decoding it. */
export function wireByteLength(data: string): number {
  return Buffer.byteLength(data, 'base64');
}
