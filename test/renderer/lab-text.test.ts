/**
 * The lab's sentences (src/shared/lab-text.ts) shown in the UI's language: a bind() refused
 * with EADDRINUSE and an exercise check's detail, in English and then in Chinese.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import CallPanel from '@renderer/components/CallPanel.vue';
import CheckItem from '@renderer/components/exercises/CheckItem.vue';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useSettingsStore } from '@renderer/stores/settings';
import { i18n } from '@renderer/i18n';
import { ERRNO } from '@shared/errno';
import { formatLabText, labText } from '@shared/lab-text';
import type { CheckResult } from '@shared/exercise';
import { settle, setupLab, socketInfo } from './fakeLab';

afterEach(() => {
  i18n.global.locale.value = 'en';
});

describe('lab sentences in the UI language', () => {
  it('shows bind() refused with EADDRINUSE in English, then in Chinese', async () => {
    const { fake, global } = setupLab();
    const taken = labText('bind.addressInUse', { address: '127.0.0.1:9402' });
    fake.respond('socket.bind', () => ({
      ok: false,
      ret: -1,
      errno: 'EADDRINUSE',
      code: 98,
      message: `bind: ${ERRNO.EADDRINUSE.text} ${formatLabText(taken)}`,
      text: taken,
      callId: 9,
    }));
    useSocketsStore().setAll([socketInfo({ fd: 3 })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="call-run"]').trigger('submit');
    await settle();
    const sentence = () => wrapper.get('[data-testid="errno-message"]');
    expect(sentence().text()).toContain('bind: 127.0.0.1:9402 is taken.');
    useSettingsStore().setLocale('zh-CN');
    await wrapper.vm.$nextTick();
    expect(sentence().text()).toContain('bind: 127.0.0.1:9402 已被占用。');
    expect(sentence().text()).not.toContain('is taken');
    expect(sentence().find('[lang="zh-CN"]').exists()).toBe(true);
  });

  it('shows an exercise check detail in English, then in Chinese; a detail without a key stays English', async () => {
    const { global } = setupLab();
    const inOrder = labText('check.inOrder', { frames: '1, 2, 3' });
    const result: CheckResult = {
      id: 'handshake',
      title: { en: 'Handshake', zh: '握手' },
      explain: { en: '', zh: '' },
      passed: true,
      detail: formatLabText(inOrder),
      detailText: inOrder,
      evidence: { calls: [], packets: [] },
    };
    const wrapper = mount(CheckItem, { global, props: { checkId: 'handshake', title: null, result } });
    expect(wrapper.get('.detail').text()).toContain('in order: frames 1, 2, 3');
    i18n.global.locale.value = 'zh-CN';
    await wrapper.vm.$nextTick();
    expect(wrapper.get('.detail').text()).toContain('按顺序：帧 1, 2, 3');
    await wrapper.setProps({ result: { ...result, detailText: undefined, detail: 'it should not hold, but x' } });
    expect(wrapper.get('.detail').text()).toContain('it should not hold, but x');
    expect(wrapper.get('.detail').attributes('lang')).toBe('en');
  });
});
