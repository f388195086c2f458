import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { RouteOutput } from '@shared/api';
import type { PingReply } from '@shared/socket';
import CallPanel from '@renderer/components/CallPanel.vue';
import PingView from '@renderer/views/PingView.vue';
import { useLabStore } from '@renderer/stores/lab';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallPanelStore } from '@renderer/stores/callPanel';
import { settle, setupLab, socketInfo } from './fakeLab';
import { READY_PLAN } from './privileges';
import { i18n } from '@renderer/i18n';

function reply(sequence: number, patch: Partial<PingReply> = {}): PingReply {
  return { identifier: 0x4242, sequence, rttUs: 45 + sequence, ttl: 64, bytes: 64, from: '127.0.0.1', duplicate: false, ...patch };
}

describe('ping view', () => {
  it('runs raw.ping with the form, shows replies as they arrive, then the statistics', async () => {
    const { fake, global } = setupLab();
    let finish: (answer: RouteOutput<'raw.ping'>) => void = () => {};
    fake.respond('raw.ping', () => new Promise((resolve) => (finish = resolve)));
    const wrapper = mount(PingView, { global });
    expect((wrapper.get('[data-testid="ping-target"]').element as HTMLInputElement).value).toBe('127.0.0.1');
    await wrapper.get('[data-testid="ping-count"]').setValue(4);
    await wrapper.get('form').trigger('submit');
    expect(fake.inputsOf('raw.ping')).toEqual([
      { family: 'AF_INET', target: '127.0.0.1', count: 4, intervalMs: 1000, timeoutMs: 1000, payloadSize: 56 },
    ]);
    expect(wrapper.get('[data-testid="ping-start"]').attributes('disabled')).toBeDefined();

    fake.emit('ping.reply', reply(1));
    fake.emit('ping.reply', reply(2));
    await settle();
    const live = wrapper.findAll('[data-testid="ping-reply"]');
    expect(live).toHaveLength(2);
    expect(live[0]!.text()).toBe('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.046 ms');
    expect(wrapper.find('[data-testid="ping-summary"]').exists()).toBe(false);

    finish({
      ok: true,
      value: {
        target: '127.0.0.1',
        identifier: 0x4242,
        transmitted: 4,
        received: 3,
        lossPercent: 25,
        rtt: { min: 46, avg: 47, max: 49, mdev: 1.25 },
        replies: [reply(1), reply(2), reply(4, { rttUs: 49 })],
        errors: [],
      },
    });
    await settle();
    expect(wrapper.findAll('[data-testid="ping-reply"]').map((r) => r.text())).toHaveLength(3);
    const summary = wrapper.get('[data-testid="ping-summary"]').text();
    expect(summary).toContain('--- 127.0.0.1 ping statistics ---');
    expect(summary).toContain('4 packets transmitted, 3 received, 25% packet loss');
    expect(summary).toContain('rtt min/avg/max/mdev = 0.046/0.047/0.049/0.001 ms');
    expect(wrapper.get('[data-testid="ping-start"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('moves the default target to ::1 for IPv6 and prints replies without a TTL', async () => {
    const { fake, global } = setupLab();
    fake.respond('raw.ping', (input) => ({
      ok: true,
      value: {
        target: input.target,
        identifier: 7,
        transmitted: 1,
        received: 1,
        lossPercent: 0,
        rtt: { min: 30, avg: 30, max: 30, mdev: 0 },
        replies: [reply(1, { identifier: 7, ttl: null, from: '::1', rttUs: 30 })],
        errors: [],
      },
    }));
    const wrapper = mount(PingView, { global });
    await wrapper.get('[data-testid="ping-family"]').setValue('AF_INET6');
    expect((wrapper.get('[data-testid="ping-target"]').element as HTMLInputElement).value).toBe('::1');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(fake.inputsOf('raw.ping')[0]).toMatchObject({ family: 'AF_INET6', target: '::1' });
    expect(wrapper.get('[data-testid="ping-reply"]').text()).toBe('64 bytes from ::1: icmp_seq=1 time=0.030 ms');
    expect(wrapper.get('[data-testid="ping-summary"]').text()).toContain('1 packets transmitted, 1 received, 0% packet loss');
    wrapper.unmount();
  });

  it('shows the privilege command and the EPERM the lab returns, and stays usable', async () => {
    const { fake, global } = setupLab();
    const hint = 'sudo setcap cap_net_raw,cap_net_admin=eip /opt/SockLab/socklab';
    fake.respond('lab.info', () => ({
      ok: true,
      value: {
        version: 't',
        mode: 'web',
        platform: 'linux',
        privileges: { ...READY_PLAN, items: READY_PLAN.items.map((i) => (i.ability === 'hostRawSockets' ? { ...i, command: hint } : i)) },
      },
    }));
    fake.respond('raw.ping', () => ({ ok: false, errno: 'EPERM', code: 1, message: 'raw sockets need CAP_NET_RAW' }));
    await useLabStore().start();
    const wrapper = mount(PingView, { global });
    expect(wrapper.get('[data-testid="ping-privilege-hint"]').text()).toBe(hint);
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="ping-error"]').text()).toBe('ping failed: EPERM: raw sockets need CAP_NET_RAW');
    expect(wrapper.get('[data-testid="ping-start"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });
});

describe('ICMP builder', () => {
  it('builds the message, shows its bytes and checksum, and hands them to sendto() of a raw socket', async () => {
    const { fake, global } = setupLab();
    fake.respond('raw.buildIcmp', () => ({
      ok: true,
      value: { data: Uint8Array.from([0x08, 0x00, 0xf7, 0xff, 0x12, 0x34, 0x00, 0x01]), checksum: 0xf7ff },
    }));
    useSocketsStore().setAll([socketInfo({ fd: 5, type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' })]);
    const wrapper = mount(PingView, { global });
    const builder = wrapper.get('[data-testid="icmp-builder"]');
    await builder.get('[data-testid="icmp-payload"]').setValue('');
    await builder.get('[data-testid="icmp-build"]').trigger('click');
    await settle();
    expect(fake.inputsOf('raw.buildIcmp')[0]).toEqual({
      family: 'AF_INET',
      type: 8,
      code: 0,
      identifier: 0x1234,
      sequence: 1,
      payload: new Uint8Array(0),
    });
    expect(builder.get('[data-testid="icmp-checksum"]').text()).toBe('Checksum: 0xf7ff');
    expect(builder.get('[data-testid="icmp-hex"]').text()).toBe('08 00 f7 ff 12 34 00 01');
    await builder.get('[data-testid="icmp-to-sendto"]').trigger('click');
    const panel = useCallPanelStore();
    expect(panel.activeCall).toBe('sendto');
    expect(panel.payloadMode).toBe('hex');
    expect(panel.payloadText).toBe('08 00 f7 ff 12 34 00 01');
    wrapper.unmount();
  });

  it('shows the lab error for a message it cannot build', async () => {
    const { fake, global } = setupLab();
    fake.respond('raw.buildIcmp', () => ({ ok: false, errno: 'EINVAL', code: 22, message: 'type must be 0-255' }));
    const wrapper = mount(PingView, { global });
    await wrapper.get('[data-testid="icmp-build"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="icmp-error"]').text()).toBe('EINVAL: type must be 0-255');
    expect(wrapper.find('[data-testid="icmp-checksum"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="icmp-to-sendto"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });

  it('uses ICMPv6 echo request 128 in IPv6 mode, checks its fields itself, and never splits a byte across lines', async () => {
    const { fake, global } = setupLab();
    fake.respond('raw.buildIcmp', (input) => ({
      ok: true,
      value: { data: Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? input.type : i)), checksum: 0 },
    }));
    const wrapper = mount(PingView, { global });
    await wrapper.get('[data-testid="ping-family"]').setValue('AF_INET6');
    const type = wrapper.get('[data-testid="icmp-type"]');
    expect((type.element as HTMLInputElement).value).toBe('128');
    expect(wrapper.get('#icmp-types').text()).toContain('128: echo request');
    await wrapper.get('[data-testid="icmp-build"]').trigger('click');
    await settle();
    expect(fake.inputsOf('raw.buildIcmp').at(-1)).toMatchObject({ family: 'AF_INET6', type: 128 });
    const lines = wrapper.get('[data-testid="icmp-hex"]').text().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => /^([0-9a-f]{2})( [0-9a-f]{2})*$/.test(line))).toBe(true);

    // 300 is no ICMP type: said here, translated, and nothing is asked of the lab.
    i18n.global.locale.value = 'zh-CN';
    await type.setValue(300);
    expect(wrapper.get('[data-testid="icmp-field-error"]').text()).toBe('类型必须在 0 到 255 之间。');
    expect(wrapper.get('[data-testid="icmp-build"]').attributes('disabled')).toBeDefined();
    i18n.global.locale.value = 'en';
    wrapper.unmount();
  });
});

describe('the app’s own form checks', () => {
  it('refuses port 70000 in its own words, and Run waits', async () => {
    const { global } = setupLab();
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'created' })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="call-bind"]').trigger('click');
    expect(wrapper.get('form').attributes('novalidate')).toBeDefined();
    await wrapper.get('[data-testid="arg-port"]').setValue(70000);
    expect(wrapper.get('[data-testid="args-error"]').text()).toBe('Port must be from 0 to 65535.');
    expect(wrapper.get('[data-testid="call-run"]').attributes('disabled')).toBeDefined();
    expect(await useCallPanelStore().run('bind')).toBeNull();
    await wrapper.get('[data-testid="arg-port"]').setValue(8080);
    expect(wrapper.find('[data-testid="args-error"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
