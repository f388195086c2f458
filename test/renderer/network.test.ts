/**
 * The lab network in the renderer, against the fake lab's schema-checked network (netFake.ts):
 * the panel creates and destroys it, explains a refusal with the lab's command, sockets are made
 * on a host and show it, the link changes while up, rules and step mode act on frames, and the
 * link can be captured.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import NetworkPanel from '@renderer/components/network/NetworkPanel.vue';
import NewSocketForm from '@renderer/components/NewSocketForm.vue';
import SocketTable from '@renderer/components/SocketTable.vue';
import CallLog from '@renderer/components/CallLog.vue';
import { useNetworkStore } from '@renderer/stores/network';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallsStore } from '@renderer/stores/calls';
import { i18n } from '@renderer/i18n';
import type { CallRecord } from '@shared/socket';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';
import { FakeNetwork } from './netFake';
import { captureStatus } from './packetsFake';

const REFUSAL = {
  error: 'AppArmor restricts unprivileged user namespaces on this machine (kernel.apparmor_restrict_unprivileged_userns = 1).',
  fix: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
};

/** A fake lab with a network, and capture interfaces that follow it (the link's ends when up). */
function labWithNetwork(refusal: typeof REFUSAL | null = null): { fake: FakeLab; net: FakeNetwork } {
  const fake = new FakeLab();
  const net = new FakeNetwork(fake, refusal);
  fake.respond('capture.interfaces', () => ({
    ok: true,
    value: [
      { name: 'lo', description: null, addresses: [], loopback: true, up: true, running: true },
      ...net.info.hosts.map((h) => ({
        name: `link:${h.name}`,
        description: null,
        addresses: [],
        loopback: false,
        up: true,
        running: true,
      })),
    ],
  }));
  fake.respond('capture.status', () => ({ ok: true, value: captureStatus() }));
  fake.respond('capture.start', (input) => ({ ok: true, value: captureStatus({ running: true, iface: input.iface }) }));
  return { fake, net };
}

function callRecord(patch: Partial<CallRecord>): CallRecord {
  return {
    id: 1,
    fd: 3,
    call: 'connect',
    args: {},
    startWallUs: 0,
    startMonoUs: 0,
    durationUs: 10,
    ret: 0,
    errno: null,
    message: null,
    ...patch,
  } as CallRecord;
}

