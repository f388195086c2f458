/**
 * Walking a packet's field tree: nodes are addressed by their index path (`[2, 0, 3]`), so the
 * tree, the hex pane and the selection agree on which node is meant even when names repeat.
 */
import type { FieldNode } from '@shared/capture';

export type FieldPath = readonly number[];

/** A path as a map key (`"2.0.3"`). */
export function pathKey(path: FieldPath): string {
  return path.join('.');
}

/** The node at `path`, or null. */
export function nodeAt(tree: readonly FieldNode[], path: FieldPath): FieldNode | null {
  let level: readonly FieldNode[] | undefined = tree;
  let node: FieldNode | null = null;
  for (const index of path) {
    node = level?.[index] ?? null;
    if (!node) return null;
    level = node.children;
  }
  return node;
}

function covers(node: FieldNode, offset: number): boolean {
  return node.length > 0 && offset >= node.start && offset < node.start + node.length;
}

/**
 * The deepest field covering byte `offset` (Wireshark's rule when a byte is clicked); among
 * siblings that overlap, the narrowest wins, and a field wins over a note on the same bytes.
 * When several fields share exactly the same bytes (the bits of a flags byte), no one of them
 * is "the" field of that byte: the walk stops at their parent. Null when nothing covers it.
 */
export function deepestFieldAt(tree: readonly FieldNode[], offset: number): FieldPath | null {
  let best: number[] | null = null;
  let level: readonly FieldNode[] | undefined = tree;
  const path: number[] = [];
  while (level && level.length > 0) {
    let chosen = -1;
    let ties = 0;
    for (let i = 0; i < level.length; i++) {
      const node = level[i]!;
      if (!covers(node, offset)) continue;
      const current = chosen === -1 ? null : level[chosen]!;
      if (current === null || node.length < current.length || (node.length === current.length && current.severity && !node.severity)) {
        chosen = i;
        ties = 0;
      } else if (node.length === current.length && node.start === current.start && !node.severity) {
        ties++;
      }
    }
    if (chosen === -1 || (ties > 0 && path.length > 0)) break;
    path.push(chosen);
    best = [...path];
    level = level[chosen]!.children;
  }
  return best;
}

/** Every proper prefix of `path` (the ancestors that must be expanded to show it). */
export function ancestorsOf(path: FieldPath): FieldPath[] {
  const list: FieldPath[] = [];
  for (let i = 1; i < path.length; i++) list.push(path.slice(0, i));
  return list;
}
