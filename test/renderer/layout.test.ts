/**
 * The workbench's arrangement: remembered pane sizes (clamped when read back), the packets-only
 * layout one keystroke away, and the keyboard through packets and calls.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import WorkbenchView from '@renderer/views/WorkbenchView.vue';
import PacketsView from '@renderer/views/PacketsView.vue';
import CallPanel from '@renderer/components/CallPanel.vue';
import { DOCK_TABS } from '@renderer/views/panels';
import { useSettingsStore } from '@renderer/stores/settings';
import { usePacketDetailStore } from '@renderer/stores/packetDetail';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallPanelStore } from '@renderer/stores/callPanel';
import { settle, setupLab, socketInfo } from './fakeLab';
import { captureStatus, holdPackets, servePacket } from './packetsFake';
import { useCaptureStore } from '@renderer/stores/capture';
import { nextTick } from 'vue';

describe('layout settings', () => {
  it('clamps sizes and ignores a damaged record', () => {
    setupLab();
    localStorage.setItem('socklab.layout', JSON.stringify({ leftPx: 5, dockFraction: 7, ladderOpen: false, listFraction: 'x' }));
    const settings = useSettingsStore();
    expect(settings.layout).toMatchObject({ leftPx: 260, dockFraction: 0.85, ladderOpen: false, listFraction: 0.6 });
    settings.setLayout({ treeFraction: 0.3333333 });
    expect(JSON.parse(localStorage.getItem('socklab.layout')!)).toMatchObject({ treeFraction: 0.333, leftPx: 260 });
  });

  it('gives the packets the whole window with Alt+P and comes back with it', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    const wrapper = mount(WorkbenchView, { global, props: { tabs: DOCK_TABS }, attachTo: document.body });
    await settle();
    expect(wrapper.find('[data-testid="socket-table"]').exists()).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyP', key: 'p', altKey: true }));
    await settle();
    expect(wrapper.find('[data-testid="socket-table"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="call-panel"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="packets-view"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="packets-focus"]').attributes('aria-pressed')).toBe('true');
    expect(JSON.parse(localStorage.getItem('socklab.layout')!)).toMatchObject({ packetsFocus: true });
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyP', key: 'p', altKey: true }));
    await settle();
    expect(wrapper.find('[data-testid="socket-table"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('shows the ladder beside the calls once packets are held, and moves it out of the way', async () => {
    const { global } = setupLab();
    const wrapper = mount(WorkbenchView, { global, props: { tabs: [] } });
    // Nothing to draw yet: the calls take the row.
    expect(wrapper.find('[data-testid="ladder-pane"]').exists()).toBe(false);
    useCaptureStore().status = captureStatus({ held: 3, packets: 3 });
    await nextTick();
    expect(wrapper.find('[data-testid="ladder-pane"]').exists()).toBe(true);
    await wrapper.get('[data-testid="ladder-toggle"]').trigger('click');
    expect(wrapper.find('[data-testid="ladder-pane"]').exists()).toBe(false);
    await wrapper.get('[data-testid="left-splitter"]').trigger('keydown', { key: 'ArrowRight' });
    expect(useSettingsStore().layout.leftPx).toBe(560);
    wrapper.unmount();
  });
});

describe('keyboard', () => {
  it('walks the packet list by page and to its ends', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 200);
    servePacket(fake);
    const wrapper = mount(PacketsView, { global, attachTo: document.body });
    await settle();
    const detail = usePacketDetailStore();
    const list = wrapper.get('[data-testid="packet-list"]');
    await list.trigger('keydown', { key: 'Home' });
    expect(detail.selectedNo).toBe(1);
    await list.trigger('keydown', { key: 'PageDown' });
    const page = detail.selectedNo! - 1;
    expect(page).toBeGreaterThan(1);
    await list.trigger('keydown', { key: 'PageUp' });
    expect(detail.selectedNo).toBe(1);
    await list.trigger('keydown', { key: 'End' });
    expect(detail.selectedNo).toBe(200);
    await list.trigger('keydown', { key: 'ArrowUp' });
    expect(detail.selectedNo).toBe(199);
    wrapper.unmount();
  });

  it('walks the calls with the arrow keys, choosing each', async () => {
    const { global } = setupLab();
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'created' })]);
    const wrapper = mount(CallPanel, { global, attachTo: document.body });
    const panel = useCallPanelStore();
    await wrapper.get('[data-testid="call-bind"]').trigger('click');
    await wrapper.get('[data-testid="call-bind"]').trigger('keydown', { key: 'ArrowRight' });
    expect(panel.activeCall).toBe('listen');
    await wrapper.get('[data-testid="call-listen"]').trigger('keydown', { key: 'ArrowLeft' });
    expect(panel.activeCall).toBe('bind');
    await wrapper.get('[data-testid="call-bind"]').trigger('keydown', { key: 'End' });
    expect(panel.activeCall).toBe('fcntl');
    wrapper.unmount();
  });
});