describe('network panel', () => {
  it('creates hosts A and B with their addresses, shows them up, and destroys the network', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    expect(wrapper.get('[data-testid="net-state"]').text()).toBe('Off');
    expect((wrapper.get('[data-testid="net-host-ipv4-1"]').element as HTMLInputElement).value).toBe('10.0.0.2');
    await wrapper.get('[data-testid="net-create"]').trigger('click');
    await settle();
    expect(fake.inputsOf('net.create')[0]?.hosts?.map((h) => h.name)).toEqual(['A', 'B']);
    expect(wrapper.get('[data-testid="net-state"]').text()).toBe('Up');
    expect(wrapper.get('[data-testid="net-host-B"]').text()).toContain('fd00::2/64');
    expect(wrapper.get('[data-testid="net-host-A"]').text()).toContain('fd00::1/64');
    await wrapper.get('[data-testid="net-destroy"]').trigger('click');
    await settle();
    expect(fake.inputsOf('net.destroy')).toHaveLength(1);
    expect(net.info.state).toBe('off');
    expect(wrapper.get('[data-testid="net-state"]').text()).toBe('Off');
  });

  it('says exactly why user namespaces are refused, with the command that fixes it, in English and Chinese', async () => {
    const { fake } = labWithNetwork(REFUSAL);
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await wrapper.get('[data-testid="net-create"]').trigger('click');
    await settle();
    const refused = wrapper.get('[data-testid="net-refused"]');
    expect(refused.text()).toContain(REFUSAL.error);
    expect(wrapper.get('[data-testid="net-fix"]').text()).toBe(REFUSAL.fix);
    expect(refused.text()).toContain('"this machine" lab keeps working');
    expect(wrapper.get('[data-testid="net-state"]').text()).toBe('Cannot start');
    i18n.global.locale.value = 'zh-CN';
    await settle();
    expect(wrapper.get('[data-testid="net-refused"]').text()).toContain('本机不允许创建实验网络');
    expect(wrapper.get('[data-testid="net-state"]').text()).toBe('无法启动');
    i18n.global.locale.value = 'en';
  });

  it('changes the link while up; a value the schema refuses is explained and never sent', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create();
    await settle();
    await wrapper.get('[data-testid="net-link-delayMs"]').setValue('50'); // input, then change
    await settle();
    expect(fake.inputsOf('net.link.set')).toEqual([{ link: { delayMs: 50 } }]);
    expect(net.info.link.delayMs).toBe(50);
    await wrapper.get('[data-testid="net-link-lossPercent"]').setValue('150');
    await settle();
    expect(wrapper.get('[data-testid="net-link-error"]').text()).toContain('lossPercent is at most 100');
    expect(fake.inputsOf('net.link.set')).toHaveLength(1);
    expect((wrapper.get('[data-testid="net-link-lossPercent"]').element as HTMLInputElement).value).toBe('0');
  });

  it('adds the "drop the first SYN-ACK" rule and a typed "drop the 3rd frame" rule', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create();
    await settle();
    await wrapper.get('[data-testid="net-rule-drop-synack"]').trigger('click');
    await settle();
    expect(net.info.rules).toHaveLength(1);
    expect(net.info.rules[0]).toMatchObject({ action: 'drop', nth: 1, match: 'tcp.flags.syn == 1 && tcp.flags.ack == 1' });
    await wrapper.get('[data-testid="net-rule-nth"]').setValue(3);
    await wrapper.get('[data-testid="net-rule-match"]').setValue('tcp');
    await wrapper.get('[data-testid="net-rule-add"]').trigger('submit');
    await settle();
    expect(net.info.rules[1]).toMatchObject({ action: 'drop', nth: 3, match: 'tcp' });
    expect(wrapper.get('[data-testid="net-rule-1"]').text()).toContain('frame 3');
  });

  it('captures the link at a host in the packet views', async () => {
    const { fake } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create();
    await settle();
    await wrapper.get('[data-testid="net-capture-B"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.start').map((i) => i.iface)).toEqual(['link:B']);
  });
});

describe('step mode', () => {
  it('lists held frames decoded, with the call that caused each, and delivers, drops, duplicates and delays them', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create(undefined, true);
    useCallsStore().setAll([callRecord({ id: 1_000_000_001, fd: 1000, call: 'connect', host: 'A' })]);
    const syn = net.hold({ fd: 1000, callId: 1_000_000_001 });
    const synAck = net.hold({ from: 'B', to: 'A', src: '10.0.0.2', dst: '10.0.0.1', info: '7000 → 40000 [SYN, ACK] Seq=0 Ack=1' });
    await settle();
    expect(wrapper.get('[data-testid="net-step-count"]').text()).toBe('2 frames waiting');
    expect(wrapper.get(`[data-testid="net-held-${syn.id}"]`).text()).toContain('[SYN] Seq=0');
    expect(wrapper.get(`[data-testid="net-held-cause-${syn.id}"]`).text()).toBe('connect() on fd 1000');
    expect(wrapper.get(`[data-testid="net-held-cause-${synAck.id}"]`).text()).toBe('—');
    await wrapper.get(`[data-testid="net-deliver-${syn.id}"]`).trigger('click');
    await settle();
    expect(wrapper.find(`[data-testid="net-held-${syn.id}"]`).exists()).toBe(false);
    await wrapper.get(`[data-testid="net-duplicate-${synAck.id}"]`).trigger('click');
    await wrapper.get('[data-testid="net-step-delay-ms"]').setValue(250);
    await wrapper.get(`[data-testid="net-delay-${synAck.id}"]`).trigger('click');
    await settle();
    expect(fake.inputsOf('net.step.act')).toEqual([
      { id: syn.id, action: 'deliver', delayMs: 0 },
      { id: synAck.id, action: 'duplicate', delayMs: 0 },
      { id: synAck.id, action: 'delay', delayMs: 250 },
    ]);
    expect(wrapper.find('[data-testid="net-step-empty"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="net-counter-duplicated"]').text()).toContain('1');
  });

  it('acts on the chosen frame from the keyboard: arrows choose, X drops, D delivers', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create(undefined, true);
    const first = net.hold();
    const second = net.hold({ from: 'B', to: 'A' });
    await settle();
    const list = wrapper.get('[data-testid="net-step-list"]');
    await list.trigger('keydown', { key: 'ArrowDown' });
    await list.trigger('keydown', { key: 'x' });
    await settle();
    await list.trigger('keydown', { key: 'd' });
    await settle();
    expect(fake.inputsOf('net.step.act').map((i) => [i.id, i.action])).toEqual([
      [second.id, 'drop'],
      [first.id, 'deliver'],
    ]);
    expect(wrapper.get('[data-testid="net-counter-dropped"]').text()).toContain('1');
    expect(wrapper.get('[data-testid="net-drop-causes"]').text()).toContain('by you 1');
  });

  it('turning step mode off delivers every held frame', async () => {
    const { fake, net } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NetworkPanel, { global });
    await settle();
    await useNetworkStore().create(undefined, true);
    net.hold();
    net.hold();
    await settle();
    await wrapper.get('[data-testid="net-step-toggle"]').trigger('change');
    await settle();
    expect(fake.inputsOf('net.step.mode')).toEqual([{ on: false }]);
    expect(net.held).toEqual([]);
    expect(wrapper.find('[data-testid="net-step-list"]').exists()).toBe(false);
  });
});

