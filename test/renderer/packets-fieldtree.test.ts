import { describe, expect, it } from 'vitest';
import type { FieldNode } from '@shared/capture';
import { ancestorsOf, deepestFieldAt, nodeAt } from '@renderer/components/packets/fieldTree';
import { SYN_TREE } from './packetsFake';

const name = (path: readonly number[] | null): string | null => (path ? (nodeAt(SYN_TREE, path)?.name ?? null) : null);

describe('field tree lookups', () => {
  it('picks the deepest, narrowest field covering a byte', () => {
    expect(name(deepestFieldAt(SYN_TREE, 0))).toBe('eth.dst');
    expect(name(deepestFieldAt(SYN_TREE, 27))).toBe('ip.src');
    expect(name(deepestFieldAt(SYN_TREE, 15))).toBe('ip');
    expect(name(deepestFieldAt(SYN_TREE, 47))).toBe('tcp.flags.syn');
    expect(deepestFieldAt(SYN_TREE, 54)).toBeNull();
  });

  it('prefers a field to a note on the same bytes, and the parent when bits share a byte', () => {
    expect(name(deepestFieldAt(SYN_TREE, 50))).toBe('tcp.checksum');
    const bits: FieldNode[] = [
      {
        name: 'tcp.flags',
        label: 'Flags',
        start: 46,
        length: 2,
        children: [
          { name: 'tcp.flags.cwr', label: 'CWR', start: 47, length: 1 },
          { name: 'tcp.flags.syn', label: 'SYN', start: 47, length: 1 },
        ],
      },
    ];
    expect(deepestFieldAt(bits, 47)).toEqual([0]);
    expect(ancestorsOf([3, 2, 0])).toEqual([[3], [3, 2]]);
  });
});
