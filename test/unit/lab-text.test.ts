/** The lab's sentence catalogue: both languages have every key, with the same parameters. */
import { describe, expect, it } from 'vitest';
import { LAB_TEXT_EN, LabTextSchema, formatLabText, labText, type LabTextKey } from '@shared/lab-text';
import { LAB_TEXT_ZH_CN } from '@shared/lab-text.zh-CN';

function parameters(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

describe('lab text catalogue', () => {
  it('has a Chinese template for every English key, and no other', () => {
    expect(Object.keys(LAB_TEXT_ZH_CN).sort()).toEqual(Object.keys(LAB_TEXT_EN).sort());
  });

  it('uses the same parameters in both languages', () => {
    for (const key of Object.keys(LAB_TEXT_EN) as LabTextKey[]) {
      expect(parameters(LAB_TEXT_ZH_CN[key]), key).toEqual(parameters(LAB_TEXT_EN[key]));
      expect(LAB_TEXT_ZH_CN[key].trim(), key).not.toBe('');
    }
  });

  it('formats a sentence in English by default and in Chinese on request, nested sentences too', () => {
    const text = labText('check.noPacketMatching', {
      filter: 'tcp.flags.syn == 1',
      before: labText('check.afterFrame', { frame: 4 }),
      capture: '',
    });
    expect(formatLabText(text)).toBe('no packet matching "tcp.flags.syn == 1" was captured after frame 4');
    expect(formatLabText(text, LAB_TEXT_ZH_CN)).toBe('没有捕获到匹配 "tcp.flags.syn == 1" 的数据包（在帧 4 之后）');
  });

  it('is part of the contract: a known key passes the schema, an unknown one does not', () => {
    expect(LabTextSchema.safeParse(labText('bind.addressInUse', { address: '127.0.0.1:9402' })).success).toBe(true);
    expect(LabTextSchema.safeParse({ key: 'bind.nothing', params: {} }).success).toBe(false);
  });
});
