/**
 * The API reference panel's state: which call it shows and the search text. `openAt` is how
 * the call panel's "?" buttons reach it; `revealCount` tells the workbench to show its tab.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CallName } from '@shared/socket';

export const useReferenceStore = defineStore('reference', () => {
  const selectedCall = ref<CallName>('socket');
  const query = ref('');
  /** Bumped on every `openAt`, so the dock switches to the reference even if the call is the same. */
  const revealCount = ref(0);

  /** Shows `call`'s reference and asks the workbench to bring the panel forward. */
  function openAt(call: CallName): void {
    selectedCall.value = call;
    query.value = '';
    revealCount.value++;
  }

  function select(call: CallName): void {
    selectedCall.value = call;
  }

  return { selectedCall, query, revealCount, openAt, select };
});
