/**
 * Review fixes of the workbench: one pressed call button, datagram lane offering the calls that
 * do not fit UDP, connection-lost refusals told apart from errnos, the stale socket() line, the
 * result brought into view and a compact socket table.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import CallPanel from '@renderer/components/CallPanel.vue';
import NewSocketForm from '@renderer/components/NewSocketForm.vue';
import SocketTable from '@renderer/components/SocketTable.vue';
import { FLOW_LANES } from '@renderer/lib/calls';
import { useSocketsStore } from '@renderer/stores/sockets';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';

/** What the web client answers once its connection to the lab is gone (see ws-client.ts). */
const lost = {
  ok: false,
  ret: -1,
  callId: 0,
  errno: 'ECONNRESET',
  code: 104,
  message: 'The connection to the SockLab web server was lost.',
  transport: true,
} as const;

describe('call panel buttons', () => {
  let fake: FakeLab;
  let global: ReturnType<typeof setupLab>['global'];
  beforeEach(() => {
    ({ fake, global } = setupLab());
  });

  function pressed(wrapper: ReturnType<typeof mount>): string[] {
    return wrapper
      .findAll('[aria-pressed="true"]')
      .map((b) => `${b.element.closest('[data-testid^="lane-"]')?.getAttribute('data-testid') ?? 'extra'}:${b.text()}`);
  }

  it('presses only the button chosen, not the same call in the other lane', async () => {
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'connected' })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="lane-server"] [data-testid="call-recv"]').trigger('click');
    expect(pressed(wrapper)).toEqual(['lane-server:recv()']);
    await wrapper.get('[data-testid="lane-client"] [data-testid="call-recv"]').trigger('click');
    expect(pressed(wrapper)).toEqual(['lane-client:recv()']);
    await wrapper.get('[data-testid="lane-client"] [data-testid="call-close"]').trigger('click');
    expect(pressed(wrapper)).toEqual(['lane-client:close()']);
  });

  it('offers listen(), accept() and shutdown() on a UDP socket, as calls that do not fit', () => {
    expect(FLOW_LANES.datagram.steps.flat()).toEqual(expect.arrayContaining(['listen', 'accept', 'shutdown']));
    useSocketsStore().setAll([socketInfo({ fd: 3, type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP', state: 'bound' })]);
    const wrapper = mount(CallPanel, { global });
    for (const call of ['listen', 'accept', 'shutdown']) {
      const button = wrapper.get(`[data-testid="lane-datagram"] [data-testid="call-${call}"]`);
      expect(button.classes()).not.toContain('fits');
      expect(button.attributes('title')).toContain('does not fit');
    }
  });

  it('says the connection is lost instead of explaining the refusal as an errno', async () => {
    fake.respond('socket.listen', () => lost);
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'bound' })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="lane-server"] [data-testid="call-listen"]').trigger('click');
    await wrapper.get('form.args').trigger('submit');
    await settle();
    expect(wrapper.find('[data-testid="errno-explanation"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="call-result-transport"]').text()).toContain('listen() could not reach the lab');
  });

  it('still explains a refusal from the lab itself as an errno', async () => {
    fake.respond('socket.listen', () => ({
      ok: false,
      ret: -1,
      callId: 4,
      errno: 'EOPNOTSUPP',
      code: 95,
      message: 'UDP has no listen().',
    }));
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'bound' })]);
    const wrapper = mount(CallPanel, { global });
    await wrapper.get('[data-testid="lane-server"] [data-testid="call-listen"]').trigger('click');
    await wrapper.get('form.args').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="errno-name"]').text()).toBe('EOPNOTSUPP');
    expect(wrapper.find('[data-testid="call-result-transport"]').exists()).toBe(false);
  });

  it('brings a new result into view', async () => {
    const scroll = vi.fn();
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = scroll;
    try {
      useSocketsStore().setAll([socketInfo({ fd: 3, state: 'bound' })]);
      const wrapper = mount(CallPanel, { global, attachTo: document.body });
      await wrapper.get('[data-testid="lane-server"] [data-testid="call-listen"]').trigger('click');
      await wrapper.get('form.args').trigger('submit');
      await settle();
      expect(scroll).toHaveBeenCalledTimes(1);
      expect(scroll.mock.contexts[0]).toBe(wrapper.get('[data-testid="call-result"]').element.parentElement);
      expect(scroll.mock.calls[0]![0]).toMatchObject({ block: 'nearest' });
      wrapper.unmount();
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });
});

describe('new-socket form', () => {
  it('drops "socket() returned N" once that descriptor is closed', async () => {
    const { global } = setupLab();
    const wrapper = mount(NewSocketForm, { global });
    await wrapper.get('form').trigger('submit');
    await settle();
    const sockets = useSocketsStore();
    sockets.upsert(socketInfo({ fd: 3, socketId: 1 }));
    await settle();
    expect(wrapper.get('[data-testid="new-socket-result"]').text()).toBe('socket() returned 3');
    sockets.remove(1);
    await settle();
    expect(wrapper.find('[data-testid="new-socket-result"]').exists()).toBe(false);
    // A later accept() that gets the same number does not bring the stale line back.
    sockets.upsert(socketInfo({ fd: 3, socketId: 2 }));
    await settle();
    expect(wrapper.find('[data-testid="new-socket-result"]').exists()).toBe(false);
  });

  it('says the connection is refused instead of showing socket() failing with ECONNRESET', async () => {
    const { fake, global } = setupLab();
    fake.respond('socket.socket', () => lost);
    const wrapper = mount(NewSocketForm, { global });
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.find('[data-testid="errno-explanation"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="new-socket-transport"]').text()).toContain('socket() could not reach the lab');
  });
});

describe('socket table', () => {
  it('keeps fd, type, state, local and peer first, and the blocked call as a compact mark', () => {
    const { global } = setupLab();
    useSocketsStore().setAll([socketInfo({ fd: 4, state: 'connected', blockedIn: 'recv' })]);
    const wrapper = mount(SocketTable, { global });
    const row = wrapper.get('[data-testid="socket-row-4"]');
    const blocked = row.get('.blocked');
    expect(blocked.attributes('title')).toBe('blocked in recv()');
    expect(blocked.get('[aria-hidden="true"]').text()).toBe('◷');
    expect(row.text()).toContain('blocked in recv()'); // still read out by screen readers
    expect(wrapper.get('[data-testid="socket-state-4"]').text()).toBe('connected');
  });
});
