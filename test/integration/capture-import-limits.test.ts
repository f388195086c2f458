/**
 * Opening capture files is bounded: one file holds at most MAX_IMPORT_BYTES, one file is opened
 * at a time (each holds its bytes, its parsed packets and the store's copy), and a large file
 * is read in slices that let other requests and timers run meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_IMPORT_BYTES } from '@shared/capture';
import { writePcapng } from '../../src/main/lab/pcap';
import type { Lab } from '../../src/main/lab/index';
import { call, failed, ok, openLab } from '../helpers/lab';

let lab: Lab;
afterEach(async () => lab?.close());

/** A pcapng of `count` small Ethernet frames. */
function bigCapture(count: number): Uint8Array {
  const frame = new Uint8Array(60).fill(0xab);
  const packets = Array.from({ length: count }, (_, i) => ({ data: frame, tsNs: BigInt(i) * 1000n, origLen: 60 }));
  return writePcapng(packets, { ifaceName: 'lo', linkType: 1, snapLen: 65535 });
}

describe('capture.import bounds', () => {
  it('refuses a file larger than MAX_IMPORT_BYTES before reading it', async () => {
    lab = openLab();
    const answer = failed(await call(lab, 'capture.import', { name: 'huge.pcapng', data: new Uint8Array(MAX_IMPORT_BYTES + 1) }));
    expect(answer).toMatchObject({ errno: 'EINVAL', message: expect.stringContaining('at most 100 MiB') });
  });

  it('opens one file at a time, and lets timers and other requests run while it reads', async () => {
    lab = openLab();
    const file = bigCapture(300_000);
    let timerRanDuringImport = false;
    let importDone = false;
    setTimeout(() => (timerRanDuringImport = !importDone), 0);
    const first = call(lab, 'capture.import', { name: 'a.pcapng', data: file });
    const second = await call(lab, 'capture.import', { name: 'b.pcapng', data: file });
    expect(failed(second)).toMatchObject({ errno: 'EAGAIN', message: expect.stringContaining('Another capture file is being opened') });
    // Another route answers while the first file is still being read.
    expect(ok(await call(lab, 'lab.info', {})).value.mode).toBe('headless');
    const answer = ok(await first);
    importDone = true;
    expect(answer.value.packets).toBe(300_000);
    expect(timerRanDuringImport).toBe(true);
    // Once done, the next file opens.
    expect(ok(await call(lab, 'capture.import', { name: 'c.pcapng', data: bigCapture(10) })).value.packets).toBe(10);
  });
});
