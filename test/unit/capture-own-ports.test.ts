/** Web mode's own WebSocket port is left out of every capture filter. */
import { describe, expect, it } from 'vitest';
import { withoutOwnPorts } from '../../src/main/lab/capture/area';

describe('withoutOwnPorts', () => {
  it('keeps a filter as it is when the lab has no transport port', () => {
    expect(withoutOwnPorts('udp port 53', new Set())).toBe('udp port 53');
  });
  it('adds the exclusion to an empty filter and to a given one', () => {
    expect(withoutOwnPorts('', new Set([41234]))).toBe('not (tcp port 41234)');
    expect(withoutOwnPorts('tcp or udp', new Set([41234, 5000]))).toBe('(tcp or udp) and not (tcp port 41234 or tcp port 5000)');
  });
});
