/**
 * Frame time of the packet list while it scrolls through a very large capture (issue 4: 60 fps
 * with a million packets), in Debian's Chromium through web mode, next to the idle page's frame
 * time measured the same way in the same run. Prints figures, asserts nothing.
 *
 *   npx tsx bench/ui-scroll.ts [--packets N] [--seconds S]
 *
 * The packets are not captured: a pcapng of N small UDP frames on lo is written with the lab's
 * own writer and opened through the Packets tab's file input, exactly as a student would.
 * Frame time = interval between requestAnimationFrame callbacks, recorded in the page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSession, type E2eSession } from '../test/e2e/harness';
import { writePcapng, type WritablePacket } from '../src/main/lab/pcap/write';
import { percentile } from './stats';
import { MAX_FRAME_BYTES } from '../src/main/web/server';

/** Web mode's WebSocket frame limit; the file travels base64 in one frame. */
const WEB_FRAME_BYTES = MAX_FRAME_BYTES;
/** Room for the JSON envelope around the base64 file. */
const ENVELOPE_BYTES = 4096;
/** Ethernet (as lo captures) + IPv4 + UDP + 2 payload bytes. */
const FRAME_BYTES = 14 + 20 + 8 + 2;
/** pcapng: EPB header/trailer (32) + padded frame; plus SHB+IDB, generously. */
const EPB_BYTES = 32 + ((FRAME_BYTES + 3) & ~3);
const FILE_HEADER_BYTES = 128;
/** Whole-run bound: a hung page or server must not keep the bench (and the lab) alive. */
const RUN_TIMEOUT_MS = 10 * 60_000;
const IMPORT_TIMEOUT_MS = 5 * 60_000;
/** Random jumps per second in the jump phase (scrollbar drags / Page Down bursts). */
const JUMP_INTERVAL_MS = 50;
/** Pixels per wheel step, and steps sent per second (roughly a fast trackpad fling). */
const WHEEL_DELTA_PX = 400;
const WHEEL_STEP_MS = 16;

interface Options {
  packets: number;
  seconds: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { packets: 1_000_000, seconds: 5 };
  for (let i = 0; i < argv.length; i += 1) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--packets' && Number.isInteger(value) && value > 0) options.packets = value;
    else if (argv[i] === '--seconds' && value > 0) options.seconds = value;
    else throw new Error(`unknown or invalid argument "${argv[i]} ${argv[i + 1] ?? ''}" (use --packets N, --seconds S)`);
    i += 1;
  }
  return options;
}

/** Largest packet count whose file still fits web mode's single WebSocket frame once base64-encoded. */
function maxImportablePackets(): number {
  const fileBytes = ((WEB_FRAME_BYTES - ENVELOPE_BYTES) * 3) / 4 - FILE_HEADER_BYTES;
  return Math.floor(fileBytes / EPB_BYTES);
}

