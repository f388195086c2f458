/**
 * The guided walk in progress: which walk, which step, and which lab socket plays each role.
 * It follows the call log: a step is done when its call succeeds on its role's socket, however
 * the person made it (the guide's button, the panel, a shortcut). "Go" only prepares the step:
 * it selects the socket, chooses the call and fills the obvious arguments; Run stays theirs.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { CallRecord, SocketInfo } from '@shared/socket';
import { GUIDES, type GuideId, type GuideRole, type GuideStep } from '@renderer/lib/guides';
import type { PanelCall } from '@renderer/lib/calls';
import { useCallsStore } from './calls';
import { useSocketsStore } from './sockets';
import { useCallPanelStore } from './callPanel';

export const useGuideStore = defineStore('guide', () => {
  const calls = useCallsStore();
  const sockets = useSocketsStore();
  const panel = useCallPanelStore();
  const guide = ref<GuideId | null>(null);
  const stepIndex = ref(0);
  const roles = shallowRef<ReadonlyMap<GuideRole, number>>(new Map());
  /** Call records up to this id were seen before the current step. */
  let seenId = 0;

  const steps = computed<readonly GuideStep[]>(() => (guide.value ? GUIDES[guide.value] : []));
  const step = computed<GuideStep | null>(() => steps.value[stepIndex.value] ?? null);
  const done = computed(() => guide.value !== null && step.value === null);

  function socketOf(role: GuideRole): SocketInfo | null {
    const id = roles.value.get(role);
    return id === undefined ? null : (sockets.byId.get(id) ?? null);
  }

  /** The call the walk waits for on the selected socket (the call panel highlights it). */
  const nextCall = computed<PanelCall | null>(() => {
    const current = step.value;
    if (!current || current.call === 'socket') return null;
    const socket = socketOf(current.role);
    return socket !== null && socket.socketId === sockets.selectedId ? (current.call as PanelCall) : null;
  });

  function start(id: GuideId): void {
    guide.value = id;
    stepIndex.value = 0;
    roles.value = new Map();
    seenId = calls.records.at(-1)?.id ?? 0;
  }

  function stop(): void {
    guide.value = null;
  }

  function assign(role: GuideRole, socketId: number): void {
    roles.value = new Map(roles.value).set(role, socketId);
  }

  /** Whether `record` completes `current`. */
  function completes(current: GuideStep, record: CallRecord): boolean {
    if (record.call !== current.call || record.ret === null || record.errno !== null) return false;
    if (current.call === 'socket') return record.newSocketId !== null && (!current.type || record.args.type === current.type);
    if (record.socketId !== roles.value.get(current.role)) return false;
    return current.expectZero ? record.ret === 0 : true;
  }

  watch(
    () => calls.records,
    (records) => {
      for (const record of records) {
        const current = step.value;
        if (!current) return;
        if (record.id <= seenId || !completes(current, record)) continue;
        if (current.call === 'socket' && record.newSocketId !== null) assign(current.role, record.newSocketId);
        if (current.makes && record.newSocketId !== null) assign(current.makes, record.newSocketId);
        seenId = record.id;
        stepIndex.value++;
      }
    },
  );

  /** The port another role's socket is bound to (for connect() and sendto()). */
  function portOf(role: GuideRole): number | null {
    const local = socketOf(role)?.local;
    return local && local.family !== 'AF_UNIX' ? local.port : null;
  }

  /** Prepares the current step: selects its socket, chooses its call, fills the obvious arguments. */
  async function go(): Promise<void> {
    const current = step.value;
    if (!current) return;
    if (current.call === 'socket') {
      const made = await sockets.create('AF_INET', current.type ?? 'SOCK_STREAM', 'IPPROTO_IP');
      if (made.ok) assign(current.role, made.socketId);
      return;
    }
    const socket = socketOf(current.role);
    if (socket) sockets.select(socket.socketId);
    panel.activeCall = current.call as PanelCall;
    const args = panel.args;
    if (current.call === 'bind') Object.assign(args, { address: '127.0.0.1', port: 0 });
    if (current.call === 'listen') args.backlog = 5;
    const target =
      current.call === 'connect' ? portOf('server') : current.call === 'sendto' ? portOf(current.role === 'a' ? 'b' : 'a') : null;
    if (target !== null) Object.assign(args, { address: '127.0.0.1', port: target });
    if (current.call === 'send' || current.call === 'sendto') {
      panel.setPayloadFile(null);
      panel.setPayloadMode('text');
      panel.payloadText = current.role === 'client' || current.role === 'b' ? 'hello\n' : 'hi there\n';
    }
  }

  return { guide, stepIndex, steps, step, done, roles, nextCall, socketOf, start, stop, go };
});
