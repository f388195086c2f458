import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { mount } from '@vue/test-utils';
import VirtualList from '@renderer/components/VirtualList.vue';

const Host = defineComponent({
  props: { count: { type: Number, required: true } },
  setup(props) {
    return () =>
      h(
        VirtualList,
        { count: props.count, rowHeight: 20, initialHeight: 400, overscan: 5 },
        { default: ({ index }: { index: number }) => h('span', { class: 'item' }, `item ${index}`) },
      );
  },
});

describe('VirtualList', () => {
  it('renders only the visible rows (plus overscan) of 1000 items', () => {
    const wrapper = mount(Host, { props: { count: 1000 } });
    const items = wrapper.findAll('.item');
    // 400 px / 20 px = 20 visible rows, plus 5 overscan below.
    expect(items).toHaveLength(25);
    expect(items[0]!.text()).toBe('item 0');
    expect(wrapper.get('.vlist-spacer').attributes('style')).toContain('height: 20000px');
  });

  it('renders the rows at the scroll position after scrolling', async () => {
    const wrapper = mount(Host, { props: { count: 1000 } });
    const list = wrapper.get('.vlist');
    (list.element as HTMLElement).scrollTop = 10_000;
    await list.trigger('scroll');
    const items = wrapper.findAll('.item');
    expect(items[0]!.text()).toBe('item 495');
    expect(items.at(-1)!.text()).toBe('item 524');
    expect(items.length).toBeLessThanOrEqual(30);
    expect(wrapper.get('.vlist-window').attributes('style')).toContain('translateY(9900px)');
  });

  it('renders every row of a short list', () => {
    const wrapper = mount(Host, { props: { count: 3 } });
    expect(wrapper.findAll('.item').map((i) => i.text())).toEqual(['item 0', 'item 1', 'item 2']);
  });
});
