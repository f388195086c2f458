/** The shared request gate: catalogue names only, schema-checked input, refusals as values. */
import { describe, expect, it, vi } from 'vitest';
import type { LabApi } from '@shared/api';
import { createDispatcher } from '../../src/main/transport/dispatch';
import { contentSecurityPolicy } from '../../src/main/transport/csp';

/** A LabApi that records what reaches it and answers a fixed success. */
function recordingLab(answer: (name: string) => unknown = () => ({ ok: true, ret: 3, callId: 1 })) {
  const reached: Array<{ name: string; input: unknown }> = [];
  const lab: LabApi = {
    invoke: (async (name: string, input: unknown) => {
      reached.push({ name, input });
      return answer(name);
    }) as LabApi['invoke'],
    on: () => () => {},
  };
  return { lab, reached };
}

describe('createDispatcher', () => {
  it('hands valid input to the lab with defaults applied and unknown keys dropped', async () => {
    const { lab, reached } = recordingLab();
    const dispatch = createDispatcher(lab);
    const answer = await dispatch('socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM', extra: 'x' });
    expect(answer).toEqual({ ok: true, ret: 3, callId: 1 });
    expect(reached).toEqual([
      { name: 'socket.socket', input: { domain: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_IP', host: null } },
    ]);
  });

  it.each([
    ['an unknown route', 'fs.readFile', {}],
    ['a non-string name', 42, {}],
    ['a prototype key', '__proto__', {}],
    ['a port out of range', 'socket.bind', { fd: 3, address: { family: 'AF_INET', address: '127.0.0.1', port: 65536 } }],
    ['a missing field', 'socket.listen', {}],
    ['data that is not bytes', 'socket.send', { fd: 3, data: 'aGk=' }],
    ['a NUL byte in an address', 'socket.connect', { fd: 3, address: { family: 'AF_INET', address: '127.0.0.1\u0000evil', port: 80 } }],
  ])('refuses %s with EINVAL before the lab sees it', async (_what, name, input) => {
    const { lab, reached } = recordingLab();
    const answer = await createDispatcher(lab)(name, input);
    expect(answer).toMatchObject({ ok: false, errno: 'EINVAL', code: 22 });
    expect(reached).toEqual([]);
  });

  it('answers BSD calls in C shape and other routes as failed results', async () => {
    const dispatch = createDispatcher(recordingLab().lab);
    expect(await dispatch('socket.listen', { fd: -1 })).toMatchObject({ ok: false, ret: -1, callId: 0, errno: 'EINVAL' });
    const other = await dispatch('lab.transcript', { fd: 'three' });
    expect(other).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(other).not.toHaveProperty('ret');
  });

  it('turns a lab that throws into an answer marked internal, and logs the stack', async () => {
    const lab: LabApi = { invoke: (async () => Promise.reject(new Error('boom'))) as LabApi['invoke'], on: () => () => {} };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const answer = await createDispatcher(lab)('lab.sockets', {});
    expect(answer).toMatchObject({ ok: false, errno: 'EINVAL', internal: true });
    expect((answer as { message: string }).message).toMatch(/SockLab bug in lab\.sockets: boom.*not caused by your program/);
    expect(logged.mock.calls.flat().some((value) => value instanceof Error && String(value.stack).includes('boom'))).toBe(true);
    logged.mockRestore();
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only the app itself: no inline script, no eval, no plugins, no framing', () => {
    const policy = contentSecurityPolicy();
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy({ connect: ['ws://127.0.0.1:5000'] })).toContain("connect-src 'self' ws://127.0.0.1:5000");
  });
});
