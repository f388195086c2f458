/**
 * The Expert Information list (capture.expert), as Wireshark's: the held packets' findings
 * grouped by severity and kind, each entry selecting its packet everywhere.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ExpertGroup } from '@shared/capture';
import { useLabApi } from '@renderer/api/inject';
import { usePacketDetailStore } from '@renderer/stores/packetDetail';

export const useExpertStore = defineStore('expert', () => {
  const api = useLabApi();
  const detail = usePacketDetailStore();
  const open = ref(false);
  const loading = ref(false);
  const groups = shallowRef<readonly ExpertGroup[]>([]);
  const error = ref<string | null>(null);

  /** Asks the lab for the list again (the capture may have grown). */
  async function load(): Promise<void> {
    loading.value = true;
    const answer = await api.invoke('capture.expert', {});
    loading.value = false;
    if (answer.ok) {
      groups.value = answer.value.groups;
      error.value = null;
    } else error.value = answer.message;
  }

  /** Opens the panel with a fresh list. */
  async function show(): Promise<void> {
    open.value = true;
    await load();
  }

  function close(): void {
    open.value = false;
  }

  /** Selects frame `no` in the list, the tree and the bytes. */
  function jump(no: number): void {
    void detail.select(no);
  }

  return { open, loading, groups, error, load, show, close, jump };
});
