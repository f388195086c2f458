/**
 * The lab network as the renderer sees it: its state (hosts, link settings, scripted rules,
 * counters, why it cannot run), the frames waiting on the link in step mode, and the actions on
 * them. Everything goes through the net client; `net.changed` snapshots replace the whole state,
 * so it lives in a `shallowRef`.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HeldFrame, HostSpec, LinkRuleIn, LinkSettings, NetInfo } from '@shared/net';
import { LINK_IFACE_PREFIX, STEP_ACTIONS } from '@shared/net';
import { createNetClient } from '@renderer/api/net';
import { useLabApi } from '@renderer/api/inject';
import { useCaptureStore } from './capture';

export type StepAction = (typeof STEP_ACTIONS)[number];

/** A refused net.* request, as the lab worded it. */
export interface NetProblem {
  errno: string;
  message: string;
}

/** Most held frames kept in view; the engine bounds what it holds, this bounds the list we draw. */
const MAX_HELD_SHOWN = 2000;

export const useNetworkStore = defineStore('network', () => {
  const client = createNetClient(useLabApi());
  const info = shallowRef<NetInfo | null>(null);
  const held = shallowRef<readonly HeldFrame[]>([]);
  /** The held frame the keyboard acts on (the oldest when none is chosen). */
  const selectedFrameId = ref<number | null>(null);
  const busy = ref(false);
  const problem = shallowRef<NetProblem | null>(null);
  let unsubscribers: Array<() => void> = [];

  const state = computed(() => info.value?.state ?? 'off');
  const up = computed(() => state.value === 'up');
  /** Host names sockets may be made on (none while the network is not up). */
  const hostNames = computed(() => (up.value ? (info.value?.hosts ?? []).map((h) => h.name) : []));
  /** Capture interfaces of the link, one per host end ("link:A"). */
  const linkInterfaces = computed(() => hostNames.value.map((name) => `${LINK_IFACE_PREFIX}${name}`));
  const selectedFrame = computed(() => held.value.find((f) => f.id === selectedFrameId.value) ?? held.value[0] ?? null);

  function applyInfo(next: NetInfo): void {
    const wasUp = up.value;
    info.value = next;
    // Frames leave the list by their own release events; a network that is not up holds none.
    if (next.state !== 'up' && held.value.length > 0) held.value = [];
    // The link's capture interfaces come and go with the network: the picker must follow.
    if (wasUp !== up.value) void useCaptureStore().refreshInterfaces();
  }

  function addHeld(frame: HeldFrame): void {
    if (held.value.some((f) => f.id === frame.id)) return;
    const next = [...held.value, frame];
    held.value = next.length > MAX_HELD_SHOWN ? next.slice(next.length - MAX_HELD_SHOWN) : next;
  }

  function removeHeld(id: number): void {
    held.value = held.value.filter((f) => f.id !== id);
    if (selectedFrameId.value === id) selectedFrameId.value = null;
  }

  /** Subscribes to the net.* events (once) and loads the state and the frames held now. */
  async function connect(): Promise<void> {
    if (unsubscribers.length > 0) return;
    unsubscribers = [client.onChanged(applyInfo), client.onHeld(addHeld), client.onReleased(({ id }) => removeHeld(id))];
    const answer = await client.info();
    if (!answer.ok) {
      problem.value = { errno: answer.errno, message: answer.message };
      return;
    }
    applyInfo(answer.value);
    if (answer.value.state === 'up') await reloadHeld();
  }

  function disconnect(): void {
    for (const off of unsubscribers) off();
    unsubscribers = [];
  }

  async function reloadHeld(): Promise<void> {
    const list = await client.held();
    if (list.ok) held.value = list.value.slice(-MAX_HELD_SHOWN);
  }

  /** Runs one net.* request; a refusal lands in `problem`, a NetInfo answer replaces the state. */
  async function run<T>(request: () => Promise<{ ok: true; value: T } | { ok: false; errno: string; message: string }>): Promise<T | null> {
    busy.value = true;
    try {
      const answer = await request();
      if (!answer.ok) {
        problem.value = { errno: answer.errno, message: answer.message };
        return null;
      }
      problem.value = null;
      return answer.value;
    } catch (cause) {
      problem.value = { errno: 'EIO', message: cause instanceof Error ? cause.message : String(cause) };
      return null;
    } finally {
      busy.value = false;
    }
  }

  async function create(hosts?: HostSpec[], step = false): Promise<boolean> {
    const value = await run(() => client.create({ hosts, step }));
    if (value) applyInfo(value);
    else await refresh(); // a refused network explains itself in its state (error, fix)
    return value !== null;
  }

  async function destroy(): Promise<boolean> {
    const value = await run(() => client.destroy());
    held.value = [];
    await refresh();
    return value !== null;
  }

  async function refresh(): Promise<void> {
    const answer = await client.info();
    if (answer.ok) applyInfo(answer.value);
  }

  /** Changes some link settings while traffic flows. */
  async function setLink(link: Partial<LinkSettings>): Promise<boolean> {
    const value = await run(() => client.setLink({ link }));
    if (value) applyInfo(value);
    return value !== null;
  }

  /** Replaces the scripted rules ("drop the Nth ..."). */
  async function setRules(rules: LinkRuleIn[]): Promise<boolean> {
    const value = await run(() => client.setLink({ link: {}, rules }));
    if (value) applyInfo(value);
    return value !== null;
  }

  async function setStep(on: boolean): Promise<boolean> {
    const value = await run(() => client.setStep(on));
    if (value) applyInfo(value);
    if (value && !on) held.value = [];
    return value !== null;
  }

  /** Decides a held frame's fate (`id` null: every held frame, oldest first). */
  async function act(id: number | null, action: StepAction, delayMs = 0): Promise<boolean> {
    const value = await run(() => client.act({ id, action, delayMs }));
    if (value && id !== null && action !== 'duplicate') removeHeld(id);
    return value !== null;
  }

  /** Selects the held frame `delta` rows away from the current one (keyboard). */
  function selectRelative(delta: number): void {
    const list = held.value;
    if (list.length === 0) return;
    const index = list.findIndex((f) => f.id === selectedFrame.value?.id);
    selectedFrameId.value = list[Math.min(list.length - 1, Math.max(0, index + delta))]!.id;
  }

  /**
   * The host an address belongs to ("10.0.0.2:7000", "[fd00::1]:80", "10.0.0.1"), or null when
   * it is none of the network's.
   */
  function hostOfAddress(address: string): string | null {
    const bareIpv6 = !address.startsWith('[') && address.split(':').length > 2;
    const ip = address.startsWith('[') ? address.slice(1, address.indexOf(']')) : bareIpv6 ? address : address.replace(/:\d+$/, '');
    const host = (info.value?.hosts ?? []).find((h) => h.ipv4 === ip || h.ipv6.toLowerCase() === ip.toLowerCase());
    return host?.name ?? null;
  }

  return {
    info,
    held,
    selectedFrameId,
    selectedFrame,
    busy,
    problem,
    state,
    up,
    hostNames,
    linkInterfaces,
    connect,
    disconnect,
    refresh,
    create,
    destroy,
    setLink,
    setRules,
    setStep,
    act,
    selectRelative,
    hostOfAddress,
  };
});
