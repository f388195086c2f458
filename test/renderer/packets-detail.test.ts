import { describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import PacketsView from '@renderer/views/PacketsView.vue';
import { usePacketListStore } from '@renderer/stores/packetList';
import { settle, setupLab, type FakeLab } from './fakeLab';
import { holdPackets, servePacket } from './packetsFake';

async function openFirstPacket(): Promise<{ fake: FakeLab; wrapper: VueWrapper }> {
  const { fake, global } = setupLab();
  holdPackets(fake, () => 3);
  servePacket(fake);
  const wrapper = mount(PacketsView, { global, attachTo: document.body });
  await settle();
  await wrapper.get('[data-testid="packet-row-1"]').trigger('click');
  await settle();
  return { fake, wrapper };
}

function litBytes(wrapper: VueWrapper): number[] {
  return wrapper
    .findAll('[data-testid^="hex-byte-"]')
    .filter((b) => b.classes().includes('lit'))
    .map((b) => Number(b.attributes('data-testid')!.slice('hex-byte-'.length)));
}

describe('packet detail', () => {
  it('shows the field tree with notes and the bytes as hex and ASCII', async () => {
    const { fake, wrapper } = await openFirstPacket();
    expect(fake.inputsOf('capture.packet')).toEqual([{ no: 1 }]);
    expect(wrapper.get('[data-testid="packet-row-1"]').attributes('aria-selected')).toBe('true');
    const tree = wrapper.get('[data-testid="packet-tree"]');
    expect(tree.text()).toContain('Internet Protocol Version 4');
    // Protocol layers start open, their subtrees closed.
    expect(wrapper.find('[data-testid="packet-field-ip.src"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="packet-field-tcp.flags.syn"]').exists()).toBe(false);
    const note = wrapper.get('[data-testid="packet-field-_ws.expert"]');
    expect(note.classes()).toContain('sev-note');
    expect(note.text()).toContain('Checksum not computed: offloaded');
    expect(wrapper.get('[data-testid="packet-field-tcp.checksum"]').text()).toContain('not computed (offload)');
    expect(wrapper.get('[data-testid="packet-field-_ws.malformed"]').classes()).toContain('sev-warn');
    expect(wrapper.findAll('[data-testid^="hex-byte-"]')).toHaveLength(54);
    expect(wrapper.get('[data-testid="hex-byte-12"]').text()).toBe('08');
    expect(wrapper.get('[data-testid="hex-dump"]').text()).toContain('0030');
    wrapper.unmount();
  });

  it('lights the bytes of a selected field, and selects the deepest field of a clicked byte', async () => {
    const { wrapper } = await openFirstPacket();
    await wrapper.get('[data-testid="packet-field-ip.src"]').trigger('click');
    expect(litBytes(wrapper)).toEqual([26, 27, 28, 29]);
    expect(wrapper.get('[data-testid="hex-selection"]').text()).toBe('ip.src: 4 bytes at offset 26');

    // Byte 47 lies in the TCP layer, its flags, and the SYN bit: the SYN bit is chosen and shown.
    await wrapper.get('[data-testid="hex-byte-47"]').trigger('click');
    const syn = wrapper.get('[data-testid="packet-field-tcp.flags.syn"]');
    expect(syn.attributes('aria-selected')).toBe('true');
    expect(wrapper.get('[data-testid="packet-field-tcp.flags"]').attributes('aria-expanded')).toBe('true');
    expect(litBytes(wrapper)).toEqual([47]);

    // A byte covered only by a layer selects the layer.
    await wrapper.get('[data-testid="hex-byte-14"]').trigger('click');
    expect(wrapper.get('[data-testid="packet-field-ip"]').attributes('aria-selected')).toBe('true');
    expect(litBytes(wrapper)).toHaveLength(20);

    // Collapsing a layer hides its fields; the choice is kept for the next packet.
    await wrapper.get('[data-testid="packet-field-ip"] .twisty').trigger('click');
    expect(wrapper.find('[data-testid="packet-field-ip.src"]').exists()).toBe(false);
    await wrapper.get('[data-testid="packet-row-2"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="packet-field-ip.src"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="packet-field-tcp.srcport"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('follows a TCP stream: both directions coloured, gaps shown, text and hex, filter applied', async () => {
    const { fake, wrapper } = await openFirstPacket();
    const text = (s: string) => new TextEncoder().encode(s);
    const filter = 'tcp.stream_between(127.0.0.1:54321, 127.0.0.1:8080)';
    fake.respond('capture.follow', () => ({
      ok: true,
      value: {
        protocol: 'tcp',
        a: '127.0.0.1:54321',
        b: '127.0.0.1:8080',
        filter,
        segments: [
          { direction: 'a-to-b', no: 4, data: text('GET / HTTP/1.0\r\n\r\n') },
          { direction: 'b-to-a', no: 6, data: text('HTTP/1.0 200 OK\r\n') },
          { direction: 'b-to-a', no: 9, data: text('hello'), missingBefore: 100 },
        ],
      },
    }));
    await wrapper.get('[data-testid="follow-stream"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.follow')).toEqual([{ no: 1 }]);
    const dialog = wrapper.get('[data-testid="follow-dialog"]');
    expect(dialog.text()).toContain('Follow TCP stream');
    expect(wrapper.get('[data-testid="follow-side-a"]').text()).toBe('127.0.0.1:54321 → 127.0.0.1:8080: 18 bytes');
    expect(wrapper.get('[data-testid="follow-side-b"]').text()).toBe('127.0.0.1:8080 → 127.0.0.1:54321: 22 bytes');
    const lines = wrapper.findAll('[data-testid="follow-line"]');
    const request = lines.find((l) => l.text().startsWith('GET / HTTP/1.0'))!;
    expect(request.classes()).toContain('a-to-b');
    const reply = lines.find((l) => l.text().startsWith('HTTP/1.0 200 OK'))!;
    expect(reply.classes()).toContain('b-to-a');
    const gap = lines.find((l) => l.classes().includes('gap'))!;
    expect(gap.text()).toBe('[100 bytes missing in the capture]');

    await wrapper.get('[data-testid="follow-view-hex"]').trigger('click');
    const hexLines = wrapper.findAll('[data-testid="follow-line"]').map((l) => l.text());
    expect(hexLines[0]).toContain('00000000  47 45 54 20 2f 20 48 54');
    expect(hexLines).toContain('[100 bytes missing in the capture]');

    await wrapper.get('[data-testid="follow-apply-filter"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="follow-dialog"]').exists()).toBe(false);
    expect(usePacketListStore().filter).toBe(filter);
    expect(fake.inputsOf('capture.rows').at(-1)!.filter).toBe(filter);
    expect((wrapper.get('[data-testid="display-filter"]').element as HTMLInputElement).value).toBe(filter);
    wrapper.unmount();
  });

  it('says why a stream cannot be followed', async () => {
    const { fake, wrapper } = await openFirstPacket();
    fake.respond('capture.follow', () => ({
      ok: false,
      errno: 'EINVAL',
      code: 22,
      message: 'Frame 1 is not TCP or UDP: there is no stream to follow.',
    }));
    await wrapper.get('[data-testid="follow-stream"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="follow-error"]').text()).toContain('no stream to follow');
    expect(wrapper.find('[data-testid="follow-dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