/** RFC 791 header checksum over the 20-byte IPv4 header at `offset`. */
function ipChecksum(frame: Uint8Array, offset: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (frame[offset + i]! << 8) | frame[offset + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** N UDP datagrams 127.0.0.1:(40000+i%20000) -> 127.0.0.1:9, 1 µs apart, as a pcapng file. */
function buildCapture(count: number): Uint8Array {
  const packets: WritablePacket[] = new Array(count);
  const start = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < count; i += 1) {
    const frame = new Uint8Array(FRAME_BYTES);
    const view = new DataView(frame.buffer);
    view.setUint16(12, 0x0800); // EtherType IPv4; lo's MACs are zero
    frame.set([0x45, 0, 0, 30, (i >>> 8) & 0xff, i & 0xff, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1], 14);
    view.setUint16(24, ipChecksum(frame, 14));
    view.setUint16(34, 40000 + (i % 20000));
    view.setUint16(36, 9);
    view.setUint16(38, 10); // UDP length; checksum 0 = none (legal for IPv4)
    frame.set([0x68, 0x69], 42);
    packets[i] = { data: frame, tsNs: start + BigInt(i) * 1000n };
  }
  return writePcapng(packets, { ifaceName: 'lo', linkType: 1, snapLen: 65535 });
}

/** Waits until `read()` satisfies `done`, polling; throws with the last value after `timeoutMs`. */
async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

// In-page code is passed as strings: tsx's name-keeping helpers would not exist in the page.
const START_RECORDING = `(() => {
  const list = document.querySelector('[data-testid="packet-list"]');
  const state = { stop: false, times: [], moved: 0, last: list ? list.scrollTop : 0, timer: 0 };
  window.__uiScroll = state;
  const loop = (t) => {
    if (state.stop) return;
    state.times.push(t);
    if (list) { state.moved += Math.abs(list.scrollTop - state.last); state.last = list.scrollTop; }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})()`;
const START_JUMPS = `(() => {
  const list = document.querySelector('[data-testid="packet-list"]');
  window.__uiScroll.timer = setInterval(() => {
    list.scrollTop = Math.floor(Math.random() * Math.max(0, list.scrollHeight - list.clientHeight));
  }, ${JUMP_INTERVAL_MS});
})()`;
const STOP_RECORDING = `(() => {
  const state = window.__uiScroll;
  state.stop = true;
  clearInterval(state.timer);
  const gaps = [];
  for (let i = 2; i < state.times.length; i += 1) gaps.push(state.times[i] - state.times[i - 1]);
  return { gaps, moved: state.moved };
})()`;

/** A packet row whose data has arrived (loading rows have their own test id). */
const LOADED_ROW = '[data-testid="packet-list"] [data-testid^="packet-row-"]:not([data-testid="packet-row-loading"])';

type Phase = 'idle' | 'wheel' | 'jumps';

/** Frame intervals (ms) over `seconds` of the given activity, and the pixels the list scrolled. */
interface Sample {
  gaps: number[];
  moved: number;
}

async function measure(page: Page, phase: Phase, seconds: number): Promise<Sample> {
  await page.evaluate(START_RECORDING);
  const end = Date.now() + seconds * 1000;
  if (phase === 'jumps') await page.evaluate(START_JUMPS);
  if (phase === 'wheel') {
    const box = await page.getByTestId('packet-list').boundingBox();
    if (!box) throw new Error('the packet list is not visible');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    while (Date.now() < end) {
      await page.mouse.wheel(0, WHEEL_DELTA_PX);
      await page.waitForTimeout(WHEEL_STEP_MS);
    }
  } else {
    await page.waitForTimeout(seconds * 1000);
  }
  return (await page.evaluate(STOP_RECORDING)) as Sample;
}

const ms = (value: number): string => value.toFixed(1).padStart(7);

function printRow(label: string, { gaps, moved }: Sample): void {
  const median = percentile(gaps, 50);
  const over = gaps.filter((g) => g > 1000 / 60 + 2).length;
  console.log(
    `${label.padEnd(22)}${String(gaps.length).padStart(7)}${ms(median)}${ms(percentile(gaps, 95))}${ms(percentile(gaps, 99))}` +
      `${ms(Math.max(...gaps))}${(1000 / median).toFixed(1).padStart(8)}${String(over).padStart(9)}${String(Math.round(moved)).padStart(11)}`,
  );
}

/** What the list shows after a phase: rows still waiting for their data, and where it is. */
async function listState(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const list = document.querySelector('[data-testid="packet-list"]');
    const loading = list.querySelectorAll('[data-testid="packet-row-loading"]').length;
    const rows = list.querySelectorAll('[data-testid^="packet-row-"]').length;
    return 'scrollTop ' + Math.round(list.scrollTop) + ' / scrollHeight ' + list.scrollHeight + ', rows rendered ' + rows + ', still loading ' + loading;
  })()`)) as string;
}

async function run(options: Options, sessionRef: { session?: E2eSession }): Promise<void> {
  const fits = maxImportablePackets();
  if (options.packets > fits) {
    throw new Error(
      `${options.packets} packets make a ${((options.packets * EPB_BYTES) / 1e6).toFixed(0)} MB pcapng; web mode carries a file in one ` +
        `WebSocket frame of at most ${WEB_FRAME_BYTES / 1024 / 1024} MiB base64, i.e. ${fits} packets of this size. Run with --packets ${fits}.`,
    );
  }
  let t0 = Date.now();
  const file = buildCapture(options.packets);
  const dir = mkdtempSync(join(tmpdir(), 'socklab-ui-scroll-'));
  const path = join(dir, `ui-scroll-${options.packets}.pcapng`);
  writeFileSync(path, file);
  console.log(`pcapng: ${options.packets} packets, ${(file.length / 1e6).toFixed(1)} MB, written in ${Date.now() - t0} ms`);
  try {
    t0 = Date.now();
    const session = await startSession();
    sessionRef.session = session;
    const { page } = session;
    await page.goto(session.server.url);
    await waitUntil(
      'the lab to be ready',
      () => page.getByTestId('lab-status').textContent(),
      (t) => /Lab ready/.test(t ?? ''),
      60_000,
    );
    console.log(`web mode + Chromium + lab ready in ${Date.now() - t0} ms`);

    await page.getByTestId('packets-tab').click();
    await page.getByTestId('dock-splitter').dblclick(); // maximise the dock: the most rows on screen
    await page.waitForTimeout(1000); // let the tab switch and the splitter settle before the reference
    const idle = await measure(page, 'idle', options.seconds);

    t0 = Date.now();
    await page.getByTestId('import-pcapng').setInputFiles(path);
    await waitUntil(
      `status to show ${options.packets} held`,
      // The status bar may be absent while a big file is read: count that as nothing held yet.
      async () =>
        Number(
          (await page
            .getByTestId('status-held')
            .textContent({ timeout: 1000 })
            .catch(() => '0')) ?? '0',
        ),
      (held) => held === options.packets,
      IMPORT_TIMEOUT_MS,
    );
    await page.locator(LOADED_ROW).first().waitFor({ timeout: 60_000 });
    console.log(`import through the file input until ${options.packets} held and rows shown: ${Date.now() - t0} ms`);
    const idleFull = await measure(page, 'idle', options.seconds);
    // The list follows the newest packet after an import (auto-scroll), i.e. sits at the bottom:
    // start the wheel from the top so every step really scrolls.
    await page.evaluate(`document.querySelector('[data-testid="packet-list"]').scrollTop = 0`);
    await page.waitForTimeout(500);
    const wheel = await measure(page, 'wheel', options.seconds);
    const wheelState = await listState(page);
    const jumps = await measure(page, 'jumps', options.seconds);
    const jumpState = await listState(page);
    const screenshot = await session.screenshot('ui-scroll');

    const viewport = page.viewportSize();
    console.log(
      `\nframe time (ms), ${options.seconds} s per row, Chromium headless ${viewport?.width}x${viewport?.height}, goal 60 fps (16.7 ms)`,
    );
    console.log(
      `${'phase'.padEnd(22)}${'frames'.padStart(7)}${'median'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}${'max'.padStart(7)}${'fps'.padStart(8)}${'>18.7ms'.padStart(9)}${'px moved'.padStart(11)}`,
    );
    printRow('reference: idle, empty', idle);
    printRow(`idle, ${options.packets} held`, idleFull);
    printRow(`wheel ${WHEEL_DELTA_PX}px/${WHEEL_STEP_MS}ms`, wheel);
    printRow(`jumps every ${JUMP_INTERVAL_MS}ms`, jumps);
    console.log(`after wheel: ${wheelState}\nafter jumps: ${jumpState}\nscreenshot: ${screenshot}`);
    const problems = session.unexpectedProblems();
    if (problems.length > 0) console.log(`page problems: ${problems.map((p) => `${p.kind}: ${p.text}`).join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
const sessionRef: { session?: E2eSession } = {};
let timer: NodeJS.Timeout | undefined;
try {
  await Promise.race([
    run(options, sessionRef),
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`bench exceeded ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS)),
    ),
  ]);
} catch (error) {
  console.error(`ui-scroll: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
  await sessionRef.session?.close(); // never throws; kills the server's process group
}
