/**
 * The lab facade keeps both halves of the contract: a handler that throws (a lab bug) answers
 * `internal: true` with a message saying so, and logs the stack; an answer outside its output
 * schema is caught (in tests and development) and answered the same way, never passed on.
 * The raw area is replaced by a broken one so the facade's own handling is what is tested.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/main/lab/raw/area', () => ({
  createRawArea: () => ({
    handlers: {
      'raw.buildIcmp': () => {
        throw new TypeError('cannot read properties of undefined (reading "checksum")');
      },
      // An identifier that is not a number and no statistics: outside raw.ping's output schema.
      'raw.ping': () => ({ ok: true, value: { target: '127.0.0.1', identifier: 'x' } }),
    },
    close: async () => {},
  }),
}));

const { createLab } = await import('../../src/main/lab/index');

afterEach(() => vi.restoreAllMocks());

describe('lab facade: lab bugs are marked, logged and never passed off as errnos', () => {
  it('answers a handler that throws with internal: true and logs its stack', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const lab = createLab({ captureLauncher: 'none' });
    const answer = await lab.invoke('raw.buildIcmp', { type: 8 });
    expect(answer).toMatchObject({ ok: false, errno: 'EINVAL', internal: true });
    expect(!answer.ok && answer.message).toMatch(/^SockLab bug in raw\.buildIcmp: cannot read properties.*not caused by your program/);
    const stacks = logged.mock.calls
      .flat()
      .filter((value): value is Error => value instanceof Error)
      .map((error) => String(error.stack));
    expect(stacks.some((stack) => stack.includes('TypeError') && stack.includes('lab-contract.test.ts'))).toBe(true);
    await lab.close();
  });

  it('answers an answer outside its output schema as internal when checking (tests, development)', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const lab = createLab({ captureLauncher: 'none' });
    const answer = await lab.invoke('raw.ping', { target: '127.0.0.1' });
    expect(answer).toMatchObject({ ok: false, internal: true });
    expect(!answer.ok && answer.message).toContain('raw.ping answered outside its output schema: value.identifier');
    expect(logged).toHaveBeenCalled();
    await lab.close();
  });

  it('passes answers through unchecked when checkContract is off (production)', async () => {
    const lab = createLab({ captureLauncher: 'none', checkContract: false });
    expect(await lab.invoke('raw.ping', { target: '127.0.0.1' })).toMatchObject({ ok: true, value: { identifier: 'x' } });
    await lab.close();
  });
});
