import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import PacketsView from '@renderer/views/PacketsView.vue';
import { ROWS_PAGE } from '@renderer/stores/packetList';
import { settle, setupLab } from './fakeLab';
import { captureStatus, holdPackets, packetRow, serveInterfaces } from './packetsFake';

/** Every frame number a set of `capture.rows` requests asked for (unfiltered: offset + 1). */
function askedRange(inputs: { offset: number; limit: number }[]): { min: number; max: number; rows: number } {
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  for (const { offset, limit } of inputs) {
    min = Math.min(min, offset);
    max = Math.max(max, offset + limit - 1);
    rows += limit;
  }
  return { min, max, rows };
}

describe('packet list', () => {
  it('asks only for the visible window of a 1,000,000-packet store', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 1_000_000);
    const wrapper = mount(PacketsView, { global, attachTo: document.body });
    await settle();
    await settle();

    // Auto-scroll starts on: the view sits at the newest packet.
    expect(wrapper.find('[data-testid="packet-row-1000000"]').exists()).toBe(true);
    const rendered = wrapper.findAll('[data-testid^="packet-row-"]');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
    const first = fake.inputsOf('capture.rows').filter((i) => i.limit > 1);
    // The first page (to learn the total) and the last one on screen: a few hundred rows at most.
    const asked = askedRange(first.filter((i) => i.offset > 0));
    expect(asked.rows).toBeLessThanOrEqual(2 * ROWS_PAGE);
    expect(asked.min).toBeGreaterThan(999_800);
    expect(first.every((i) => i.limit <= 2 * ROWS_PAGE)).toBe(true);

    // Scroll to the middle: one more small window, around the middle.
    await wrapper.get('[data-testid="packet-autoscroll"]').setValue(false);
    const before = fake.inputsOf('capture.rows').length;
    const list = wrapper.get('[data-testid="packet-list"]');
    (list.element as HTMLElement).scrollTop = 500_000 * 20;
    await list.trigger('scroll');
    await settle();
    const middle = fake.inputsOf('capture.rows').slice(before);
    expect(middle.length).toBeGreaterThan(0);
    const range = askedRange(middle);
    expect(range.rows).toBeLessThanOrEqual(2 * ROWS_PAGE);
    expect(range.min).toBeGreaterThan(499_800);
    expect(range.max).toBeLessThan(500_200);
    expect(wrapper.find('[data-testid="packet-row-500001"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="status-displayed"]').text()).toBe('1000000');

    // Scrolling back to rows already seen asks for nothing new.
    const cached = fake.inputsOf('capture.rows').length;
    await list.trigger('scroll');
    await settle();
    expect(fake.inputsOf('capture.rows').length).toBe(cached);
    wrapper.unmount();
  });

  it('follows live packets with auto-scroll, and stays put without it', async () => {
    const { fake, global } = setupLab();
    let held = 100;
    holdPackets(fake, () => held);
    const wrapper = mount(PacketsView, { global, attachTo: document.body });
    await settle();
    expect(wrapper.find('[data-testid="packet-row-100"]').exists()).toBe(true);
    const list = wrapper.get('[data-testid="packet-list"]').element as HTMLElement;

    // 400 more packets arrive as events: shown at once, from the events, with no request.
    const requests = fake.inputsOf('capture.rows').length;
    held = 500;
    fake.emit('capture.packets', { rows: Array.from({ length: 400 }, (_, i) => packetRow(101 + i)) });
    await settle();
    expect(wrapper.find('[data-testid="packet-row-500"]').exists()).toBe(true);
    expect(fake.inputsOf('capture.rows').length).toBe(requests);
    const followed = list.scrollTop;
    expect(followed).toBeGreaterThan(400 * 20);

    // Auto-scroll off: new packets extend the list but the view stays where it is.
    await wrapper.get('[data-testid="packet-autoscroll"]').setValue(false);
    held = 600;
    fake.emit('capture.packets', { rows: Array.from({ length: 100 }, (_, i) => packetRow(501 + i)) });
    fake.emit('capture.status', captureStatus({ running: true, iface: 'lo', held: 600, packets: 600 }));
    await settle();
    expect(list.scrollTop).toBe(followed);
    expect(wrapper.find('[data-testid="packet-row-600"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="status-displayed"]').text()).toBe('600');

    // On again: jumps to the newest.
    await wrapper.get('[data-testid="packet-autoscroll"]').setValue(true);
    await settle();
    expect(wrapper.find('[data-testid="packet-row-600"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('colours rows by their mark, shows sockets and switches the time format', async () => {
    const { fake, global } = setupLab();
    const rows = [
      packetRow(1, { mark: 'syn', info: '54321 → 8080 [SYN] Seq=0 Win=65495 Len=0 MSS=65495', fds: [3] }),
      packetRow(2, { mark: 'rst', fds: [3, 4], tsUs: 1_700_000_000_000_000 + 1000 + 250 }),
    ];
    fake.respond('capture.rows', (input) => ({
      ok: true,
      value: { total: 2, pending: 0, rows: rows.slice(input.offset, input.offset + input.limit) },
    }));
    fake.respond('capture.status', () => ({ ok: true, value: captureStatus({ held: 2, packets: 2 }) }));
    serveInterfaces(fake);
    const wrapper = mount(PacketsView, { global });
    await settle();
    const syn = wrapper.get('[data-testid="packet-row-1"]');
    expect(syn.classes()).toContain('pkt-mark-syn');
    expect(syn.text()).toContain('[SYN] Seq=0 Win=65495 Len=0 MSS=65495');
    expect(wrapper.get('[data-testid="packet-row-2"]').classes()).toContain('pkt-mark-rst');
    expect(wrapper.get('[data-testid="packet-row-2"]').text()).toContain('3,4');
    expect(wrapper.get('[data-testid="packet-legend"]').text()).toContain('ICMP error');
    expect(wrapper.get('[data-testid="packet-row-2"]').text()).toContain('0.000250');
    await wrapper.get('[data-testid="packet-time-mode"]').setValue('delta');
    expect(wrapper.get('[data-testid="packet-row-1"]').text()).toContain('0.000000');
    expect(wrapper.get('[data-testid="packet-row-2"]').text()).toContain('0.000250');
    await wrapper.get('[data-testid="packet-time-mode"]').setValue('absolute');
    expect(wrapper.get('[data-testid="packet-row-2"]').text()).toMatch(/\d\d:\d\d:\d\d\.001250/);
    expect(wrapper.get('[data-testid="packet-time-note"]').text()).toContain("Times are the kernel's");
    wrapper.unmount();
  });

  it('starts over when the lab store is cleared', async () => {
    const { fake, global } = setupLab();
    let held = 50;
    holdPackets(fake, () => held);
    const wrapper = mount(PacketsView, { global });
    await settle();
    expect(wrapper.find('[data-testid="packet-row-50"]').exists()).toBe(true);
    held = 0;
    fake.emit('capture.status', captureStatus({ held: 0 }));
    await settle();
    expect(wrapper.find('[data-testid="packet-list-empty"]').exists()).toBe(true);
    held = 3;
    fake.emit('capture.packets', { rows: [packetRow(1), packetRow(2), packetRow(3)] });
    await settle();
    expect(wrapper.findAll('[data-testid^="packet-row-"]').map((r) => r.attributes('data-testid'))).toEqual([
      'packet-row-1',
      'packet-row-2',
      'packet-row-3',
    ]);
    wrapper.unmount();
  });
});
