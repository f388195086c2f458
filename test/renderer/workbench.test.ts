import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import App from '@renderer/App.vue';
import TranscriptView from '@renderer/components/TranscriptView.vue';
import SocketTable from '@renderer/components/SocketTable.vue';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useLabStore } from '@renderer/stores/lab';
import { shortcutFor } from '@renderer/lib/shortcuts';
import { i18n } from '@renderer/i18n';
import { settle, setupLab, socketInfo } from './fakeLab';

describe('workbench', () => {
  it('switches the whole UI to Chinese and remembers the choice', async () => {
    const { fake, global } = setupLab();
    fake.respond('lab.sockets', () => ({ ok: true, value: [socketInfo({ fd: 3, state: 'listening' })] }));
    const wrapper = mount(App, { global, attachTo: document.body });
    await settle();
    expect(wrapper.text()).toContain('Sockets');
    expect(wrapper.get('[data-testid="socket-state-3"]').text()).toBe('listening');
    await wrapper.get('[data-testid="language-switch"]').setValue('zh-CN');
    expect(wrapper.text()).toContain('套接字');
    expect(wrapper.text()).toContain('新建套接字');
    expect(wrapper.get('[data-testid="socket-state-3"]').text()).toBe('监听中');
    expect(wrapper.get('[data-testid="tab-transcript"]').text()).toBe('收发记录');
    expect(localStorage.getItem('socklab.locale')).toBe('zh-CN');
    expect(document.documentElement.getAttribute('lang')).toBe('zh-CN');
    wrapper.unmount();
    i18n.global.locale.value = 'en';
  });

  it('toggles and persists the theme', async () => {
    const { global } = setupLab();
    const wrapper = mount(App, { global });
    await settle();
    const before = document.documentElement.getAttribute('data-theme');
    await wrapper.get('[data-testid="theme-toggle"]').trigger('click');
    const after = document.documentElement.getAttribute('data-theme');
    expect(after).not.toBe(before);
    expect(localStorage.getItem('socklab.theme')).toBe(after);
    wrapper.unmount();
  });

  it('selects a socket when its row is clicked and shows live state changes', async () => {
    const { fake, global } = setupLab();
    await useLabStore().start();
    fake.emit('socket.changed', socketInfo({ fd: 3 }));
    fake.emit('socket.changed', socketInfo({ fd: 4, type: 'SOCK_DGRAM' }));
    const wrapper = mount(SocketTable, { global });
    await wrapper.get('[data-testid="socket-row-4"]').trigger('click');
    expect(useSocketsStore().selectedFd).toBe(4);
    fake.emit('socket.changed', socketInfo({ fd: 4, type: 'SOCK_DGRAM', state: 'bound', blockedIn: 'recvfrom' }));
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="socket-row-4"]').text()).toContain('blocked in recvfrom()');
  });

  it('renders only visible rows of a 1000-socket table', async () => {
    const { global } = setupLab();
    useSocketsStore().setAll(Array.from({ length: 1000 }, (_, i) => socketInfo({ fd: i + 3 })));
    const wrapper = mount(SocketTable, { global });
    const rows = wrapper.findAll('[data-testid^="socket-row-"]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(40);
  });

  it('shows a 10 MB transcript through a few lazily formatted rows', async () => {
    const { fake, global } = setupLab();
    await useLabStore().start();
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'connected' })]);
    const chunk = new TextEncoder().encode('hello world\n'.repeat(5462)).subarray(0, 65536);
    const data = chunk;
    for (let i = 0; i < 160; i++) {
      fake.emit('transcript.appended', {
        socketId: 3,
        fd: 3,
        direction: i % 2 ? 'in' : 'out',
        data,
        length: chunk.length,
        addr: null,
        callId: i,
        monoUs: i,
      });
    }
    const wrapper = mount(TranscriptView, { global });
    await settle();
    const rows = wrapper.findAll('[data-testid="transcript-row"]');
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.text()).toContain('hello world\\n');
    expect(rows[0]!.classes()).toContain('dir-out');
    await wrapper.get('[data-testid="transcript-view-hex"]').trigger('click');
    const hexRows = wrapper.findAll('[data-testid="transcript-row"]');
    expect(hexRows.length).toBeLessThan(60);
    expect(hexRows[0]!.text()).toContain('00000000  68 65 6c 6c 6f 20 77 6f');
    expect(wrapper.get('[data-testid="transcript-stats"]').text()).toBe('sent 5.0 MiB · received 5.0 MiB');
  });
});

describe('keyboard shortcuts', () => {
  function key(init: KeyboardEventInit, target?: HTMLElement): KeyboardEvent {
    const event = new KeyboardEvent('keydown', init);
    if (target) Object.defineProperty(event, 'target', { value: target });
    return event;
  }

  it('maps Alt combinations and Ctrl+Enter to calls, even while typing', () => {
    const input = document.createElement('input');
    expect(shortcutFor(key({ code: 'KeyB', altKey: true }))).toBe('bind');
    expect(shortcutFor(key({ code: 'Enter', ctrlKey: true }, input))).toBe('send');
    expect(shortcutFor(key({ code: 'KeyX', altKey: true }, input))).toBe('cancel');
  });

  it('does not steal plain keys while typing', () => {
    const textarea = document.createElement('textarea');
    expect(shortcutFor(key({ key: '?', code: 'Slash', shiftKey: true }, textarea))).toBeNull();
    expect(shortcutFor(key({ code: 'KeyB' }, textarea))).toBeNull();
    expect(shortcutFor(key({ code: 'Enter' }, textarea))).toBeNull();
    expect(shortcutFor(key({ key: '?', code: 'Slash', shiftKey: true }, document.body))).toBe('help');
  });

  it('runs the call on the selected socket from the keyboard', async () => {
    const { fake, global } = setupLab();
    fake.respond('lab.sockets', () => ({ ok: true, value: [socketInfo({ fd: 5, state: 'listening' })] }));
    const wrapper = mount(App, { global, attachTo: document.body });
    await settle();
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyA', altKey: true }));
    await settle();
    expect(fake.inputsOf('socket.accept')).toEqual([{ fd: 5 }]);
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(false);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '?', code: 'Slash', shiftKey: true, bubbles: true }));
    await settle();
    expect(wrapper.get('[data-testid="shortcut-help"]').text()).toContain('Alt+B');
    wrapper.unmount();
  });
});
