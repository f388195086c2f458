import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { nextTick } from 'vue';
import { createPinia } from 'pinia';
import type { CallRecord } from '@shared/socket';
import SocketTable from '@renderer/components/SocketTable.vue';
import CallLog from '@renderer/components/CallLog.vue';
import WorkbenchView from '@renderer/views/WorkbenchView.vue';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCallsStore } from '@renderer/stores/calls';
import { usePacketDetailStore } from '@renderer/stores/packetDetail';
import { usePacketListStore } from '@renderer/stores/packetList';
import { i18n } from '@renderer/i18n';
import { holdPackets, packetRow, SYN_FRAME, SYN_TREE } from './packetsFake';
import { settle, setupLab, socketInfo } from './fakeLab';

function callRecord(id: number, fd: number): CallRecord {
  return {
    id,
    fd,
    socketId: fd,
    newSocketId: null,
    call: 'connect',
    args: {},
    startMonoUs: id,
    startWallUs: Date.now() * 1000,
    endMonoUs: id + 1,
    durationUs: 1,
    ret: 0,
    errno: null,
    message: null,
  };
}

describe('socket table TCP state', () => {
  it('shows the inferred TCP state as a badge, glossed in Chinese', async () => {
    const { global } = setupLab();
    useSocketsStore().setAll([
      socketInfo({ fd: 3, state: 'connected', tcpState: 'ESTABLISHED' }),
      socketInfo({ fd: 4, type: 'SOCK_DGRAM' }),
    ]);
    const wrapper = mount(SocketTable, { global });
    expect(wrapper.get('[data-testid="tcp-state-3"]').text()).toBe('ESTABLISHED');
    expect(wrapper.find('[data-testid="tcp-state-4"]').exists()).toBe(false);
    i18n.global.locale.value = 'zh-CN';
    await nextTick();
    expect(wrapper.get('[data-testid="tcp-state-3"]').text()).toBe('ESTABLISHED（已建立）');
    i18n.global.locale.value = 'en';
    useSocketsStore().upsert(socketInfo({ fd: 3, state: 'connected', tcpState: 'CLOSE_WAIT' }));
    await nextTick();
    expect(wrapper.get('[data-testid="tcp-state-3"]').text()).toBe('CLOSE_WAIT');
    wrapper.unmount();
  });
});

describe('packets tied to sockets and calls', () => {
  it('selecting a packet highlights its socket row and the call that caused it', async () => {
    const { fake, global } = setupLab();
    fake.respond('capture.packet', (input) => ({
      ok: true,
      value: {
        row: packetRow(input.no, { fds: input.no === 1 ? [4] : [], callId: input.no === 1 ? 8 : null, cause: 'call' }),
        data: SYN_FRAME,
        tree: SYN_TREE,
      },
    }));
    useSocketsStore().setAll([socketInfo({ fd: 3 }), socketInfo({ fd: 4 })]);
    useCallsStore().setAll([callRecord(7, 3), callRecord(8, 4)]);
    const table = mount(SocketTable, { global });
    const log = mount(CallLog, { global });
    expect(table.find('[data-testid="socket-row-highlighted"]').exists()).toBe(false);

    await usePacketDetailStore().select(1);
    await settle();
    expect(table.get('[data-testid="socket-row-4"]').find('[data-testid="socket-row-highlighted"]').exists()).toBe(true);
    expect(table.get('[data-testid="socket-row-3"]').find('[data-testid="socket-row-highlighted"]').exists()).toBe(false);
    expect(log.get('[data-testid="call-log-entry-8"]').find('[data-testid="call-log-highlighted"]').exists()).toBe(true);
    expect(log.findAll('[data-testid="call-log-highlighted"]')).toHaveLength(1);

    // A kernel packet of no lab socket lights nothing.
    await usePacketDetailStore().select(2);
    await settle();
    expect(table.find('[data-testid="socket-row-highlighted"]').exists()).toBe(false);
    expect(log.find('[data-testid="call-log-highlighted"]').exists()).toBe(false);
    table.unmount();
    log.unmount();
  });

  it('selecting a socket filters the packet list to it until the student turns that off', async () => {
    const { fake } = setupLab();
    holdPackets(fake, () => 10, { filtered: (_o, _l, _f, fd) => ({ total: 1, rows: [packetRow(2, { fds: fd === null ? [] : [fd] })] }) });
    const sockets = useSocketsStore();
    const list = usePacketListStore();
    expect(list.socketId).toBeNull();
    sockets.setAll([socketInfo({ fd: 3 }), socketInfo({ fd: 4 })]);
    expect(list.onlySocket).toBe(true);
    expect(list.socketId).toBe(3);
    sockets.select(4);
    await settle();
    expect(list.socketId).toBe(4);
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: 4 });
    list.setOnlySocket(false);
    sockets.select(3);
    await settle();
    expect(list.socketId).toBeNull();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: null });
    // The last socket closing drops the filter and the list is asked for again, unfiltered.
    list.setOnlySocket(true);
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: 3 });
    sockets.remove(3);
    sockets.remove(4);
    sockets.clearClosed();
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: null });
  });
});

