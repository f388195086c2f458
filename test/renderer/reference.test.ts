import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import App from '@renderer/App.vue';
import ReferencePanel from '@renderer/components/reference/ReferencePanel.vue';
import { searchReference } from '@renderer/components/reference/search';
import { useReferenceStore } from '@renderer/stores/reference';
import { API_REFERENCE } from '@shared/api-reference';
import { CALL_NAMES } from '@shared/socket';
import { i18n } from '@renderer/i18n';
import { settle, setupLab, socketInfo } from './fakeLab';

afterEach(() => {
  i18n.global.locale.value = 'en';
});

describe('API reference', () => {
  it('opens at the chosen call from the call panel "?" button, in the dock', async () => {
    const { fake, global } = setupLab();
    fake.respond('lab.sockets', () => ({ ok: true, value: [socketInfo({ fd: 3, state: 'listening' })] }));
    const wrapper = mount(App, { global, attachTo: document.body });
    await settle();
    await wrapper.get('[data-testid="call-accept"]').trigger('click');
    await wrapper.get('[data-testid="reference-open-accept"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="tab-reference"]').attributes('aria-selected')).toBe('true');
    const entry = wrapper.get('[data-testid="reference-panel"] [data-testid="reference-entry-accept"]');
    expect(entry.text()).toContain('int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen);');
    expect(entry.text()).toContain(API_REFERENCE.accept.summary.en);
    expect(entry.find('[data-testid="reference-errno-EAGAIN"]').exists()).toBe(true);
    // Another call's "?" moves the open panel to that call.
    await wrapper.get('[data-testid="call-listen"]').trigger('click');
    await wrapper.get('[data-testid="reference-open-listen"]').trigger('click');
    expect(wrapper.find('[data-testid="reference-entry-listen"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('is searchable by name, errno and words in either language', async () => {
    const { global } = setupLab();
    const wrapper = mount(ReferencePanel, { global });
    expect(wrapper.findAll('[data-testid^="reference-nav-"]')).toHaveLength(CALL_NAMES.length);
    await wrapper.get('[data-testid="reference-search"]').setValue('EADDRINUSE');
    const shown = wrapper.findAll('[data-testid^="reference-nav-"]').map((b) => b.attributes('data-testid'));
    expect(shown).toContain('reference-nav-bind');
    expect(shown).not.toContain('reference-nav-recv');
    // The entry shown is the first match when the chosen call (socket) is filtered out.
    expect(wrapper.find(`[data-testid="reference-entry-${searchReference('EADDRINUSE')[0]}"]`).exists()).toBe(true);
    await wrapper.get('[data-testid="reference-search"]').setValue('zzz-no-such-thing');
    expect(wrapper.find('[data-testid="reference-no-match"]').text()).toBe('No call matches this search.');
    expect(searchReference('backlog')).toContain('listen');
    expect(searchReference('监听 backlog')).toContain('listen');
    expect(searchReference('')).toEqual([...CALL_NAMES]);
  });

  it('shows every call in Chinese when the UI is in Chinese', async () => {
    const { global } = setupLab();
    const wrapper = mount(ReferencePanel, { global });
    i18n.global.locale.value = 'zh-CN';
    for (const call of CALL_NAMES) {
      useReferenceStore().openAt(call);
      await wrapper.vm.$nextTick();
      const entry = wrapper.get(`[data-testid="reference-entry-${call}"]`);
      expect(entry.text()).toContain(API_REFERENCE[call].signature);
      expect(entry.text()).toContain(API_REFERENCE[call].summary.zh);
      expect(entry.text()).toContain('返回值');
      for (const error of API_REFERENCE[call].errors) expect(entry.text()).toContain(error.text.zh);
    }
    expect(wrapper.get('[data-testid="reference-search"]').attributes('placeholder')).toBe('搜索调用、错误、关键词…');
  });
});
