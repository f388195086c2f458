/**
 * The call panel's working state: the chosen call, the arguments typed for it and the payload.
 * In a store (not the component) so keyboard shortcuts and the panel make calls the same way.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import { MAX_PAYLOAD_BYTES } from '@shared/socket';
import { formatPayload, parsePayload, type ParseResult, type PayloadMode } from '@renderer/lib/bytes';
import { buildCallRequest, defaultCallArgs } from '@renderer/lib/callInput';
import type { PanelCall } from '@renderer/lib/calls';
import { checkNumber, firstProblem, type NumberProblem } from '@renderer/lib/numberField';
import { useSocketsStore } from './sockets';
import { useCallsStore, type CallOutcome } from './calls';

/** A payload loaded from a file: kept as bytes, never shown as text. */
export interface FilePayload {
  name: string;
  bytes: Uint8Array;
}

export type PayloadState = ParseResult | { ok: false; error: 'tooBig'; index: 0; detail: string };

export const useCallPanelStore = defineStore('callPanel', () => {
  const sockets = useSocketsStore();
  const calls = useCallsStore();

  const activeCall = ref<PanelCall>('bind');
  const args = reactive(defaultCallArgs());
  const payloadMode = ref<PayloadMode>('text');
  const payloadText = ref('hello\n');
  const payloadFile = shallowRef<FilePayload | null>(null);

  const payload = computed<PayloadState>(() => {
    const parsed: ParseResult = payloadFile.value
      ? { ok: true, bytes: payloadFile.value.bytes }
      : parsePayload(payloadMode.value, payloadText.value);
    if (parsed.ok && parsed.bytes.length > MAX_PAYLOAD_BYTES) {
      return { ok: false, error: 'tooBig', index: 0, detail: String(parsed.bytes.length) };
    }
    return parsed;
  });

  /** Switches the editor mode, re-writing valid content so the bytes stay the same. */
  function setPayloadMode(mode: PayloadMode): void {
    const current = payload.value;
    if (!payloadFile.value && current.ok) payloadText.value = formatPayload(mode, current.bytes);
    payloadMode.value = mode;
  }

  function setPayloadFile(file: FilePayload | null): void {
    payloadFile.value = file;
  }

  /** What is wrong with the typed numbers the active call sends, or null (shown, and Run waits). */
  function argsProblemFor(call: PanelCall): NumberProblem | null {
    const info = sockets.selected;
    const addressed = (call === 'bind' || call === 'connect' || call === 'sendto') && info !== null && info.domain !== 'AF_UNIX';
    return firstProblem(
      addressed ? checkNumber('port', args.port, 0, 65535) : null,
      call === 'listen' ? checkNumber('backlog', args.backlog, 0, 65535) : null,
      call === 'recv' || call === 'recvfrom' ? checkNumber('maxBytes', args.maxBytes, 0, 16 * 1024 * 1024) : null,
    );
  }
  const argsProblem = computed(() => argsProblemFor(activeCall.value));

  /**
   * Makes `call` on the selected socket with the current arguments. Returns null when there is
   * no socket selected, it is closed (its descriptor may belong to another socket now), or the
   * payload is invalid (the editor already shows why).
   */
  async function run(call: PanelCall = activeCall.value): Promise<CallOutcome | null> {
    const info = sockets.selected;
    if (!info || info.state === 'closed') return null;
    activeCall.value = call;
    if (argsProblemFor(call) !== null) return null;
    const current = payload.value;
    const data = current.ok ? current.bytes : null;
    const request = buildCallRequest(call, info, args, data);
    if (!request) return null;
    return calls.perform(call, request, info.socketId);
  }

  return { activeCall, args, payloadMode, payloadText, payloadFile, payload, argsProblem, setPayloadMode, setPayloadFile, run };
});
