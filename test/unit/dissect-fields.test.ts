/** Field registration: one name, one type, as in Wireshark (filters type literals by name). */
import { describe, expect, it } from 'vitest';
import { FIELD_TABLE } from '../../src/main/lab/dissect';
import { field, FieldTypeConflictError } from '../../src/main/lab/dissect/fields';

describe('field registration', () => {
  it('refuses a name registered again with another type', () => {
    expect(FIELD_TABLE.get('ip.src')?.type).toBe('ipv4');
    expect(() => field('ip.src', 'Source Address', 'string')).toThrow(FieldTypeConflictError);
    expect(() => field('ip.src', 'Source Address', 'string')).toThrow(/ip\.src is registered as ipv4 and again as string/);
    // The table keeps the first declaration.
    expect(FIELD_TABLE.get('ip.src')?.type).toBe('ipv4');
  });

  it('accepts the same name with the same type, keeping the first declaration', () => {
    const first = FIELD_TABLE.get('udp.srcport');
    expect(() => field('udp.srcport', 'Another label', 'uint')).not.toThrow();
    expect(FIELD_TABLE.get('udp.srcport')).toBe(first);
  });
});
