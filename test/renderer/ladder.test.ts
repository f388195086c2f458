import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import type { LadderPicture } from '@shared/capture';
import LadderView from '@renderer/views/LadderView.vue';
import { usePacketDetailStore } from '@renderer/stores/packetDetail';
import { useSettingsStore } from '@renderer/stores/settings';
import { isSafeSvg } from '@renderer/components/ladder/svgSafety';
import { arrowAt } from '@renderer/components/ladder/hitTest';
import { base64ToBytes, bytesToText } from '@renderer/lib/bytes';
import { servePacket } from './packetsFake';
import { settle, setupLab, type FakeLab } from './fakeLab';

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120"><style>.x{fill:red}</style>' +
  '<g class="packet" data-no="5"><line x1="10" y1="40" x2="390" y2="50"/><text x="200" y="38">#5 [SYN] Seq=0 Win=65495</text></g>' +
  '<g class="packet" data-no="6"><line x1="390" y1="70" x2="10" y2="80"/><text x="200" y="68">#6 [SYN, ACK] Seq=0 Ack=1</text></g></svg>';

function picture(svg = SVG): LadderPicture {
  return {
    svg,
    width: 400,
    height: 120,
    conversation: { a: '127.0.0.1:54321', b: '127.0.0.1:8080', protocol: 'tcp' },
    arrows: [
      { no: 5, top: 30, bottom: 55 },
      { no: 6, top: 60, bottom: 85 },
    ],
    truncated: false,
  };
}

function serveLadder(fake: FakeLab, svg = SVG): void {
  fake.respond('capture.ladder', () => ({ ok: true, value: picture(svg) }));
}

afterEach(() => vi.restoreAllMocks());

/** The SVG text an <img> shows, decoded from its data: URL. */
function shownSvg(img: { attributes(name: string): string | undefined }): string {
  const src = img.attributes('src') ?? '';
  expect(src.startsWith('data:image/svg+xml;base64,')).toBe(true);
  return bytesToText(base64ToBytes(src.slice(src.indexOf(',') + 1)));
}

/** Renders the picture's <img> at `height` pixels (happy-dom lays nothing out). */
function layOut(img: Element, height: number): void {
  vi.spyOn(img, 'getBoundingClientRect').mockReturnValue({
    top: 100,
    height,
    left: 0,
    width: 400,
    bottom: 100 + height,
    right: 400,
    x: 0,
    y: 100,
    toJSON: () => ({}),
  });
}

