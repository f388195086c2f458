/**
 * The ping view's state: the form (family, target, count, interval, timeout, payload size),
 * the replies of the running ping as they arrive ('ping.reply' events, told apart from other
 * runs by their identifier), and the final summary raw.ping returns.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { PingReply } from '@shared/socket';
import type { RouteInput, RouteOutput } from '@shared/api';
import { useLabApi } from '@renderer/api/inject';
import { useLabStore } from './lab';
import { privilegeCommand } from '@renderer/lib/privileges';

export type PingFamily = NonNullable<RouteInput<'raw.ping'>['family']>;
export type PingSummary = Extract<RouteOutput<'raw.ping'>, { ok: true }>['value'];
/** raw.ping's error (EPERM without privilege, EINVAL for a bad target), or a transport failure (errno null). */
export interface PingFailure {
  errno: Extract<RouteOutput<'raw.ping'>, { ok: false }>['errno'] | null;
  message: string;
}

/** The default target of each family: the loopback address. */
export const DEFAULT_TARGET: Record<PingFamily, string> = { AF_INET: '127.0.0.1', AF_INET6: '::1' };

export const usePingStore = defineStore('ping', () => {
  const api = useLabApi();
  const lab = useLabStore();

  const form = reactive({
    family: 'AF_INET' as PingFamily,
    target: DEFAULT_TARGET.AF_INET,
    count: 4,
    intervalMs: 1000,
    timeoutMs: 1000,
    payloadSize: 56,
  });
  const running = ref(false);
  /** Replies of the current run, in arrival order (live, then completed from the summary). */
  const replies = shallowRef<readonly PingReply[]>([]);
  const summary = shallowRef<PingSummary | null>(null);
  const failure = shallowRef<PingFailure | null>(null);
  /** The target and payload size of the run shown (the form may have changed since). */
  const shownRun = shallowRef<{ target: string; payloadSize: number } | null>(null);

  /** The exact command to get raw privileges, when the lab runs without them. */
  const privilegeHint = computed(() => privilegeCommand(lab.info?.privileges, 'hostRawSockets'));

  /** Switching family moves a default target to the other family's loopback. */
  function setFamily(family: PingFamily): void {
    if (form.target === DEFAULT_TARGET[form.family] || form.target.trim() === '') form.target = DEFAULT_TARGET[family];
    form.family = family;
  }

  function addReply(reply: PingReply): void {
    const key = (r: PingReply): string => `${r.sequence}/${r.duplicate}/${r.rttUs}`;
    if (replies.value.some((r) => key(r) === key(reply))) return;
    replies.value = [...replies.value, reply];
  }

  /** Runs raw.ping with the form's values; live replies show while it runs. */
  async function start(): Promise<void> {
    if (running.value) return;
    running.value = true;
    replies.value = [];
    summary.value = null;
    failure.value = null;
    shownRun.value = { target: form.target.trim(), payloadSize: form.payloadSize };
    // Replies arrive before raw.ping returns, and its identifier is known only then: take the
    // events of whatever run is going, keyed by identifier, and keep the one that answered.
    const seen = new Map<number, PingReply[]>();
    const off = api.on('ping.reply', (reply) => {
      const list = seen.get(reply.identifier) ?? [];
      list.push(reply);
      seen.set(reply.identifier, list);
      if (seen.size === 1) addReply(reply);
    });
    try {
      const answer = await api.invoke('raw.ping', { ...form, target: form.target.trim() });
      if (answer.ok) {
        // Keep only this run's live replies, then any the events missed, from the summary.
        replies.value = [];
        for (const reply of seen.get(answer.value.identifier) ?? []) addReply(reply);
        for (const reply of answer.value.replies) addReply(reply);
        summary.value = answer.value;
      } else {
        failure.value = { errno: answer.errno, message: answer.message };
      }
    } catch (cause) {
      failure.value = { errno: null, message: cause instanceof Error ? cause.message : String(cause) };
    } finally {
      off();
      running.value = false;
    }
  }

  return { form, running, replies, summary, failure, shownRun, privilegeHint, setFamily, start };
});
