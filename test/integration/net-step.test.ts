/**
 * Step mode on the lab link: every frame waits until it is delivered, dropped, duplicated or
 * delayed; nothing reaches B before. Also: the lab network's lifecycle leaves nothing behind,
 * and a machine that refuses user namespaces gets the reason and the fix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeldFrame } from '@shared/net';
import type { Lab } from '../../src/main/lab/index';
import { call, failed, ok, openLab, steps } from '../helpers/lab';
import { B, alive, holdersOf, hostSteps, namespacesOf, openNetLab, rows, until } from '../helpers/net';

const labs: Lab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.close();
});

describe('step mode', () => {
  it('holds every frame until delivered: nothing reaches B before, and the waiting frames are decoded with their call', async () => {
    const { lab } = await openNetLab({ step: true });
    labs.push(lab);
    const host = hostSteps(lab);
    const listener = await host.listener('B', B, 7000);
    ok(await call(lab, 'capture.start', { iface: 'link:B' }));
    const client = await host.socket('A');
    const connecting = call(lab, 'socket.connect', { fd: client, address: host.inet(B, 7000) });

    // A's ARP request for B waits on the link (beside the hosts' own ICMPv6 multicast
    // listener reports, sent as their interfaces came up); B has seen nothing of A.
    const arpWaits = async () => ok(await call(lab, 'net.step.list', {})).value.some((f) => f.protocol === 'ARP');
    expect(await until(arpWaits)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = ok(await call(lab, 'net.step.list', {})).value;
    expect(waiting.filter((f) => f.protocol !== 'ICMPv6')).toEqual([
      expect.objectContaining({ from: 'A', to: null, protocol: 'ARP', info: expect.stringContaining('Who has 10.0.0.2') }),
    ]);
    expect(await rows(lab, 'arp || tcp')).toEqual([]);
    expect(ok(await call(lab, 'lab.sockets', {})).value.find((s) => s.fd === listener)?.acceptQueue).toEqual([]);

    // Deliver frame by frame until connect() returns; the SYN waits like the others.
    const delivered: HeldFrame[] = [];
    let connected = false;
    void connecting.then(() => (connected = true));
    for (let round = 0; round < 20 && !connected; round++) {
      await until(async () => connected || ok(await call(lab, 'net.step.list', {})).value.length > 0, 3000);
      for (const frame of ok(await call(lab, 'net.step.list', {})).value) {
        delivered.push(frame);
        ok(await call(lab, 'net.step.act', { id: frame.id, action: 'deliver' }));
      }
    }
    ok(await connecting);
    const syn = delivered.find((f) => f.info.includes('[SYN]'));
    const connectCall = ok(await call(lab, 'lab.calls', { sinceId: 0, limit: 100 })).value.find((c) => c.call === 'connect');
    expect(syn).toMatchObject({ from: 'A', to: 'B', protocol: 'TCP', fd: client, callId: connectCall?.id });
    expect(delivered.some((f) => f.info.includes('[SYN, ACK]') && f.from === 'B')).toBe(true);
    expect((await rows(lab)).some((r) => r.mark === 'syn')).toBe(true);
  }, 30_000);

  it('drops and duplicates held frames as asked, and turning step mode off lets the rest go', async () => {
    const { lab } = await openNetLab({ step: true });
    labs.push(lab);
    const host = hostSteps(lab);
    const receiver = await host.socket('B', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.bind', { fd: receiver, address: host.inet(B, 7001) }));
    const sender = await host.socket('A', 'SOCK_DGRAM');
    ok(await call(lab, 'socket.sendto', { fd: sender, data: Buffer.from('one'), address: host.inet(B, 7001) }));
    // ARP first: deliver until the datagram itself is the one waiting.
    let datagram: HeldFrame | undefined;
    for (let round = 0; round < 10 && !datagram; round++) {
      await until(async () => ok(await call(lab, 'net.step.list', {})).value.length > 0, 3000);
      for (const frame of ok(await call(lab, 'net.step.list', {})).value) {
        if (frame.protocol === 'UDP') datagram = frame;
        else ok(await call(lab, 'net.step.act', { id: frame.id, action: 'deliver' }));
      }
    }
    expect(datagram).toBeDefined();
    ok(await call(lab, 'net.step.act', { id: datagram?.id ?? 0, action: 'duplicate' }));
    for (let i = 0; i < 2; i++) {
      const got = ok(await call(lab, 'socket.recvfrom', { fd: receiver, maxBytes: 100 }));
      expect(Buffer.from(got.data).toString()).toBe('one');
    }
    ok(await call(lab, 'socket.sendto', { fd: sender, data: Buffer.from('two'), address: host.inet(B, 7001) }));
    expect(await until(async () => ok(await call(lab, 'net.step.list', {})).value.length > 0)).toBe(true);
    const [second] = ok(await call(lab, 'net.step.list', {})).value;
    ok(await call(lab, 'net.step.act', { id: second.id, action: 'drop' }));
    expect(failed(await call(lab, 'net.step.act', { id: second.id, action: 'deliver' })).errno).toBe('EINVAL');
    ok(await call(lab, 'socket.sendto', { fd: sender, data: Buffer.from('three'), address: host.inet(B, 7001) }));
    expect(await until(async () => ok(await call(lab, 'net.step.list', {})).value.length > 0)).toBe(true);
    ok(await call(lab, 'net.step.mode', { on: false }));
    const third = ok(await call(lab, 'socket.recvfrom', { fd: receiver, maxBytes: 100 }));
    expect(Buffer.from(third.data).toString()).toBe('three');
    const counters = ok(await call(lab, 'net.info', {})).value.counters;
    expect(counters).toMatchObject({ droppedStep: 1, duplicated: 1, held: 0 });
  }, 30_000);
});

describe('lab network lifecycle', () => {
  it('leaves no process, namespace or device behind on destroy, on reset and on close', async () => {
    for (const end of ['net.destroy', 'lab.reset', 'close'] as const) {
      const { lab, enginePid } = await openNetLab();
      const host = hostSteps(lab);
      await host.listener('B', B, 7100);
      const held = namespacesOf(enginePid);
      expect(held.size).toBeGreaterThanOrEqual(3); // the engine's own + one per host
      if (end === 'close') await lab.close();
      else ok(await call(lab, end, {}));
      expect(await until(() => !alive(enginePid), 5000)).toBe(true);
      expect(await until(() => holdersOf(held).length === 0, 5000)).toBe(true);
      // The veth pairs lived in the engine's namespaces: none ever showed in the machine's.
      expect(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout).not.toMatch(/\bv[AB]@/);
      if (end !== 'close') {
        expect(ok(await call(lab, 'net.info', {})).value.state).toBe('off');
        expect(ok(await call(lab, 'lab.sockets', {})).value).toEqual([]);
        await lab.close();
      }
    }
  }, 60_000);

  it('ends with the app: when the process holding the lab is killed, the engine and its namespaces go too', async () => {
    const script = `
      import { createLab } from './src/main/lab/index.ts';
      const lab = createLab({ captureLauncher: 'none' });
      const created = await lab.invoke('net.create', {});
      console.log(JSON.stringify({ enginePid: created.ok ? created.value.enginePid : null }));
      setInterval(() => undefined, 1000);`;
    const app = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, TSX_TSCONFIG_PATH: `${process.cwd()}/tsconfig.json` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    app.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await until(() => out.includes('enginePid'), 20_000)).toBe(true);
    const { enginePid } = JSON.parse(out.trim()) as { enginePid: number };
    const held = namespacesOf(enginePid);
    expect(held.size).toBeGreaterThanOrEqual(3);
    app.kill('SIGKILL'); // no clean-up code runs in the app: the engine must notice by itself
    expect(await until(() => !alive(enginePid), 5000)).toBe(true);
    expect(await until(() => holdersOf(held).length === 0, 5000)).toBe(true);
  }, 40_000);

  it("where user namespaces are refused, net.create says why and how to fix it, and this machine's lab keeps working", () => {
    // A user namespace whose own limit on nested user namespaces is 0: a real refusal, here only.
    const script = `
      import { createLab } from './src/main/lab/index.ts';
      const lab = createLab({ captureLauncher: 'none' });
      const created = await lab.invoke('net.create', {});
      const info = await lab.invoke('net.info', {});
      const local = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
      console.log(JSON.stringify({ created, info, local }));
      await lab.close();`;
    const run = spawnSync(
      'unshare',
      [
        '--user',
        '--map-root-user',
        'sh',
        '-c',
        'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" --import tsx --input-type=module -e "$1"',
        process.execPath,
        script,
      ],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TSX_TSCONFIG_PATH: `${process.cwd()}/tsconfig.json` } },
    );
    const answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    expect(answer.created).toMatchObject({ ok: false, errno: 'EPERM', message: expect.stringContaining('user.max_user_namespaces') });
    expect(answer.created.message).toContain('sudo sysctl -w user.max_user_namespaces=15000');
    expect(answer.info.value).toMatchObject({ state: 'failed', fix: 'sudo sysctl -w user.max_user_namespaces=15000' });
    expect(answer.local).toMatchObject({ ok: true, ret: 3 });
  });
});

describe('this machine', () => {
  it('answers ENETDOWN for host sockets and link routes while no lab network exists', async () => {
    const lab = openLab();
    labs.push(lab);
    expect(ok(await call(lab, 'net.info', {})).value).toMatchObject({ state: 'off', hosts: [], enginePid: null });
    expect(failed(await call(lab, 'socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM', host: 'A' })).errno).toBe('ENETDOWN');
    expect(failed(await call(lab, 'socket.send', { fd: 1000, data: new Uint8Array(0) })).errno).toBe('ENETDOWN');
    expect(failed(await call(lab, 'net.link.set', { link: { lossPercent: 5 } })).errno).toBe('ENETDOWN');
    expect(ok(await call(lab, 'net.destroy', {})).value.destroyed).toBe(false);
  });

  it('keeps its own sockets while a lab network runs beside it', async () => {
    const { lab } = await openNetLab();
    labs.push(lab);
    const { fd } = await steps(lab).listener();
    expect(fd).toBeLessThan(1000);
    expect(ok(await call(lab, 'lab.sockets', {})).value.map((s) => s.host ?? null)).toEqual([null]);
  });
});
