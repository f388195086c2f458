import { beforeEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import PayloadEditor from '@renderer/components/PayloadEditor.vue';
import { useCallPanelStore } from '@renderer/stores/callPanel';
import { setupLab } from './fakeLab';

describe('payload editor', () => {
  let wrapper: VueWrapper;
  beforeEach(() => {
    const { global } = setupLab();
    wrapper = mount(PayloadEditor, { global });
  });

  it('shows an inline error for bad hex as you type, and clears it when fixed', async () => {
    await wrapper.get('[data-testid="payload-mode-hex"]').trigger('click');
    await wrapper.get('[data-testid="payload-editor"]').setValue('48 6x');
    expect(wrapper.get('[data-testid="payload-error"]').text()).toBe('Position 5: “x” is not a hex digit (0-9, a-f).');
    expect(wrapper.get('[data-testid="payload-editor"]').attributes('aria-invalid')).toBe('true');
    await wrapper.get('[data-testid="payload-editor"]').setValue('48 6');
    expect(wrapper.get('[data-testid="payload-error"]').text()).toContain('odd number');
    await wrapper.get('[data-testid="payload-editor"]').setValue('48 69');
    expect(wrapper.find('[data-testid="payload-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="payload-size"]').text()).toBe('2 bytes');
  });

  it('parses escape sequences into bytes', async () => {
    await wrapper.get('[data-testid="payload-mode-escape"]').trigger('click');
    await wrapper.get('[data-testid="payload-editor"]').setValue('GET /\\r\\n\\x00');
    const payload = useCallPanelStore().payload;
    expect(payload.ok && Array.from(payload.bytes)).toEqual([71, 69, 84, 32, 47, 13, 10, 0]);
    await wrapper.get('[data-testid="payload-editor"]').setValue('bad \\q');
    expect(wrapper.get('[data-testid="payload-error"]').text()).toContain('unknown escape “\\q”');
  });

  it('keeps the bytes when switching modes', async () => {
    await wrapper.get('[data-testid="payload-editor"]').setValue('hi\n');
    await wrapper.get('[data-testid="payload-mode-hex"]').trigger('click');
    expect((wrapper.get('[data-testid="payload-editor"]').element as HTMLTextAreaElement).value).toBe('68 69 0a');
    await wrapper.get('[data-testid="payload-mode-escape"]').trigger('click');
    expect((wrapper.get('[data-testid="payload-editor"]').element as HTMLTextAreaElement).value).toBe('hi\\n');
  });

  it('uses the bytes of a loaded file', async () => {
    useCallPanelStore().setPayloadFile({ name: 'blob.bin', bytes: Uint8Array.from([1, 2, 3]) });
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="payload-file-chip"]').text()).toContain('blob.bin');
    expect(wrapper.get('[data-testid="payload-size"]').text()).toBe('3 bytes');
  });
});
