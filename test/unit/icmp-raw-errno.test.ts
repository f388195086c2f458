import { describe, expect, it } from 'vitest';
import { ERRNO, errnoByCode } from '@shared/errno';
import { labFailure, libcFailure } from '../../src/main/lab/libc';

/**
 * The kernel's errno numbers as raw sockets meet them, mapped to names (the real EPERM, from a
 * process without CAP_NET_RAW, is in test/integration/raw-privilege.test.ts).
 */
describe('libcFailure', () => {
  it.each([
    [1, 'EPERM'],
    [4, 'EINTR'],
    [9, 'EBADF'],
    [11, 'EAGAIN'],
    [22, 'EINVAL'],
    [90, 'EMSGSIZE'],
    [93, 'EPROTONOSUPPORT'],
    [97, 'EAFNOSUPPORT'],
    [101, 'ENETUNREACH'],
  ] as const)('names Linux errno %i as %s', (code, name) => {
    const failure = libcFailure('socket', code);
    expect(failure).toMatchObject({ ok: false, errno: name, code });
    expect(failure.message).toBe(`socket: ${ERRNO[name].text}`);
  });

  it('accepts a negated errno (as libuv reports them)', () => {
    expect(libcFailure('sendto', -97).errno).toBe('EAFNOSUPPORT');
  });

  it('says that EPERM needs CAP_NET_RAW', () => {
    expect(libcFailure('socket', 1).message).toContain('CAP_NET_RAW');
  });

  it('keeps the name and number of every Linux errno, never EINVAL (EREMOTEIO 121, ELOOP 40, ENOSPC 28)', () => {
    expect(libcFailure('recvfrom', 121)).toMatchObject({ ok: false, errno: 'EREMOTEIO', code: 121 });
    expect(libcFailure('bind', 40)).toMatchObject({ errno: 'ELOOP', code: 40 });
    expect(libcFailure('bind', 28)).toMatchObject({ errno: 'ENOSPC', code: 28 });
    for (let code = 1; code <= 133; code++) {
      if (code === 41 || code === 58) continue; // numbers Linux leaves unused
      expect(errnoByCode(code), `errno ${code}`).toBeDefined();
    }
  });

  it('keeps the number of an errno Linux does not define', () => {
    const failure = libcFailure('recvfrom', 999);
    expect(failure).toMatchObject({ ok: false, errno: 'EINVAL', code: 999 });
    expect(failure.message).toContain('999');
  });

  it('adds the detail after the generic sentence', () => {
    expect(labFailure('recvfrom', 'EINTR', 'Cancelled.')).toEqual({
      ok: false,
      errno: 'EINTR',
      code: 4,
      message: `recvfrom: ${ERRNO.EINTR.text} Cancelled.`,
    });
  });
});
