import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import SegmentedToggle from '@renderer/components/SegmentedToggle.vue';

const options = [
  { value: 'text', label: 'Text' },
  { value: 'hex', label: 'Hex' },
] as const;

function mountToggle(modelValue: 'text' | 'hex' | null, ariaLabel?: string) {
  return mount(SegmentedToggle, { props: { options, modelValue, testIdPrefix: 'view-', ariaLabel } });
}

describe('SegmentedToggle', () => {
  it('renders one type="button" per option with its label and prefixed test id, in order', () => {
    const wrapper = mountToggle('text');
    const buttons = wrapper.findAll('button');
    expect(buttons.map((b) => b.text())).toEqual(['Text', 'Hex']);
    expect(buttons.map((b) => b.attributes('data-testid'))).toEqual(['view-text', 'view-hex']);
    expect(buttons.map((b) => b.attributes('type'))).toEqual(['button', 'button']);
  });

  it('marks only the model value as pressed and active', async () => {
    const wrapper = mountToggle('text');
    const pressed = () => wrapper.findAll('button').map((b) => [b.attributes('aria-pressed'), b.classes('active')]);
    expect(pressed()).toEqual([
      ['true', true],
      ['false', false],
    ]);
    await wrapper.setProps({ modelValue: 'hex' });
    expect(pressed()).toEqual([
      ['false', false],
      ['true', true],
    ]);
    await wrapper.setProps({ modelValue: null });
    expect(pressed()).toEqual([
      ['false', false],
      ['false', false],
    ]);
  });

  it('emits update:modelValue on every click, including the pressed option', async () => {
    const wrapper = mountToggle('text');
    await wrapper.get('[data-testid="view-hex"]').trigger('click');
    await wrapper.get('[data-testid="view-text"]').trigger('click');
    expect(wrapper.emitted('update:modelValue')).toEqual([['hex'], ['text']]);
  });

  it('is a group named by ariaLabel, and carries no aria-label when none is given', () => {
    const named = mountToggle('text', 'Transcript');
    expect(named.get('[role="group"]').attributes('aria-label')).toBe('Transcript');
    const unnamed = mountToggle('text');
    expect(unnamed.get('[role="group"]').attributes('aria-label')).toBeUndefined();
  });
});