describe('a descriptor number handed out again', () => {
  /** A call on socket `socketId` (descriptor `fd`); accept() makes socket `made`. */
  function onSocket(id: number, fd: number, socketId: number, call: CallRecord['call'], made: number | null = null): CallRecord {
    return { ...callRecord(id, fd), call, socketId, newSocketId: made, ret: made === null ? 0 : 4 };
  }

  it('keeps a closed socket’s packet marks and calls off the new socket on its descriptor', async () => {
    const { fake, global } = setupLab();
    // Listener fd 3 (socket 1); accept → fd 4 (socket 2): recv, send, close; accept → fd 4 again (socket 3).
    useCallsStore().setAll([
      onSocket(1, 3, 1, 'accept', 2),
      onSocket(2, 4, 2, 'recv'),
      onSocket(3, 4, 2, 'send'),
      onSocket(4, 4, 2, 'close'),
      onSocket(5, 3, 1, 'accept', 3),
    ]);
    useSocketsStore().setAll([
      socketInfo({ fd: 3, socketId: 1, state: 'listening' }),
      socketInfo({ fd: 4, socketId: 3, state: 'connected' }),
    ]);
    // The first connection's data segment: tied to socket 2, which had fd 4.
    fake.respond('capture.packet', (input) => ({
      ok: true,
      value: { row: packetRow(input.no, { fds: [4], socketIds: [2], callId: 3, cause: 'call' }), data: SYN_FRAME, tree: SYN_TREE },
    }));
    const table = mount(SocketTable, { global });
    const log = mount(CallLog, { global });
    await usePacketDetailStore().select(1);
    await settle();
    expect(table.find('[data-testid="socket-row-highlighted"]').exists()).toBe(false);

    useSocketsStore().select(3);
    await log.get('[data-testid="call-log-only-selected"]').setValue(true);
    expect(log.findAll('[data-testid^="call-log-entry-"]').map((e) => e.attributes('data-testid'))).toEqual(['call-log-entry-5']);
    useSocketsStore().select(1);
    await nextTick();
    expect(log.findAll('[data-testid^="call-log-entry-"]').map((e) => e.attributes('data-testid'))).toEqual([
      'call-log-entry-1',
      'call-log-entry-5',
    ]);
    table.unmount();
    log.unmount();
  });

  it('filters "Only socket" by identity: the new socket on fd 4 is asked for, not the old one', async () => {
    const { fake } = setupLab();
    holdPackets(fake, () => 10, {
      filtered: (_o, _l, _f, socketId) => ({
        total: 1,
        rows: [packetRow(2, { fds: [4], socketIds: socketId === null ? [] : [socketId] })],
      }),
    });
    const sockets = useSocketsStore();
    const list = usePacketListStore();
    sockets.setAll([socketInfo({ fd: 4, socketId: 1, state: 'connected' })]);
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: 1 });
    // close(4), then socket() → 4 again: a UDP socket, socket 2.
    sockets.remove(1);
    sockets.upsert(socketInfo({ fd: 4, socketId: 2, type: 'SOCK_DGRAM' }));
    sockets.select(2);
    await settle();
    expect(list.socketId).toBe(2);
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: 2 });
  });
});

describe('dock splitter', () => {
  it('resizes the dock from the keyboard and remembers the size', async () => {
    const { global } = setupLab();
    const wrapper = mount(WorkbenchView, { global, props: { tabs: [] } });
    const splitter = wrapper.get('[data-testid="dock-splitter"]');
    expect(splitter.attributes('aria-valuenow')).toBe('58');
    await splitter.trigger('keydown', { key: 'ArrowUp' });
    expect(splitter.attributes('aria-valuenow')).toBe('63');
    expect(JSON.parse(localStorage.getItem('socklab.layout') ?? '{}')).toMatchObject({ dockFraction: 0.63 });
    await splitter.trigger('keydown', { key: 'Home' });
    expect(splitter.attributes('aria-valuenow')).toBe('85');
    wrapper.unmount();
    // A new start: a fresh settings store reads the saved layout again.
    const again = mount(WorkbenchView, { global: { ...global, plugins: [createPinia(), i18n] }, props: { tabs: [] } });
    expect(again.get('[data-testid="dock-splitter"]').attributes('aria-valuenow')).toBe('85');
    again.unmount();
  });
});
