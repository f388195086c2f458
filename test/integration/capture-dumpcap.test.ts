/**
 * The least-privilege capture path for real: Wireshark's dumpcap, executable only by its group
 * and holding CAP_NET_RAW as a file capability (Debian's `wireshark` group model), run by
 * `nobody`. A member of the group captures, and what it captures is what tcpdump (as root) and
 * the lab's own libpcap capture see of the same traffic: the same frames, byte for byte, the
 * same original lengths, and the kernel's own timestamps. A non-member is refused, and the
 * privilege plan names the group to join. The dumpcap used is a copy in a temporary folder with
 * a group id of the test's own, so the system's dumpcap is left as it is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/main/lab/pcap';
import { createLab } from '../../src/main/lab/index';
import { isRoot, runAsUser } from '../helpers/as-user';
import { captureOnLo, rowsWhen } from '../helpers/capture';
import { call, ok } from '../helpers/lab';

const GROUP = 4242;
const SYSTEM_DUMPCAP = '/usr/bin/dumpcap';
const tools =
  existsSync(SYSTEM_DUMPCAP) && spawnSync('setcap', ['-h']).error === undefined && spawnSync('tcpdump', ['--version']).error === undefined;
const reason = !isRoot ? 'needs root to switch users and set file capabilities' : !tools ? 'needs dumpcap, setcap and tcpdump' : '';

/** What the probe prints of each packet it captured. */
interface Seen {
  hex: string;
  origLen: number;
  tsUs: number;
}

/** Sizes of the datagrams sent: one larger than the snaplen the probe asks for. */
const SIZES = [1, 100, 1000, 1472, 3000];
const SNAPLEN = 2000;

function probe(port: number): string {
  return `
    const { startDumpcap } = mod;
    const dgram = await import('node:dgram');
    const seen = [];
    const capture = await startDumpcap({
      dumpcap: ${JSON.stringify('DUMPCAP')}, iface: 'lo', filter: 'udp dst port ${port}', snaplen: ${SNAPLEN},
      onPacket: (p) => seen.push({ hex: Buffer.from(p.data).toString('hex'), origLen: p.origLen, tsUs: Number(p.tsNs / 1000n) }),
    });
    const socket = dgram.createSocket('udp4');
    for (const size of ${JSON.stringify(SIZES)}) {
      await new Promise((done) => socket.send(Buffer.alloc(size, size % 251), ${port}, '127.0.0.1', done));
    }
    socket.close();
    const deadline = Date.now() + 5000;
    while (seen.length < ${SIZES.length} && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await capture.stop();
    return seen;`;
}