describe('ladder view', () => {
  it('draws the conversation of the selected packet, in the app theme', async () => {
    const { fake, global } = setupLab();
    servePacket(fake);
    serveLadder(fake);
    useSettingsStore().toggleTheme();
    const theme = useSettingsStore().theme;
    await usePacketDetailStore().select(5);
    const wrapper = mount(LadderView, { global });
    await settle();
    expect(fake.inputsOf('capture.ladder')).toEqual([{ no: 5, theme }]);
    expect(shownSvg(wrapper.get('[data-testid="ladder-svg"] img'))).toBe(SVG);
    // The selected packet's arrow band is framed: 30..55 of 120 units.
    const band = wrapper.get('[data-testid="ladder-selected-band"]').attributes('style') ?? '';
    expect(band).toContain('top: 25%');
    expect(wrapper.get('[data-testid="ladder-conversation"]').text()).toContain('127.0.0.1:8080');
    wrapper.unmount();
  });

  it('selects the packet of a clicked arrow without redrawing', async () => {
    const { fake, global } = setupLab();
    servePacket(fake);
    serveLadder(fake);
    await usePacketDetailStore().select(5);
    const wrapper = mount(LadderView, { global });
    await settle();
    // Drawn at half size: the arrow of frame 6 (units 60..85) is at 30..42 px.
    layOut(wrapper.get('[data-testid="ladder-image"]').element, 60);
    await wrapper.get('[data-testid="ladder-svg"]').trigger('click', { clientY: 100 + 36 });
    await settle();
    expect(usePacketDetailStore().selectedNo).toBe(6);
    expect(fake.inputsOf('capture.packet').at(-1)).toEqual({ no: 6 });
    expect(fake.inputsOf('capture.ladder')).toHaveLength(1);
    // Between arrows: nothing changes.
    await wrapper.get('[data-testid="ladder-svg"]').trigger('click', { clientY: 100 + 5 });
    await settle();
    expect(usePacketDetailStore().selectedNo).toBe(6);
    // Up from the keyboard goes back to frame 5.
    await wrapper.get('[data-testid="ladder-svg"]').trigger('keydown', { key: 'ArrowUp' });
    await settle();
    expect(usePacketDetailStore().selectedNo).toBe(5);
    wrapper.unmount();
  });

  it('draws a typed frame number when no packet is selected', async () => {
    const { fake, global } = setupLab();
    serveLadder(fake);
    const wrapper = mount(LadderView, { global });
    await settle();
    expect(wrapper.find('[data-testid="ladder-svg"]').exists()).toBe(false);
    await wrapper.get('[data-testid="ladder-no"]').setValue(6);
    await wrapper.get('[data-testid="ladder-draw"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.ladder').at(-1)?.no).toBe(6);
    expect(wrapper.find('[data-testid="ladder-svg"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('saves the returned SVG text as socklab-ladder-<no>.svg', async () => {
    const { fake, global } = setupLab();
    servePacket(fake);
    serveLadder(fake);
    await usePacketDetailStore().select(5);
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:test';
    });
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const wrapper = mount(LadderView, { global });
    await settle();
    await wrapper.get('[data-testid="ladder-export-svg"]').trigger('click');
    expect(names).toEqual(['socklab-ladder-5.svg']);
    expect(blobs[0]?.type).toBe('image/svg+xml');
    expect(await blobs[0]!.text()).toBe(SVG);
    wrapper.unmount();
  });

  it('refuses an SVG carrying a script and shows why', async () => {
    const { fake, global } = setupLab();
    servePacket(fake);
    serveLadder(fake, SVG.replace('<g class="packet" data-no="6">', '<script>alert(1)</script><g class="packet" data-no="6">'));
    await usePacketDetailStore().select(5);
    const wrapper = mount(LadderView, { global });
    await settle();
    expect(wrapper.find('[data-testid="ladder-svg"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="ladder-image"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="ladder-error"]').text()).toContain('script');
    expect(wrapper.get('[data-testid="ladder-export-svg"]').attributes('disabled')).toBeDefined();
    wrapper.unmount();
  });

  it('shows the lab error when the packet has no conversation to draw', async () => {
    const { fake, global } = setupLab();
    fake.respond('capture.ladder', () => ({ ok: false, errno: 'ENOENT', code: 2, message: 'frame 9 is not held' }));
    const wrapper = mount(LadderView, { global });
    await wrapper.get('[data-testid="ladder-no"]').setValue(9);
    await wrapper.get('[data-testid="ladder-draw"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="ladder-error"]').text()).toBe('ENOENT: frame 9 is not held');
    wrapper.unmount();
  });
});

describe('arrowAt', () => {
  it('maps a click height to the arrow band, scaled to SVG units', () => {
    const p = picture();
    expect(arrowAt(p, 40, 120)).toBe(5);
    expect(arrowAt(p, 60, 120)).toBe(6);
    expect(arrowAt(p, 57, 120)).toBeNull();
    expect(arrowAt(p, 116, 240)).toBeNull();
    expect(arrowAt(p, 130, 240)).toBe(6);
    expect(arrowAt(p, 10, 0)).toBeNull();
  });
});

describe('isSafeSvg', () => {
  it('accepts a plain SVG, also with an XML declaration and "on=" in label text', () => {
    expect(isSafeSvg(SVG)).toBe(true);
    expect(isSafeSvg(`<?xml version="1.0"?>\n${SVG}`)).toBe(true);
    expect(isSafeSvg('<svg><text>carry on=yes</text></svg>')).toBe(true);
  });

  it('refuses scripts, event handlers, javascript: URLs, foreignObject and non-SVG text', () => {
    expect(isSafeSvg('<svg><SCRIPT>x</SCRIPT></svg>')).toBe(false);
    expect(isSafeSvg('<svg><g onclick="x()"></g></svg>')).toBe(false);
    expect(isSafeSvg('<svg onload = "x()"></svg>')).toBe(false);
    expect(isSafeSvg('<svg><a href="javascript:x()">a</a></svg>')).toBe(false);
    expect(isSafeSvg('<svg><foreignObject><div/></foreignObject></svg>')).toBe(false);
    expect(isSafeSvg('<div><svg></svg></div>')).toBe(false);
    expect(isSafeSvg('')).toBe(false);
  });
});
