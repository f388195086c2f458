/**
 * The opened packet: its field tree and bytes, the selected field (which lights its bytes in the
 * hex pane), which subtrees are expanded, and the followed stream of its conversation.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { FieldNode, FollowedStream, PacketRow } from '@shared/capture';
import { useLabApi } from '@renderer/api/inject';
import { ancestorsOf, deepestFieldAt, nodeAt, type FieldPath } from '@renderer/components/packets/fieldTree';

/** A decoded packet as the panes use it: bytes already decoded once. */
export interface OpenPacket {
  row: PacketRow;
  bytes: Uint8Array;
  tree: readonly FieldNode[];
}

/** A followed stream with its segments' bytes decoded. */
export interface OpenStream extends Omit<FollowedStream, 'segments'> {
  segments: { direction: 'a-to-b' | 'b-to-a'; no: number; bytes: Uint8Array; missingBefore: number }[];
}

export const usePacketDetailStore = defineStore('packetDetail', () => {
  const api = useLabApi();
  const selectedNo = ref<number | null>(null);
  const packet = shallowRef<OpenPacket | null>(null);
  const error = ref<string | null>(null);
  const selectedPath = shallowRef<FieldPath | null>(null);
  /**
   * Expanded or collapsed by the student, keyed by the field names from the root
   * (`tcp/tcp.flags`), so opening the next packet keeps the same subtrees open, as in Wireshark.
   */
  const expandOverrides = ref(new Map<string, boolean>());
  const stream = shallowRef<OpenStream | null>(null);
  const followError = ref<string | null>(null);
  let asked = 0;

  const selectedField = computed(() => (packet.value && selectedPath.value ? nodeAt(packet.value.tree, selectedPath.value) : null));
  /** Bytes of the selected field, [start, end). */
  const highlight = computed(() => {
    const node = selectedField.value;
    return node && node.length > 0 ? { start: node.start, end: node.start + node.length } : null;
  });

  /** Lab sockets (by identity) the opened packet belongs to: the socket table highlights their rows. */
  const linkedSocketIds = computed<readonly number[]>(() => packet.value?.row.socketIds ?? []);
  /** The call that caused the opened packet, where the lab is certain: the call log highlights it. */
  const linkedCallId = computed(() => packet.value?.row.callId ?? null);

  /** Opens frame `no` (null closes the panes). */
  async function select(no: number | null): Promise<void> {
    selectedNo.value = no;
    const ticket = ++asked;
    if (no === null) {
      packet.value = null;
      selectedPath.value = null;
      return;
    }
    const answer = await api.invoke('capture.packet', { no });
    if (ticket !== asked) return;
    if (!answer.ok) {
      error.value = answer.message;
      packet.value = null;
      return;
    }
    error.value = null;
    packet.value = { row: answer.value.row, bytes: answer.value.data, tree: answer.value.tree };
    selectedPath.value = null;
  }

  /** The key of a node's expansion state: its and its ancestors' field names. */
  function nameKey(path: FieldPath): string {
    const tree = packet.value?.tree ?? [];
    const names: string[] = [];
    for (let i = 1; i <= path.length; i++) names.push(nodeAt(tree, path.slice(0, i))?.name ?? '?');
    return names.join('/');
  }

  /** Protocol layers start open (their fields visible); deeper subtrees start closed. */
  function isExpanded(path: FieldPath): boolean {
    return expandOverrides.value.get(nameKey(path)) ?? path.length === 1;
  }

  function setExpanded(path: FieldPath, open: boolean): void {
    const next = new Map(expandOverrides.value);
    next.set(nameKey(path), open);
    expandOverrides.value = next;
  }

  function selectField(path: FieldPath | null): void {
    selectedPath.value = path;
  }

  /** Selects the deepest field covering byte `offset`, opening its ancestors so it shows. */
  function selectByte(offset: number): void {
    const tree = packet.value?.tree;
    if (!tree) return;
    const path = deepestFieldAt(tree, offset);
    if (!path) return;
    for (const ancestor of ancestorsOf(path)) if (!isExpanded(ancestor)) setExpanded(ancestor, true);
    selectedPath.value = path;
  }

  /** Follows the TCP or UDP conversation of the opened packet. */
  async function follow(): Promise<void> {
    const no = selectedNo.value;
    if (no === null) return;
    followError.value = null;
    const answer = await api.invoke('capture.follow', { no });
    if (!answer.ok) {
      followError.value = answer.message;
      stream.value = null;
      return;
    }
    const { segments, ...rest } = answer.value;
    stream.value = {
      ...rest,
      segments: segments.map((s) => ({ direction: s.direction, no: s.no, bytes: s.data, missingBefore: s.missingBefore ?? 0 })),
    };
  }

  function closeFollow(): void {
    stream.value = null;
    followError.value = null;
  }

  return {
    selectedNo,
    packet,
    error,
    selectedPath,
    selectedField,
    highlight,
    linkedSocketIds,
    linkedCallId,
    stream,
    followError,
    select,
    isExpanded,
    setExpanded,
    selectField,
    selectByte,
    follow,
    closeFollow,
  };
});
