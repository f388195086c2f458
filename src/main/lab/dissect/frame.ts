/** The frame pseudo-protocol: number, arrival time and lengths, as tshark's frame.* fields. */
import type { Sink } from './sink';
import { field, protocol } from './fields';
import type { FrameMeta } from './types';

export const FRAME = {
  proto: protocol('frame', 'Frame'),
  number: field('frame.number', 'Frame Number', 'uint'),
  timeEpoch: field('frame.time_epoch', 'Epoch Time', 'time'),
  len: field('frame.len', 'Frame Length', 'uint'),
  capLen: field('frame.cap_len', 'Capture Length', 'uint'),
  comments: protocol('pkt_comment', 'Packet comments'),
  comment: field('frame.comment', 'Comment', 'string'),
} as const;

/** `1213854742.058588000`: seconds and nanoseconds since the epoch, as tshark prints them. */
export function formatEpoch(tsNs: bigint): string {
  const neg = tsNs < 0n;
  const abs = neg ? -tsNs : tsNs;
  return `${neg ? '-' : ''}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** Adds the frame node (with whatever the capture knows about the frame). */
export function frameFields(sink: Sink, capLen: number, meta: FrameMeta): void {
  const len = meta.origLen ?? capLen;
  // Wireshark shows a file's packet comments first, above the frame.
  if (meta.comment !== undefined) {
    sink.open(FRAME.comments, 0, 0, 'Packet comments');
    for (const line of meta.comment.split('\n')) sink.field(FRAME.comment, 0, 0, line, line);
    sink.close();
  }
  const numberText = meta.number !== undefined ? ` ${meta.number}` : '';
  sink.open(FRAME.proto, 0, capLen, `Frame${numberText}: ${len} bytes on wire, ${capLen} bytes captured`);
  if (meta.number !== undefined) sink.field(FRAME.number, 0, 0, meta.number);
  if (meta.tsNs !== undefined) sink.field(FRAME.timeEpoch, 0, 0, formatEpoch(meta.tsNs));
  sink.field(FRAME.len, 0, 0, len, `${len} bytes`);
  sink.field(FRAME.capLen, 0, 0, capLen, `${capLen} bytes`);
  sink.close();
}
