/**
 * The capture process's batches (the patched cap's record layout: seconds, nanoseconds, captured
 * length, original length, bytes) and what the ring store keeps of them: exact nanosecond
 * stamps, original lengths, and frame 1's time after frame 1 is evicted.
 */
import { describe, expect, it } from 'vitest';
import { BatchWriter, decodeBatch, encodeRecord } from '../../src/main/lab/capture/protocol';
import { PacketStore, packetTsNs } from '../../src/main/lab/capture/store';

describe('capture batches', () => {
  it('carries each packet with its kernel stamp, original length and captured bytes', () => {
    const records = [
      encodeRecord(1_796_284_361, 496_217_727, 3042, new Uint8Array(128).fill(1)),
      encodeRecord(1_796_284_361, 999_999_999, 60, new Uint8Array(60).fill(2)),
    ];
    const joined = Buffer.concat(records);
    const writer = new BatchWriter(16);
    writer.appendBatch(joined, joined.length, 2);
    writer.appendBatch(records[0], records[0].length, 1);
    const { count, data } = writer.take();
    expect(count).toBe(3);
    const seen: [number, number, number, number][] = [];
    expect(decodeBatch(data, (sec, nsec, len, bytes) => seen.push([sec, nsec, len, bytes.length]))).toBe(3);
    expect(seen).toEqual([
      [1_796_284_361, 496_217_727, 3042, 128],
      [1_796_284_361, 999_999_999, 60, 60],
      [1_796_284_361, 496_217_727, 3042, 128],
    ]);
    // A damaged batch (cut inside a record) yields the whole records before the cut only.
    expect(decodeBatch(data.subarray(0, data.length - 1), () => undefined)).toBe(2);
  });
});

describe('the ring store and kernel times', () => {
  it('keeps nanoseconds exactly and frame 1 as the time zero after it is evicted', () => {
    const store = new PacketStore({ maxPackets: 2, maxBytes: 1 << 20 });
    const frame = new Uint8Array(60);
    store.append(1, 1_796_284_361_496_217, 3042, 1, frame, 727);
    store.append(2, 1_796_284_361_600_000, 60, 1, frame, 5);
    store.append(3, 1_796_284_543_296_217, 60, 1, frame, 0);
    expect(store.firstNo).toBe(2);
    expect(store.firstTsUs).toBe(1_796_284_361_496_217);
    expect(packetTsNs(store.get(2)!)).toBe(1_796_284_361_600_000_005n);
    store.clear();
    expect(store.firstTsUs).toBeNull();
  });
});