describe.skipIf(reason !== '')(`capture through dumpcap as an unprivileged user${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let dir = '';
  let dumpcap = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'socklab-dumpcap-'));
    chmodSync(dir, 0o755);
    dumpcap = join(dir, 'dumpcap');
    copyFileSync(SYSTEM_DUMPCAP, dumpcap);
    chownSync(dumpcap, 0, GROUP);
    chmodSync(dumpcap, 0o750);
    const set = spawnSync('setcap', ['cap_net_raw,cap_net_admin=eip', dumpcap], { encoding: 'utf8' });
    if (set.status !== 0) throw new Error(`setcap failed: ${set.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a member of the group captures the same frames, lengths and kernel times as tcpdump and the lab', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const filter = `udp dst port ${port}`;
    const pcap = join(dir, 'tcpdump.pcap');
    // tcpdump as root, nanosecond kernel stamps, full frames: the reference. Immediate mode, so
    // that the packets reach its file before it is stopped (buffered, they wait up to a second).
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-w', pcap, '-U', '--immediate-mode', '--time-stamp-precision=nano', '-s', '0', filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((ready) => tcpdump.stderr.on('data', (t: Buffer) => (/listening on/.test(t.toString()) ? ready() : undefined)));
    const lab = createLab({});
    try {
      await captureOnLo(lab, filter);
      const seen = runAsUser(probe(port).replace('"DUMPCAP"', JSON.stringify(dumpcap)), 'src/main/lab/capture/dumpcap.ts', {
        groups: [GROUP],
      }) as Seen[];
      await rowsWhen(lab, SIZES.length, '', 5000);
      tcpdump.kill('SIGINT');
      await new Promise((done) => tcpdump.on('close', done));

      const reference = readCapture(readFileSync(pcap)).packets;
      const exported: unknown = ok(await call(lab, 'capture.export', { filter: '' })).value.pcapng;
      const labFrames = readCapture(typeof exported === 'string' ? Buffer.from(exported) : (exported as Uint8Array)).packets;
      expect({ tcpdump: reference.length, dumpcap: seen.length, lab: labFrames.length }).toEqual({
        tcpdump: SIZES.length,
        dumpcap: SIZES.length,
        lab: SIZES.length,
      });
      for (let i = 0; i < SIZES.length; i++) {
        const ref = reference[i];
        const refHex = Buffer.from(ref.data).toString('hex');
        // dumpcap cut the frame at its snaplen, but says how long it really was.
        expect(seen[i].origLen).toBe(ref.origLen);
        expect(seen[i].hex).toBe(refHex.slice(0, SNAPLEN * 2));
        // Both read the kernel's stamp of the same skb (dumpcap at µs resolution).
        expect(seen[i].tsUs).toBe(Number(ref.tsNs / 1000n));
        expect(Buffer.from(labFrames[i].data).toString('hex')).toBe(refHex);
      }
    } finally {
      tcpdump.kill('SIGKILL');
      await lab.close();
    }
  });

  it('the lab of a group member captures through dumpcap on its own: capture.start, packets in the list', () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const got = runAsUser(
      `const lab = mod.createLab({});
       const info = await lab.invoke('lab.info', {});
       const started = await lab.invoke('capture.start', { iface: 'lo', filter: 'udp dst port ${port}' });
       const dgram = await import('node:dgram');
       const socket = dgram.createSocket('udp4');
       for (const size of [10, 2000]) await new Promise((done) => socket.send(Buffer.alloc(size), ${port}, '127.0.0.1', done));
       socket.close();
       let rows = [];
       for (let i = 0; i < 100 && rows.length < 2; i++) {
         await new Promise((r) => setTimeout(r, 50));
         const answer = await lab.invoke('capture.rows', { offset: 0, limit: 10 });
         rows = answer.ok ? answer.value.rows : [];
       }
       await lab.invoke('capture.stop', {});
       await lab.close();
       const capture = info.value.privileges.items.find((i) => i.ability === 'hostCapture');
       return { capture: { ready: capture.ready, via: capture.via }, running: started.ok && started.value.running, lens: rows.map((r) => r.len) };`,
      'src/main/lab/index.ts',
      { groups: [GROUP], env: { SOCKLAB_DUMPCAP: dumpcap } },
    );
    expect(got).toEqual({ capture: { ready: true, via: 'dumpcap' }, running: true, lens: [52, 2042] });
  });

  it('a non-member is refused by the system, and the plan says which group to join', () => {
    const refused = runAsUser(
      `try { await mod.startDumpcap({ dumpcap: ${JSON.stringify('DUMPCAP')}, iface: 'lo', filter: '', onPacket() {} }); return 'started'; }
       catch (error) { return String(error.message); }`.replace('"DUMPCAP"', JSON.stringify(dumpcap)),
      'src/main/lab/capture/dumpcap.ts',
    );
    expect(String(refused)).toMatch(/EACCES|permission denied/i);

    const facts = runAsUser(`return mod.dumpcapFacts(${JSON.stringify(dumpcap)});`, 'src/main/lab/privilege/facts.ts') as Record<
      string,
      unknown
    >;
    expect(facts).toEqual({ path: dumpcap, executable: false, capable: true, group: String(GROUP) });
    const member = runAsUser(`return mod.dumpcapFacts(${JSON.stringify(dumpcap)});`, 'src/main/lab/privilege/facts.ts', {
      groups: [GROUP],
    });
    expect(member).toMatchObject({ executable: true, capable: true });
  });
});
