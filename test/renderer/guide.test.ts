/**
 * The start screen and the guided walks: an empty lab offers the two classic flows; a walk
 * follows the call log (a step is done when its call succeeds on its role's socket), highlights
 * the next call and prepares it; both languages carry every step.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { CallRecord } from '@shared/socket';
import WorkbenchView from '@renderer/views/WorkbenchView.vue';
import { GUIDES } from '@renderer/lib/guides';
import { useCallsStore } from '@renderer/stores/calls';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallPanelStore } from '@renderer/stores/callPanel';
import { useGuideStore } from '@renderer/stores/guide';
import { i18n } from '@renderer/i18n';
import { settle, setupLab, socketInfo } from './fakeLab';

function record(id: number, patch: Partial<CallRecord>): CallRecord {
  return {
    id,
    fd: 3,
    socketId: 1,
    newSocketId: null,
    call: 'bind',
    args: {},
    startMonoUs: id,
    startWallUs: id,
    endMonoUs: id,
    durationUs: 1,
    ret: 0,
    errno: null,
    message: null,
    ...patch,
  };
}

describe('start screen and guided walk', () => {
  it('offers the TCP walk on an empty lab and follows it call by call', async () => {
    const { global } = setupLab();
    const wrapper = mount(WorkbenchView, { global, props: { tabs: [] }, attachTo: document.body });
    await settle();
    expect(wrapper.get('[data-testid="start-screen"]').text()).toContain('TCP: a server and a client');
    await wrapper.get('[data-testid="start-guide-tcp"]').trigger('click');
    expect(wrapper.find('[data-testid="start-screen"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="guide-next-call"]').text()).toBe('socket()');
    expect(wrapper.get('[data-testid="guide-progress"]').text()).toBe('step 1 of 14');

    // The person makes the socket (here: the log says so); the walk moves to bind() on it.
    const calls = useCallsStore();
    const sockets = useSocketsStore();
    sockets.setAll([socketInfo({ fd: 3, socketId: 1 })]);
    calls.upsert(record(1, { call: 'socket', fd: null, socketId: null, newSocketId: 1, ret: 3, args: { type: 'SOCK_STREAM' } }));
    await settle();
    expect(wrapper.get('[data-testid="guide-next-call"]').text()).toBe('bind()');
    expect(wrapper.get('[data-testid="guide-explanation"]').text()).toContain('port 0');

    // "Prepare bind()" selects the socket, chooses bind() (highlighted) and fills 127.0.0.1:0.
    await wrapper.get('[data-testid="guide-go"]').trigger('click');
    await settle();
    const panel = useCallPanelStore();
    expect(sockets.selectedId).toBe(1);
    expect(panel.activeCall).toBe('bind');
    expect(panel.args.port).toBe(0);
    expect(wrapper.get('[data-testid="call-bind"]').classes()).toContain('guide-next');

    // A failed bind() is no progress; a successful one is.
    calls.upsert(record(2, { call: 'bind', ret: -1, errno: 'EADDRINUSE' }));
    await settle();
    expect(useGuideStore().step?.id).toBe('bind');
    calls.upsert(record(3, { call: 'bind' }));
    await settle();
    expect(wrapper.get('[data-testid="guide-next-call"]').text()).toBe('listen()');

    await wrapper.get('[data-testid="guide-end"]').trigger('click');
    expect(wrapper.find('[data-testid="guide-panel"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('has every step explained in English and Chinese', () => {
    for (const [id, steps] of Object.entries(GUIDES)) {
      for (const key of [...steps.map((s) => s.id), 'title', 'flow', 'summary', 'done']) {
        i18n.global.locale.value = 'en';
        expect(i18n.global.te(`workbench.guide.${id}.${key}`), `${id}.${key}`).toBe(true);
        i18n.global.locale.value = 'zh-CN';
        expect(i18n.global.t(`workbench.guide.${id}.${key}`), `${id}.${key}`).toMatch(key === 'flow' ? /→/ : /[\u4e00-\u9fff]/);
      }
    }
    i18n.global.locale.value = 'en';
  });
});
