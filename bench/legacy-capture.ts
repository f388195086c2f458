/**
 * The capture process as it was before cap was patched (issue 10), for bench/capture-loss.ts's
 * "before" CPU figure: cap opened without options (libpcap immediate mode, snaplen 65535, one
 * `packet` event per packet), each packet stamped with process.hrtime and copied with a 24-byte
 * header into a growing batch, the batch sent to the parent every 10 ms over the same IPC.
 * Started by the bench with `node --import tsx bench/legacy-capture.ts IFACE FILTER BUFFER_MB`;
 * sends { type: 'batch', count, data } and, on 'stop', { type: 'stopped' }.
 */
import { createRequire } from 'node:module';

interface LegacyCap {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number) => void): void;
}
const { Cap } = createRequire(import.meta.url)('cap') as { Cap: new () => LegacyCap };

const [iface = 'lo', filter = '', bufferMB = '64'] = process.argv.slice(2);
const cap = new Cap();
const buffer = Buffer.alloc(65535);
cap.open(iface, filter, Number(bufferMB) * 1024 * 1024, buffer);
let batch = Buffer.allocUnsafe(1 << 20);
let used = 0;
let count = 0;
cap.on('packet', (nbytes) => {
  const monoUs = Number(process.hrtime.bigint() / 1000n);
  const need = used + 24 + nbytes;
  if (need > batch.length) {
    const grown = Buffer.allocUnsafe(Math.max(need, batch.length * 2));
    batch.copy(grown, 0, 0, used);
    batch = grown;
  }
  batch.writeDoubleLE(monoUs, used);
  batch.writeDoubleLE(monoUs, used + 8);
  batch.writeUInt32LE(nbytes, used + 16);
  batch.writeUInt32LE(nbytes, used + 20);
  buffer.copy(batch, used + 24, 0, nbytes);
  used = need;
  count += 1;
});
function flush(): void {
  if (count === 0) return;
  process.send?.({ type: 'batch', count, data: Buffer.from(batch.subarray(0, used)) });
  used = 0;
  count = 0;
}
const timer = setInterval(flush, 10);
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  flush();
  cap.close();
  process.send?.({ type: 'stopped' }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
