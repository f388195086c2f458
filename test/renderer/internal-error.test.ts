/**
 * A call the lab failed on a bug of its own (`internal: true`) is shown as SockLab's bug, in
 * English and Chinese, never explained as an errno the student should chase.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import CallPanel from '@renderer/components/CallPanel.vue';
import { i18n } from '@renderer/i18n';
import { useSocketsStore } from '@renderer/stores/sockets';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';

const bug = {
  ok: false,
  ret: -1,
  callId: 0,
  errno: 'EINVAL',
  code: 22,
  message: 'SockLab bug in socket.listen: boom. This is not caused by your program; please report it.',
  internal: true,
} as const;

describe('an internal lab error', () => {
  let fake: FakeLab;
  let global: ReturnType<typeof setupLab>['global'];
  beforeEach(() => {
    ({ fake, global } = setupLab());
  });

  it('says it is a SockLab bug instead of explaining EINVAL', async () => {
    fake.respond('socket.listen', () => bug);
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'bound' })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="lane-server"] [data-testid="call-listen"]').trigger('click');
    await wrapper.get('form.args').trigger('submit');
    await settle();
    expect(wrapper.find('[data-testid="errno-explanation"]').exists()).toBe(false);
    const shown = wrapper.get('[data-testid="call-result-internal"]').text();
    expect(shown).toContain('listen() failed inside SockLab: this is a bug in SockLab');
    expect(shown).toContain('boom');
    i18n.global.locale.value = 'zh-CN';
    await settle();
    expect(wrapper.get('[data-testid="call-result-internal"]').text()).toContain('SockLab 的缺陷');
  });
});
