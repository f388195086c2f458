/**
 * Lab-only capture by default: the capture filter names the lab's own ports (editable, shown),
 * "Everything" is one click away, and ports bound after the start are pointed out.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import CaptureToolbar from '@renderer/components/packets/CaptureToolbar.vue';
import { labCaptureFilter, labTraffic, portsMissing } from '@renderer/lib/labFilter';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useCaptureStore } from '@renderer/stores/capture';
import { settle, setupLab, socketInfo } from './fakeLab';
import { captureStatus, serveInterfaces } from './packetsFake';

const inet = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

describe('the lab’s traffic', () => {
  it('names both ports of each connection, ICMP for raw sockets, nothing for lab-network hosts', () => {
    const traffic = labTraffic([
      socketInfo({ fd: 3, socketId: 1, state: 'listening', local: inet(5000) }),
      socketInfo({ fd: 4, socketId: 2, state: 'connected', local: inet(41000), peer: inet(5000) }),
      socketInfo({ fd: 5, socketId: 3, type: 'SOCK_RAW', protocol: 'IPPROTO_ICMP' }),
      socketInfo({ fd: 1000, socketId: 4, host: 'A', local: inet(7000) }),
    ]);
    expect(traffic).toEqual({ ports: [5000, 41000], icmp: true });
    expect(labCaptureFilter(traffic)).toBe('port 5000 or port 41000 or icmp or icmp6');
    expect(portsMissing(traffic, 'port 5000')).toEqual([41000]);
    expect(portsMissing(traffic, '')).toEqual([]);
  });
});

describe('capture toolbar', () => {
  it('fills the filter from the lab’s ports, keeps an edit, and captures everything on request', async () => {
    const { fake, global } = setupLab();
    serveInterfaces(fake);
    fake.respond('capture.status', () => ({ ok: true, value: captureStatus() }));
    fake.respond('capture.start', (input) => ({
      ok: true,
      value: captureStatus({ running: true, iface: input.iface, filter: input.filter }),
    }));
    const wrapper = mount(CaptureToolbar, { global });
    const capture = useCaptureStore();
    await capture.connect();
    await settle();
    const field = wrapper.get('[data-testid="capture-filter"]');
    expect((field.element as HTMLInputElement).value).toBe('');
    expect(wrapper.find('[data-testid="capture-scope-note"]').exists()).toBe(true);

    const sockets = useSocketsStore();
    sockets.setAll([socketInfo({ fd: 3, socketId: 1, state: 'listening', local: inet(5000) })]);
    await settle();
    expect((field.element as HTMLInputElement).value).toBe('port 5000');
    await wrapper.get('[data-testid="capture-scope-all"]').trigger('click');
    expect((field.element as HTMLInputElement).value).toBe('');
    await wrapper.get('[data-testid="capture-scope-lab"]').trigger('click');
    await field.setValue('tcp port 5000');
    sockets.upsert(socketInfo({ fd: 4, socketId: 2, state: 'bound', local: inet(6000) }));
    await settle();
    expect((field.element as HTMLInputElement).value).toBe('tcp port 5000');

    await wrapper.get('[data-testid="capture-start"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.start').at(-1)).toMatchObject({ filter: 'tcp port 5000' });
    expect(wrapper.get('[data-testid="capture-missing-ports"]').text()).toContain('6000');
    wrapper.unmount();
  });
});
