/**
 * The exercise routes as the app uses them, on a real lab with capture on lo: list and get the
 * built-in exercises, and check one live as a student makes calls by hand (roles inferred from
 * the calls, or chosen by descriptor), with results turning green as evidence arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { createExerciseArea } from '../../src/main/lab/exercises/area';

let lab: Lab;
let area: ReturnType<typeof createExerciseArea>;

beforeAll(() => {
  lab = createLab({ captureLauncher: 'fork' });
  area = createExerciseArea(lab);
});
afterAll(async () => {
  await lab.close();
});

async function fd(answer: Promise<{ ok: boolean; ret?: number }>): Promise<number> {
  const result = await answer;
  if (!result.ok || result.ret === undefined) throw new Error(`call failed: ${JSON.stringify(result)}`);
  return result.ret;
}

describe('exercise routes', () => {
  it('lists the exercises and returns one in both languages', async () => {
    const list = await area.handlers['exercise.list']({});
    expect(list.ok && list.value.map((e) => e.id)).toContain('tcp-lifecycle');
    const one = await area.handlers['exercise.get']({ id: 'half-close' });
    expect(one.ok && one.value.title.zh).toMatch(/半关闭/);
    const missing = await area.handlers['exercise.get']({ id: 'nope' });
    expect(missing).toMatchObject({ ok: false, errno: 'ENOENT' });
  });

  it('checks tcp-lifecycle live as calls are made by hand', async () => {
    expect((await lab.invoke('capture.start', { iface: 'lo', filter: 'tcp' })).ok).toBe(true);
    const check = async () => {
      const answer = await area.handlers['exercise.check']({ id: 'tcp-lifecycle', roles: {} });
      if (!answer.ok) throw new Error(answer.message);
      return answer.value;
    };
    const before = await check();
    expect(before.passed).toBe(0);
    expect(before.roles.server).toBeNull();

    const server = await fd(lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
    await lab.invoke('socket.bind', { fd: server, address: { family: 'AF_INET', address: '127.0.0.1', port: 0 } });
    await lab.invoke('socket.listen', { fd: server, backlog: 5 });
    const name = await lab.invoke('socket.getsockname', { fd: server });
    const port = name.ok && name.address?.family === 'AF_INET' ? name.address.port : 0;
    const client = await fd(lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
    await lab.invoke('socket.connect', { fd: client, address: { family: 'AF_INET', address: '127.0.0.1', port } });
    const conn = await fd(lab.invoke('socket.accept', { fd: server }));

    let now = await check();
    for (let tries = 0; tries < 50 && !now.results.find((r) => r.id === 'handshake')?.passed; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = await check();
    }
    expect(now.roles).toEqual({ server, client, conn });
    expect(now.results.find((r) => r.id === 'handshake')?.passed).toBe(true);
    expect(now.results.find((r) => r.id === 'accepted')?.passed).toBe(true);
    expect(now.results.find((r) => r.id === 'end-of-stream')?.passed).toBe(false);

    await lab.invoke('socket.close', { fd: conn });
    const eof = await lab.invoke('socket.recv', { fd: client, maxBytes: 100, flags: [] });
    expect(eof).toMatchObject({ ok: true, ret: 0 });
    now = await check();
    expect(now.results.find((r) => r.id === 'end-of-stream')?.passed).toBe(true);

    const swapped = await area.handlers['exercise.check']({ id: 'tcp-lifecycle', roles: { server: client, client: server } });
    expect(swapped.ok && swapped.value.results.find((r) => r.id === 'handshake')?.passed).toBe(false);
    await lab.invoke('capture.stop', {});
  });
});
