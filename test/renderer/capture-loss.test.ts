/**
 * The capture status tells what was lost (kernel, interface, store) with a warning the moment
 * anything is; relative times count from frame 1 even after it was evicted; opening a file
 * while packets are held asks first. In both languages.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import PacketsView from '@renderer/views/PacketsView.vue';
import { i18n } from '@renderer/i18n';
import { useSettingsStore } from '@renderer/stores/settings';
import { settle, setupLab } from './fakeLab';
import { captureStatus, holdPackets, packetRow } from './packetsFake';

afterEach(() => {
  vi.restoreAllMocks();
  i18n.global.locale.value = 'en';
});

describe('capture losses', () => {
  it('shows captured, dropped by the kernel and by the interface, evicted, and warns once anything is lost', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    const wrapper = mount(PacketsView, { global });
    await settle();
    fake.emit('capture.status', captureStatus({ running: true, iface: 'lo', packets: 500, held: 500 }));
    await settle();
    expect(wrapper.find('[data-testid="capture-loss"]').exists()).toBe(false);
    fake.emit(
      'capture.status',
      captureStatus({ running: true, iface: 'lo', packets: 900, held: 800, evicted: 100, dropped: 7, ifDropped: 2 }),
    );
    await settle();
    const bar = wrapper.get('[data-testid="capture-status"]').text();
    expect(bar).toContain('Captured: 900');
    expect(bar).toContain('Dropped by kernel: 7');
    expect(bar).toContain('Dropped by interface: 2');
    expect(bar).toContain('Evicted: 100');
    const warning = wrapper.get('[data-testid="capture-loss"]');
    expect(warning.attributes('role')).toBe('alert');
    expect(warning.text()).toContain('Packets lost: 109');
    i18n.global.locale.value = 'zh-CN';
    await settle();
    expect(wrapper.get('[data-testid="capture-status"]').text()).toContain('内核丢弃: 7');
    expect(wrapper.get('[data-testid="capture-loss"]').text()).toContain('已丢失 109 个数据包');
    wrapper.unmount();
  });

  it('keeps seconds since the first packet when frame 1 was evicted (no rebase)', async () => {
    const { fake, global } = setupLab();
    const zero = 1_700_000_000_000_000;
    holdPackets(fake, () => 10, { first: () => 101 });
    // Frames 101..110 held; frame 1 (evicted long ago) was stamped at `zero`.
    fake.respond('capture.rows', (input) => {
      const rows = [];
      for (let i = input.offset; i < Math.min(10, input.offset + input.limit); i++)
        rows.push(packetRow(101 + i, { tsUs: zero + 181_800_000 + i }));
      return { ok: true, value: { total: 10, pending: 0, rows } };
    });
    fake.respond('capture.status', () => ({ ok: true, value: captureStatus({ held: 10, packets: 110, evicted: 100, firstTsUs: zero }) }));
    const wrapper = mount(PacketsView, { global });
    await settle();
    await settle();
    // Before, the zero became the oldest held frame and this read 0.000009.
    expect(wrapper.get('[data-testid="packet-row-110"]').text()).toContain('181.800009');
    wrapper.unmount();
  });
});

describe('opening a file over held packets', () => {
  function chooseFile(wrapper: ReturnType<typeof mount>): Promise<void> {
    const input = wrapper.get('[data-testid="import-pcapng"]');
    const bytes = Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    Object.defineProperty(input.element, 'files', { value: [new File([bytes], 'other.pcap')], configurable: true });
    return input.trigger('change');
  }

  it('asks before discarding the held packets, and keeps them when the answer is no', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 155);
    fake.respond('capture.open', () => ({ ok: true, value: { openId: 1 } }));
    fake.respond('capture.openChunk', (input) => ({ ok: true, value: { packets: 2, bytes: input.offset + input.data.length } }));
    fake.respond('capture.openEnd', () => ({ ok: true, value: { packets: 2, problems: [], cancelled: false } }));
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    const wrapper = mount(PacketsView, { global });
    await settle();
    await chooseFile(wrapper);
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(String((confirm.mock.calls[0] as unknown[])[0])).toContain('discards the 155 packets');
    expect(fake.inputsOf('capture.open')).toHaveLength(0);
    confirm.mockReturnValue(true);
    await chooseFile(wrapper);
    await settle();
    await settle();
    expect(fake.inputsOf('capture.open')).toHaveLength(1);
    wrapper.unmount();
    vi.unstubAllGlobals();
  });

  it('asks in Chinese too', async () => {
    const { fake, global } = setupLab();
    // Through the settings store, as the language switch does: the view reads it for its layout.
    useSettingsStore().setLocale('zh-CN');
    holdPackets(fake, () => 3);
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    const wrapper = mount(PacketsView, { global });
    await settle();
    await chooseFile(wrapper);
    await settle();
    expect(String((confirm.mock.calls[0] as unknown[])[0])).toContain('打开文件会丢弃当前保存的 3 个数据包');
    expect(fake.inputsOf('capture.open')).toHaveLength(0);
    wrapper.unmount();
    vi.unstubAllGlobals();
  });
});
