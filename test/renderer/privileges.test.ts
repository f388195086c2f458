/**
 * The privileges notice: opens by itself on first run while something needs set-up, says in
 * both languages what works without privileges and the exact command for the rest, and is not
 * shown again once seen (the top bar button reopens it).
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import TopBar from '@renderer/components/TopBar.vue';
import { useLabStore } from '@renderer/stores/lab';
import { useSettingsStore } from '@renderer/stores/settings';
import { PRIVILEGES_SEEN_KEY } from '@renderer/lib/privileges';
import { settle, setupLab } from './fakeLab';
import { READY_PLAN } from './privileges';

describe('privileges notice', () => {
  it('opens on first run, explains each ability with its command, and stays closed once seen', async () => {
    const { global } = setupLab();
    const wrapper = mount(TopBar, { global, attachTo: document.body });
    await useLabStore().start();
    await settle();
    expect(wrapper.get('[data-testid="privilege-hint"]').text()).toBe('Privileges · 1 need set-up');
    const panel = wrapper.get('[data-testid="privilege-panel"]');
    expect(panel.get('[data-testid="privilege-labNetwork"]').text()).toContain('Works without privileges');
    expect(panel.get('[data-testid="privilege-hostCapture"]').text()).toContain('dumpcap (/usr/bin/dumpcap)');
    expect(panel.get('[data-testid="privilege-hostRawSockets"]').text()).toContain('a lab-network host gives them to you');
    expect(panel.get('[data-testid="privilege-command-hostRawSockets"]').text()).toBe('sudo npm run serve');
    expect(panel.find('[data-testid="privilege-command-hostCapture"]').exists()).toBe(false);

    await panel.get('[data-testid="privilege-close"]').trigger('click');
    expect(wrapper.find('[data-testid="privilege-panel"]').exists()).toBe(false);
    expect(localStorage.getItem(PRIVILEGES_SEEN_KEY)).toBe('1');
    wrapper.unmount();
  });

  it('speaks Simplified Chinese, with the parameters filled in', async () => {
    const { fake, global } = setupLab();
    const plan = {
      ...READY_PLAN,
      items: READY_PLAN.items.map((i) =>
        i.ability === 'hostCapture'
          ? { ...i, ready: false, reason: 'dumpcapNotInGroup' as const, command: 'sudo usermod -aG wireshark ada' }
          : i,
      ),
    };
    fake.respond('lab.info', () => ({ ok: true, value: { version: 't', mode: 'web', platform: 'linux', privileges: plan } }));
    const wrapper = mount(TopBar, { global, attachTo: document.body });
    useSettingsStore().setLocale('zh-CN');
    await useLabStore().start();
    await settle();
    expect(wrapper.get('[data-testid="privilege-hint"]').text()).toBe('权限 · 2 项需要设置');
    const capture = wrapper.get('[data-testid="privilege-hostCapture"]').text();
    expect(capture).toContain('用户 ada 不在它的用户组 wireshark 中');
    expect(wrapper.get('[data-testid="privilege-command-hostCapture"]').text()).toBe('sudo usermod -aG wireshark ada');
    wrapper.unmount();
    useSettingsStore().setLocale('en');
  });

  it('does not open by itself when everything is ready', async () => {
    const { fake, global } = setupLab();
    const plan = { ...READY_PLAN, items: READY_PLAN.items.map((i) => ({ ...i, ready: true, command: null })) };
    fake.respond('lab.info', () => ({ ok: true, value: { version: 't', mode: 'web', platform: 'linux', privileges: plan } }));
    const wrapper = mount(TopBar, { global });
    await useLabStore().start();
    await settle();
    expect(wrapper.get('[data-testid="privilege-hint"]').text()).toBe('Privileges · all ready');
    expect(wrapper.find('[data-testid="privilege-panel"]').exists()).toBe(false);
  });
});
