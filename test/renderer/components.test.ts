import { beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import NewSocketForm from '@renderer/components/NewSocketForm.vue';
import CallPanel from '@renderer/components/CallPanel.vue';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useSettingsStore } from '@renderer/stores/settings';
import { zhCN } from '@renderer/i18n/zh-CN';
import { en } from '@renderer/i18n/en';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';

describe('new-socket form', () => {
  it('invokes socket.socket with the chosen domain, type and protocol', async () => {
    const { fake, global } = setupLab();
    const wrapper = mount(NewSocketForm, { global });
    await wrapper.get('[data-testid="new-socket-domain"]').setValue('AF_INET6');
    await wrapper.get('[data-testid="new-socket-type"]').setValue('SOCK_DGRAM');
    await wrapper.get('[data-testid="new-socket-protocol"]').setValue('IPPROTO_UDP');
    await wrapper.get('[data-testid="new-socket-create"]').trigger('submit');
    await settle();
    expect(fake.inputsOf('socket.socket')).toEqual([{ domain: 'AF_INET6', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP' }]);
    expect(wrapper.get('[data-testid="new-socket-result"]').text()).toBe('socket() returned 3');
  });

  it('explains a failed socket() with its errno', async () => {
    const { fake, global } = setupLab();
    fake.respond('socket.socket', () => ({ ok: false, ret: -1, errno: 'EPERM', code: 1, message: 'SOCK_RAW needs root', callId: 1 }));
    const wrapper = mount(NewSocketForm, { global });
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="errno-name"]').text()).toBe('EPERM');
    expect(wrapper.get('[data-testid="errno-message"]').text()).toContain('SOCK_RAW needs root');
  });
});

describe('call panel', () => {
  let fake: FakeLab;
  let global: ReturnType<typeof setupLab>['global'];

  function mountPanel(patch = {}) {
    useSocketsStore().setAll([socketInfo({ fd: 3, ...patch })]);
    return mount(CallPanel, { global });
  }

  beforeEach(() => {
    ({ fake, global } = setupLab());
  });

  it('lays out the server and client flows, highlighting the calls that fit', () => {
    const wrapper = mountPanel({ state: 'bound' });
    expect(wrapper.find('[data-testid="lane-server"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="lane-client"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="lane-server"] [data-testid="call-listen"]').classes()).toContain('fits');
    expect(wrapper.get('[data-testid="lane-server"] [data-testid="call-accept"]').classes()).not.toContain('fits');
  });

  it('shows the datagram flow for a UDP socket', () => {
    const wrapper = mountPanel({ type: 'SOCK_DGRAM' });
    expect(wrapper.find('[data-testid="lane-datagram"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="lane-server"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="call-recvfrom"]').exists()).toBe(true);
  });

  it('calls bind with the typed address and port', async () => {
    const wrapper = mountPanel();
    await wrapper.get('[data-testid="call-bind"]').trigger('click');
    await wrapper.get('[data-testid="arg-address"]').setValue('127.0.0.1');
    await wrapper.get('[data-testid="arg-port"]').setValue('9090');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(fake.inputsOf('socket.bind')).toEqual([{ fd: 3, address: { family: 'AF_INET', address: '127.0.0.1', port: 9090 } }]);
    expect(wrapper.get('[data-testid="call-result-ok"]').text()).toBe('bind() returned 0');
  });

  it('sends the payload editor bytes as base64 with the chosen flags', async () => {
    const wrapper = mountPanel({ state: 'connected' });
    await wrapper.get('[data-testid="call-send"]').trigger('click');
    await wrapper.get('[data-testid="payload-mode-hex"]').trigger('click');
    await wrapper.get('[data-testid="payload-editor"]').setValue('de ad be ef');
    await wrapper.get('[data-testid="arg-flag-MSG_NOSIGNAL"]').setValue(true);
    await wrapper.get('[data-testid="call-run"]').trigger('submit');
    await settle();
    expect(fake.inputsOf('socket.send')).toEqual([{ fd: 3, data: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), flags: ['MSG_NOSIGNAL'] }]);
  });

  it('shows an errno result with its name and translated explanation, in English and Chinese', async () => {
    fake.respond('socket.bind', () => ({
      ok: false,
      ret: -1,
      errno: 'EADDRINUSE',
      code: 98,
      message: 'Another lab socket (fd 4) is bound to 127.0.0.1:8080.',
      callId: 9,
    }));
    const wrapper = mountPanel();
    await wrapper.get('[data-testid="call-run"]').trigger('submit');
    await settle();
    const explanation = wrapper.get('[data-testid="errno-explanation"]');
    expect(explanation.get('[data-testid="errno-name"]').text()).toBe('EADDRINUSE');
    expect(explanation.text()).toContain('bind() returned -1, errno = EADDRINUSE');
    expect(explanation.get('[data-testid="errno-generic"]').text()).toContain(en.errno.EADDRINUSE);
    expect(explanation.get('[data-testid="errno-message"]').text()).toContain('fd 4');
    useSettingsStore().setLocale('zh-CN');
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="errno-generic"]').text()).toContain(zhCN.errno.EADDRINUSE);
    expect(wrapper.get('[data-testid="errno-explanation"]').text()).toContain('错误码');
  });

  it('lets a call that does not fit be made anyway, and says so', async () => {
    fake.respond('socket.accept', () => ({ ok: false, ret: -1, errno: 'EINVAL', code: 22, message: 'not listening', callId: 2 }));
    const wrapper = mountPanel({ state: 'created' });
    await wrapper.get('[data-testid="call-accept"]').trigger('click');
    expect(wrapper.find('[data-testid="call-not-fit"]').exists()).toBe(true);
    await wrapper.get('[data-testid="call-run"]').trigger('submit');
    await settle();
    expect(fake.inputsOf('socket.accept')).toEqual([{ fd: 3 }]);
    expect(wrapper.get('[data-testid="errno-name"]').text()).toBe('EINVAL');
  });

  it('shows the blocked state with a cancel button that invokes socket.cancel', async () => {
    const wrapper = mountPanel({ state: 'listening', blockedIn: 'accept' });
    const banner = wrapper.get('[data-testid="blocked-banner"]');
    expect(banner.text()).toContain('Blocked in accept()');
    await wrapper.get('[data-testid="cancel-call"]').trigger('click');
    await settle();
    expect(fake.inputsOf('socket.cancel')).toEqual([{ fd: 3 }]);
  });

  it('refuses to send an invalid payload and shows why', async () => {
    const wrapper = mountPanel({ state: 'connected' });
    await wrapper.get('[data-testid="call-send"]').trigger('click');
    await wrapper.get('[data-testid="payload-mode-hex"]').trigger('click');
    await wrapper.get('[data-testid="payload-editor"]').setValue('zz');
    expect(wrapper.get('[data-testid="call-run"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="call-run"]').trigger('submit');
    await settle();
    expect(fake.inputsOf('socket.send')).toEqual([]);
  });
});