describe('sockets on hosts', () => {
  it('offers the hosts in the new-socket form only while the network is up, and makes the socket on the chosen one', async () => {
    const { fake } = labWithNetwork();
    const { global } = setupLab(fake);
    const wrapper = mount(NewSocketForm, { global });
    await settle();
    expect(wrapper.find('[data-testid="new-socket-host"]').exists()).toBe(false);
    await wrapper.get('[data-testid="new-socket-create"]').trigger('submit');
    await useNetworkStore().create();
    await settle();
    const picker = wrapper.get('[data-testid="new-socket-host"]');
    expect(picker.text()).toContain('this machine');
    expect(picker.text()).toContain('B (10.0.0.2)');
    await picker.setValue('B');
    await wrapper.get('[data-testid="new-socket-form"]').trigger('submit');
    await settle();
    const inputs = fake.inputsOf('socket.socket');
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).not.toHaveProperty('host');
    expect(inputs[1]).toMatchObject({ domain: 'AF_INET', type: 'SOCK_STREAM', host: 'B' });
    await useNetworkStore().destroy();
    await settle();
    expect(wrapper.find('[data-testid="new-socket-host"]').exists()).toBe(false);
  });

  it('shows the host of every socket in the table and of every call in the call log', async () => {
    const { fake } = labWithNetwork();
    const { global } = setupLab(fake);
    useSocketsStore().setAll([socketInfo({ fd: 3 }), socketInfo({ fd: 1000, host: 'A' })]);
    useCallsStore().setAll([callRecord({ id: 1, fd: 3 }), callRecord({ id: 1_000_000_001, fd: 1000, host: 'A' })]);
    const table = mount(SocketTable, { global });
    const log = mount(CallLog, { global });
    await settle();
    expect(table.get('[data-testid="socket-row-1000"]').find('[data-testid="host-badge"]').text()).toBe('A');
    expect(table.get('[data-testid="socket-row-3"]').find('[data-testid="host-badge"]').exists()).toBe(false);
    expect(log.get('[data-testid="call-log-entry-1000000001"]').find('[data-testid="host-badge"]').text()).toBe('A');
    expect(log.get('[data-testid="call-log-entry-1"]').find('[data-testid="host-badge"]').exists()).toBe(false);
  });

  it('names the host an address belongs to (for the ladder), IPv4 and IPv6', async () => {
    const { fake } = labWithNetwork();
    setupLab(fake);
    const network = useNetworkStore();
    await network.create();
    expect(network.hostOfAddress('10.0.0.2:7000')).toBe('B');
    expect(network.hostOfAddress('[fd00::1]:40000')).toBe('A');
    expect(network.hostOfAddress('fd00::2')).toBe('B');
    expect(network.hostOfAddress('127.0.0.1:80')).toBeNull();
  });
});
