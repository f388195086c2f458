/**
 * The side table of packet ties kept beside the ring store: ties read back as written (one, two
 * or more sockets with their descriptors, a reused descriptor on two sockets, call or kernel or unknown), evicted frames lose theirs, and the ring keeps
 * them right through growth and wrap-around.
 */
import { describe, expect, it } from 'vitest';
import { TieTable, type RowTie } from '../../src/main/lab/capture/tie-table';

const tieFor = (no: number): RowTie => {
  const kinds: RowTie[] = [
    { socketIds: [], fds: [], callId: null, cause: null },
    { socketIds: [1], fds: [3], callId: no, cause: 'call' },
    { socketIds: [9, 1], fds: [3, 3], callId: null, cause: 'kernel' },
    { socketIds: [5, 1, 70_000], fds: [5, 3, 7], callId: 2 ** 32 - 1, cause: 'call' },
  ];
  return kinds[no % kinds.length];
};

describe('TieTable', () => {
  it('reads back each frame tie, drops evicted ones, and survives growth and wrap-around', () => {
    const table = new TieTable();
    let oldest = 1;
    for (let no = 1; no <= 20_000; no++) {
      table.set(no, tieFor(no));
      // Keep a window of 5000 frames, like a full ring store evicting the oldest.
      if (no - oldest >= 5000) table.dropBefore((oldest = no - 4999));
    }
    expect(table.get(oldest - 1)).toEqual({ socketIds: [], fds: [], callId: null, cause: null });
    for (const no of [oldest, oldest + 1, oldest + 2, oldest + 3, 17_345, 20_000]) expect(table.get(no)).toEqual(tieFor(no));
    expect(table.get(20_001)).toEqual({ socketIds: [], fds: [], callId: null, cause: null });
  });

  it('leaves skipped frames untied, ignores a second tie, and starts over after clear', () => {
    const table = new TieTable();
    table.set(10, tieFor(1));
    table.set(12, tieFor(2));
    table.set(12, tieFor(1));
    expect(table.get(11)).toEqual({ socketIds: [], fds: [], callId: null, cause: null });
    expect(table.get(12)).toEqual(tieFor(2));
    table.dropBefore(100);
    table.set(100, tieFor(1));
    expect(table.get(100)).toEqual(tieFor(1));
    table.clear();
    expect(table.get(100)).toEqual({ socketIds: [], fds: [], callId: null, cause: null });
    table.set(1, tieFor(3));
    expect(table.get(1)).toEqual(tieFor(3));
  });
});
