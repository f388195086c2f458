import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import PacketsView from '@renderer/views/PacketsView.vue';
import { i18n } from '@renderer/i18n';
import { settle, setupLab } from './fakeLab';
import { holdPackets, servePacket } from './packetsFake';

describe('Expert Information panel', () => {
  it('lists findings by severity and kind, in the UI language, and an entry selects its packet', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 3);
    servePacket(fake);
    fake.respond('capture.expert', () => ({
      ok: true,
      value: {
        groups: [
          { severity: 'warn', kind: 'tcp.analysis.out_of_order', protocol: 'TCP', count: 1, entries: [{ no: 2, detail: null }] },
          {
            severity: 'note',
            kind: 'tcp.analysis.duplicate_ack',
            protocol: 'TCP',
            count: 3,
            entries: [
              { no: 1, detail: 1 },
              { no: 3, detail: 2 },
            ],
          },
        ],
      },
    }));
    const wrapper = mount(PacketsView, { global, attachTo: document.body });
    await settle();
    await wrapper.get('[data-testid="expert-open"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.expert')).toEqual([{}]);
    const groups = wrapper.findAll('[data-testid="expert-group"]');
    expect(groups.map((g) => g.text())).toEqual([expect.stringContaining('Warning'), expect.stringContaining('Duplicate ACK')]);
    expect(groups[0].text()).toContain('out-of-order');
    await groups[1].get('button').trigger('click');
    const entries = wrapper.findAll('[data-testid="expert-entry"]');
    expect(entries.map((e) => e.text())).toEqual(['1 Duplicate ACK (#1)', '3 Duplicate ACK (#2)']);
    expect(wrapper.text()).toContain('and 1 more');
    await entries[1].trigger('click');
    await settle();
    expect(fake.inputsOf('capture.packet').at(-1)).toEqual({ no: 3 });
    expect(wrapper.get('[data-testid="packet-row-3"]').attributes('aria-selected')).toBe('true');

    i18n.global.locale.value = 'zh-CN';
    await settle();
    expect(wrapper.get('[data-testid="expert-panel"]').text()).toContain('重复 ACK（第 2 个）');
    await wrapper.get('[data-testid="expert-close"]').trigger('click');
    expect(wrapper.find('[data-testid="expert-panel"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
