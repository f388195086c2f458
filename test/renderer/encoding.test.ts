/**
 * Text decoding wherever received data shows: UTF-8 by default (recv() of 你好 shows 你好),
 * GBK and hex one click away, one setting for the whole app, and long lines never cut inside
 * a UTF-8 character.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import CallResult from '@renderer/components/CallResult.vue';
import TranscriptView from '@renderer/components/TranscriptView.vue';
import { decodeText, displayText } from '@renderer/lib/bytes';
import { textRowStarts, useTranscriptsStore } from '@renderer/stores/transcripts';
import { useSocketsStore } from '@renderer/stores/sockets';
import { useSettingsStore } from '@renderer/stores/settings';
import type { CallOutcome } from '@renderer/stores/calls';
import { settle, setupLab, socketInfo } from './fakeLab';

const NIHAO_UTF8 = new TextEncoder().encode('你好\n');
const NIHAO_GBK = Uint8Array.from([0xc4, 0xe3, 0xba, 0xc3]);

function recvOutcome(data: Uint8Array): CallOutcome {
  return {
    socketId: 1,
    fd: 3,
    call: 'recv',
    ok: true,
    ret: data.length,
    errno: null,
    message: null,
    text: null,
    note: null,
    extras: { data },
  };
}

describe('decoding', () => {
  it('decodes UTF-8 and GBK, escaping control characters', () => {
    expect(displayText(NIHAO_UTF8)).toBe('你好\\n');
    expect(decodeText(NIHAO_GBK, 'gbk')).toBe('你好');
  });

  it('cuts a long line between characters, not inside one', () => {
    const bytes = new TextEncoder().encode('a' + '你'.repeat(100));
    const starts = [...textRowStarts(bytes)];
    expect(starts.length).toBeGreaterThan(1);
    for (let i = 0; i < starts.length; i++) {
      const row = bytes.subarray(starts[i], starts[i + 1] ?? bytes.length);
      expect(decodeText(row)).not.toContain('\uFFFD');
    }
  });
});

describe('call results', () => {
  it('show recv() of 你好 as 你好, with GBK and hex one click away', async () => {
    const { global } = setupLab();
    const wrapper = mount(CallResult, { global, props: { outcome: recvOutcome(NIHAO_UTF8) } });
    expect(wrapper.get('[data-testid="call-result-data"]').text()).toBe('"你好\\n"');
    await wrapper.get('[data-testid="call-result-view-hex"]').trigger('click');
    expect(wrapper.get('[data-testid="call-result-data"]').text()).toBe('e4 bd a0 e5 a5 bd 0a');
    await wrapper.setProps({ outcome: recvOutcome(NIHAO_GBK) });
    await wrapper.get('[data-testid="call-result-view-gbk"]').trigger('click');
    expect(wrapper.get('[data-testid="call-result-data"]').text()).toBe('"你好"');
    // One setting for the app: the choice is remembered.
    expect(useSettingsStore().textEncoding).toBe('gbk');
    expect(localStorage.getItem('socklab.textEncoding')).toBe('gbk');
    wrapper.unmount();
  });
});

describe('transcript', () => {
  it('reads received GBK text once GBK is chosen', async () => {
    const { global } = setupLab();
    useSocketsStore().setAll([socketInfo({ fd: 3, socketId: 1, state: 'connected' })]);
    const wrapper = mount(TranscriptView, { global, attachTo: document.body });
    await settle();
    useTranscriptsStore().append({ socketId: 1, fd: 3, direction: 'in', data: NIHAO_GBK, length: 4, addr: null, callId: 1, monoUs: 5 });
    await settle();
    expect(wrapper.get('[data-testid="transcript-row"]').text()).not.toContain('你好');
    await wrapper.get('[data-testid="transcript-encoding-gbk"]').trigger('click');
    expect(wrapper.get('[data-testid="transcript-row"]').text()).toContain('你好');
    await wrapper.get('[data-testid="transcript-view-hex"]').trigger('click');
    expect(wrapper.get('[data-testid="transcript-row"]').text()).toContain('c4 e3 ba c3');
    wrapper.unmount();
  });
});
