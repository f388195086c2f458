/**
 * Payload bytes at the route boundary. The contract carries raw bytes (`Bytes`, a Uint8Array, in
 * src/shared/socket.ts): callers hand the lab a Uint8Array and the lab answers with one; only web
 * mode's codec turns them into text for JSON. The lab works with Buffers, which are Uint8Arrays,
 * so answers need no conversion and requests only a view.
 */

/** A Buffer view of the bytes a request carries (no copy). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
