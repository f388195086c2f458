/**
 * `npx tsx bench/capture-open.ts [--packets N]`: opening a large pcapng the way the app does
 * (capture.open, then 4 MiB pieces, then capture.openEnd) and saving it back in pieces, against
 * `capinfos` and `tshark -r F -T fields -e frame.number` reading the same file in the same run.
 * Prints figures; asserts nothing.
 *
 * Memory is the point: the file never sits whole in the lab. What the lab holds is the packet
 * store (its own limit) plus one piece in flight, so RSS growth should follow the packets'
 * bytes, not the file size twice over. The file is written once to a temporary directory and
 * removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { createLab } = await import('../src/main/lab/index');
const { PcapngWriter } = await import('../src/main/lab/pcap');
const { MAX_FILE_CHUNK_BYTES } = await import('../src/shared/capture');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const at = process.argv.indexOf('--packets');
const COUNT = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
const MiB = 1024 * 1024;

function must<T extends { ok: boolean }>(answer: T): Extract<T, { ok: true }> {
  if (!answer.ok) throw new Error(JSON.stringify(answer));
  return answer as Extract<T, { ok: true }>;
}

/** A pcapng of COUNT Ethernet/IPv4/UDP frames of 150 bytes, written in pieces. */
function writeFile(path: string): void {
  const writer = new PcapngWriter({ ifaceName: 'eth0', linkType: 1, snapLen: 65535 });
  const frame = new Uint8Array(150);
  frame.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00], 0);
  frame.set([0x45, 0, 0, 136, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  frame.set([0x30, 0x39, 0x00, 0x35, 0, 116, 0, 0], 34);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < COUNT; i++) {
      writer.packet({ data: frame, tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 10_000n, origLen: 150 });
      if (writer.buffered >= MAX_FILE_CHUNK_BYTES) writeFileSync(fd, writer.take());
    }
    writeFileSync(fd, writer.finish());
  } finally {
    closeSync(fd);
  }
}

function rssMiB(): number {
  gc();
  return process.memoryUsage().rss / MiB;
}

function timed(command: string, args: string[]): { seconds: number; out: string } {
  const start = performance.now();
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * MiB });
  if (run.status !== 0) return { seconds: Number.NaN, out: `${command} failed: ${run.stderr || run.error}` };
  return { seconds: (performance.now() - start) / 1000, out: run.stdout };
}

const dir = mkdtempSync(join(tmpdir(), 'socklab-open-'));
const file = join(dir, 'large.pcapng');
const lab = createLab({ captureLauncher: 'none', checkContract: false });
try {
  writeFile(file);
  const size = statSync(file).size;
  const idle = rssMiB();
  let peak = idle;

  const openStart = performance.now();
  const { openId } = must(await lab.invoke('capture.open', { name: 'large.pcapng' })).value;
  const piece = Buffer.alloc(MAX_FILE_CHUNK_BYTES);
  const fd = openSync(file, 'r');
  try {
    for (let offset = 0; offset < size;) {
      const read = readSync(fd, piece, 0, piece.length, offset);
      must(await lab.invoke('capture.openChunk', { openId, offset, data: new Uint8Array(piece.subarray(0, read)) }));
      offset += read;
      if (offset % (64 * MAX_FILE_CHUNK_BYTES) === 0) peak = Math.max(peak, process.memoryUsage().rss / MiB);
    }
  } finally {
    closeSync(fd);
  }
  const opened = must(await lab.invoke('capture.openEnd', { openId, cancel: false })).value;
  const openSeconds = (performance.now() - openStart) / 1000;
  const held = rssMiB();
  peak = Math.max(peak, held);

  const saveStart = performance.now();
  const { saveId } = must(await lab.invoke('capture.save', { filter: '' })).value;
  let saved = 0;
  for (let done = false; !done;) {
    const chunk = must(await lab.invoke('capture.saveChunk', { saveId })).value;
    saved += chunk.data.length;
    done = chunk.done;
  }
  const saveSeconds = (performance.now() - saveStart) / 1000;

  const capinfos = timed('capinfos', ['-c', '-M', file]);
  const tshark = timed('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number']);
  const tsharkPackets = tshark.out.trim().split('\n').length;

  console.log(`file: ${COUNT.toLocaleString('en')} packets, ${(size / MiB).toFixed(1)} MiB, pieces of ${MAX_FILE_CHUNK_BYTES / MiB} MiB`);
  console.log('');
  console.log('| reader                          | packets   | seconds | RSS growth (MiB) |');
  console.log('| ------------------------------- | --------- | ------- | ---------------- |');
  console.log(
    `| SockLab open in pieces          | ${String(opened.packets).padEnd(9)} | ${openSeconds.toFixed(2).padEnd(7)} | held ${(held - idle).toFixed(0)}, peak ${(peak - idle).toFixed(0)} |`,
  );
  console.log(
    `| SockLab save in pieces (all)    | ${String(opened.packets).padEnd(9)} | ${saveSeconds.toFixed(2).padEnd(7)} | ${(saved / MiB).toFixed(1)} MiB written |`,
  );
  console.log(
    `| tshark -r -T fields frame.number | ${String(tsharkPackets).padEnd(9)} | ${tshark.seconds.toFixed(2).padEnd(7)} | (own process)    |`,
  );
  console.log(
    `| capinfos -c -M                  | ${(capinfos.out.match(/packets:\s*(\d+)/)?.[1] ?? '?').padEnd(9)} | ${capinfos.seconds.toFixed(2).padEnd(7)} | (own process)    |`,
  );
  console.log('');
  console.log('The lab holds the packets (its store limit applies) and one piece in flight, never the whole file.');
} finally {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
}
