/**
 * The one place the packets UI turns contract bytes into `Uint8Array` and back. The contract
 * carries bytes as base64 today; when it carries `Uint8Array` these two lines are all that change.
 */
import type { PacketDetail } from '@shared/capture';
import { base64ToBytes, bytesToBase64 } from '@renderer/lib/bytes';

/** The contract's byte type (packet data, stream segments, pcapng files). */
export type WireBytes = PacketDetail['data'];

/** Bytes as they arrive from the lab. */
export function fromWire(data: WireBytes): Uint8Array {
  return base64ToBytes(data);
}

/** Bytes as the lab expects them in a request. */
export function toWire(bytes: Uint8Array): WireBytes {
  return bytesToBase64(bytes);
}
