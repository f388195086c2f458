/**
 * The API reference shown next to each call: every BSD call the lab offers has an entry whose
 * every text is in English and Chinese, and whose errors are errno names the lab knows.
 */
import { describe, expect, it } from 'vitest';
import { API_REFERENCE, apiReference } from '@shared/api-reference';
import { isErrnoName } from '@shared/errno';
import { CALL_NAMES } from '@shared/socket';

const CJK = /[\u4e00-\u9fff]/;

describe('API reference', () => {
  it('covers every call, in both languages', () => {
    expect(Object.keys(API_REFERENCE).sort()).toEqual([...CALL_NAMES].sort());
    for (const call of CALL_NAMES) {
      const entry = apiReference(call);
      expect(entry.call).toBe(call);
      expect(entry.signature).toMatch(new RegExp(`\\b${call}\\(`));
      const texts = [
        entry.summary,
        entry.returns,
        ...entry.params.map((p) => p.text),
        ...entry.errors.map((e) => e.text),
        ...(entry.note ? [entry.note] : []),
      ];
      for (const text of texts) {
        expect(text.en.length, `${call}: ${text.en}`).toBeGreaterThan(3);
        expect(text.zh, `${call}: ${text.en}`).toMatch(CJK);
      }
      for (const error of entry.errors) expect(isErrnoName(error.errno)).toBe(true);
      expect(new Set(entry.errors.map((e) => e.errno)).size).toBe(entry.errors.length);
    }
  });
});
