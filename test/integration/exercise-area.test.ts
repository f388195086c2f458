/**
 * The exercise routes as the app uses them, on a real lab with capture on lo: list and get the
 * built-in exercises, and check one live as a student makes calls by hand (roles inferred from
 * the calls, or chosen by socket id), with results turning green as evidence arrives; and begun
 * on a lab with history (a closed connection whose descriptors are reused, a listener left open),
 * where nothing passes until the student works and a correct run passes.
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

async function idOf(descriptor: number): Promise<number> {
  const sockets = await lab.invoke('lab.sockets', {});
  const found = sockets.ok ? sockets.value.find((s) => s.fd === descriptor) : undefined;
  if (!found) throw new Error(`no socket on fd ${descriptor}`);
  return found.socketId;
}

const loopback = (port: number) => ({ family: 'AF_INET' as const, address: '127.0.0.1', port });

/**
 * A TCP lifecycle by hand: listener, client, accepted socket, one message each way, closes.
 * `beforeClose` runs while every socket is open (the panel re-checks on each event, and the
 * lab's last view of a socket is what socket checks read).
 */
async function lifecycle(
  closeAll: boolean,
  beforeClose: () => Promise<unknown> = async () => undefined,
): Promise<{ server: number; client: number; conn: number }> {
  const server = await fd(lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
  await lab.invoke('socket.bind', { fd: server, address: loopback(0) });
  await lab.invoke('socket.listen', { fd: server, backlog: 5 });
  const name = await lab.invoke('socket.getsockname', { fd: server });
  const port = name.ok && name.address?.family === 'AF_INET' ? name.address.port : 0;
  const client = await fd(lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
  await lab.invoke('socket.connect', { fd: client, address: loopback(port) });
  const conn = await fd(lab.invoke('socket.accept', { fd: server }));
  await lab.invoke('socket.send', { fd: client, data: Buffer.from('ping') });
  await lab.invoke('socket.recv', { fd: conn, maxBytes: 100 });
  await lab.invoke('socket.send', { fd: conn, data: Buffer.from('pong') });
  await lab.invoke('socket.recv', { fd: client, maxBytes: 100 });
  await beforeClose();
  await lab.invoke('socket.close', { fd: conn });
  await lab.invoke('socket.recv', { fd: client, maxBytes: 100 });
  if (closeAll) {
    await lab.invoke('socket.close', { fd: client });
    await lab.invoke('socket.close', { fd: server });
  }
  return { server, client, conn };
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
      const answer = await area.handlers['exercise.check']({ id: 'tcp-lifecycle', roles: {}, since: null });
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
    const ids = { server: await idOf(server), client: await idOf(client), conn: await idOf(conn) };
    expect(now.roles).toEqual({
      server: { socketId: ids.server, fd: server, open: true },
      client: { socketId: ids.client, fd: client, open: true },
      conn: { socketId: ids.conn, fd: conn, open: true },
    });
    expect(now.sockets.map((s) => s.socketId)).toEqual([ids.server, ids.client, ids.conn]);
    expect(now.results.find((r) => r.id === 'handshake')?.passed).toBe(true);
    expect(now.results.find((r) => r.id === 'accepted')?.passed).toBe(true);
    expect(now.results.find((r) => r.id === 'end-of-stream')?.passed).toBe(false);

    await lab.invoke('socket.close', { fd: conn });
    const eof = await lab.invoke('socket.recv', { fd: client, maxBytes: 100, flags: [] });
    expect(eof).toMatchObject({ ok: true, ret: 0 });
    now = await check();
    expect(now.results.find((r) => r.id === 'end-of-stream')?.passed).toBe(true);

    const swapped = await area.handlers['exercise.check']({
      id: 'tcp-lifecycle',
      roles: { server: ids.client, client: ids.server },
      since: null,
    });
    expect(swapped.ok && swapped.value.results.find((r) => r.id === 'handshake')?.passed).toBe(false);
    await lab.invoke('capture.stop', {});
  });

  it('grades only what happens after exercise.begin, with reused descriptors and a leftover listener', async () => {
    await lab.invoke('lab.reset', {});
    expect((await lab.invoke('capture.start', { iface: 'lo', filter: 'tcp' })).ok).toBe(true);
    // History: a whole lifecycle closed (its descriptors free again), then a listener left open.
    const old = await lifecycle(true);
    const leftover = await fd(lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' }));
    await lab.invoke('socket.bind', { fd: leftover, address: loopback(0) });
    await lab.invoke('socket.listen', { fd: leftover, backlog: 5 });

    const begun = await area.handlers['exercise.begin']({});
    if (!begun.ok) throw new Error(begun.message);
    expect(begun.value.openSockets).toBe(1);
    expect(begun.value.calls).toBeGreaterThan(10);
    const since = begun.value.mark;
    const check = async () => {
      const answer = await area.handlers['exercise.check']({ id: 'tcp-lifecycle', roles: {}, since });
      if (!answer.ok) throw new Error(answer.message);
      return answer.value;
    };
    // Before the student did anything: nothing passes, no role is bound.
    const before = await check();
    expect(before.passed).toBe(0);
    expect(before.roles).toEqual({ server: null, client: null, conn: null });
    expect(before.sockets).toEqual([]);

    // The run reuses the old descriptors; the old listener stays open throughout.
    const now = await lifecycle(false, check);
    // (the leftover listener took fd 3: the old client's and conn's numbers go to the new server and client)
    expect(now.server).toBe(old.client);
    expect(now.client).toBe(old.conn);
    const ids = { server: await idOf(now.server), client: await idOf(now.client) };
    let after = await check();
    for (let tries = 0; tries < 50 && after.passed < after.total; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await check();
    }
    expect(after.results.filter((r) => !r.passed).map((r) => r.detail)).toEqual([]);
    expect(after.roles.server).toMatchObject({ socketId: ids.server, fd: now.server, open: true });
    expect(after.roles.client).toMatchObject({ socketId: ids.client, fd: now.client, open: true });
    expect(after.roles.conn).toMatchObject({ fd: now.conn, open: false });
    // The leftover listener is not offered: it was made before the exercise began.
    expect(after.sockets.some((s) => s.fd === leftover)).toBe(false);
    await lab.invoke('capture.stop', {});
  });
});
