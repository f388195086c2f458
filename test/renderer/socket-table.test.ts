/**
 * The socket table in its pane: closed sockets kept (greyed) with close()'s result and their
 * transcript until "Clear closed", the lab reset behind a confirmation, the kernel's TCP state
 * always shown, and the less important columns one click away.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import WorkbenchView from '@renderer/views/WorkbenchView.vue';
import SocketTable from '@renderer/components/SocketTable.vue';
import { useLabStore } from '@renderer/stores/lab';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallPanelStore } from '@renderer/stores/callPanel';
import { useTranscriptsStore } from '@renderer/stores/transcripts';
import { DOCK_TABS } from '@renderer/views/panels';
import { settle, setupLab, socketInfo } from './fakeLab';
import { tcpInfoSample } from './tcpInfoFixture';

describe('closed sockets', () => {
  it('stay in the table with close()’s result and their transcript until cleared', async () => {
    const { fake, global } = setupLab();
    const wrapper = mount(WorkbenchView, {
      global,
      props: { tabs: DOCK_TABS.filter((tab) => tab.id === 'transcript') },
      attachTo: document.body,
    });
    await useLabStore().start();
    fake.emit('socket.changed', socketInfo({ fd: 3, socketId: 1, state: 'connected' }));
    fake.emit('transcript.appended', {
      socketId: 1,
      fd: 3,
      direction: 'out',
      data: new TextEncoder().encode('bye'),
      length: 3,
      addr: null,
      callId: 1,
      monoUs: 1,
    });
    useSocketsStore().select(1);
    await settle();
    fake.respond('socket.close', () => {
      fake.emit('socket.removed', { fd: 3, socketId: 1 });
      return { ok: true, ret: 0, callId: 2 };
    });
    await useCallPanelStore().run('close');
    await settle();
    expect(wrapper.find('[data-testid="socket-row-3"]').exists()).toBe(false);
    const row = wrapper.get('[data-testid="closed-socket-row-1"]');
    expect(row.classes()).toContain('closed');
    expect(row.text()).toContain('closed');
    // The panel says it is closed and shows close()'s own result; the transcript is still there.
    expect(wrapper.get('[data-testid="closed-note"]').text()).toMatch(/closed/);
    expect(wrapper.get('[data-testid="call-result"]').text()).toContain('close() returned 0');
    expect(wrapper.get('[data-testid="transcript-stats"]').text()).toContain('sent 3 B');
    // No call can be made on it: its number may be someone else's now.
    expect(await useCallPanelStore().run('send')).toBeNull();

    await wrapper.get('[data-testid="clear-closed"]').trigger('click');
    expect(wrapper.find('[data-testid="closed-socket-row-1"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="clear-closed"]').exists()).toBe(false);
    expect(useTranscriptsStore().get(1)).toBeNull();
    wrapper.unmount();
  });

  it('resets the lab only after the confirmation', async () => {
    const { fake, global } = setupLab();
    const wrapper = mount(SocketTable, { global, attachTo: document.body });
    await useLabStore().start();
    fake.emit('socket.changed', socketInfo({ fd: 3, socketId: 1 }));
    fake.respond('lab.reset', () => {
      fake.emit('socket.removed', { fd: 3, socketId: 1 });
      return { ok: true, value: { closed: 1 } };
    });
    await settle();
    await wrapper.get('[data-testid="reset-lab"]').trigger('click');
    await wrapper.get('[data-testid="reset-cancel"]').trigger('click');
    expect(fake.inputsOf('lab.reset')).toHaveLength(0);
    await wrapper.get('[data-testid="reset-lab"]').trigger('click');
    expect(wrapper.get('[data-testid="reset-dialog"]').text()).toContain('Every socket is closed');
    await wrapper.get('[data-testid="reset-confirm"]').trigger('click');
    await settle();
    await settle();
    expect(fake.inputsOf('lab.reset')).toHaveLength(1);
    expect(useSocketsStore().rows).toEqual([]);
    expect(wrapper.find('[data-testid="reset-dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('columns', () => {
  it('shows the kernel’s TCP state, and the counters one click away', async () => {
    const { fake, global } = setupLab();
    const wrapper = mount(SocketTable, { global });
    const sockets = useSocketsStore();
    sockets.setAll([socketInfo({ fd: 3, socketId: 1, state: 'connected', tcpState: 'SYN_SENT' })]);
    await settle();
    // Before any TCP_INFO sample: capture's inference, drawn dashed.
    expect(wrapper.get('[data-testid="tcp-state-3"]').classes()).toContain('from-wire');
    fake.emit('tcpinfo.samples', { samples: [tcpInfoSample({ socketId: 1, state: 'ESTABLISHED' })] });
    await settle();
    const badge = wrapper.get('[data-testid="tcp-state-3"]');
    expect(badge.text()).toBe('ESTABLISHED');
    expect(badge.classes()).toContain('from-kernel');

    expect(wrapper.text()).not.toContain('sent / received');
    expect(wrapper.get('[data-testid="socket-row-3"]').attributes('title')).toContain('sent / received');
    await wrapper.get('[data-testid="socket-columns"]').trigger('click');
    expect(wrapper.text()).toContain('sent / received');
    expect(wrapper.get('[data-testid="socket-row-3"]').findAll(':scope > span')).toHaveLength(9);
    wrapper.unmount();
  });
});
