/**
 * `npx tsx scripts/lossy-capture.ts OUT.pcapng`: makes the lab's lossy-link reference capture
 * (test/fixtures/lab/). A lab network (hosts A and B, docs/lab-network.md) carries one TCP
 * connection over a link that loses 10 % of frames each way with 2 ms delay; A sends 200 kB,
 * B reads only after a pause (so its window fills: zero window, probes, window updates), then
 * both close. The capture on link:A is written with capture.export.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { call, ok, bin } = await import('../test/helpers/lab');
const { openNetLab, hostSteps, A, B } = await import('../test/helpers/net');

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: npx tsx scripts/lossy-capture.ts OUT.pcapng\n');
  process.exit(2);
}
const { lab } = await openNetLab({ link: { delayMs: 2 } });
try {
  const host = hostSteps(lab);
  ok(await call(lab, 'capture.start', { iface: 'link:A' }));
  const listener = await host.listener('B', B, 8080);
  const client = await host.socket('A');
  ok(await call(lab, 'socket.connect', { fd: client, address: host.inet(B, 8080) }));
  const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
  ok(await call(lab, 'net.link.set', { link: { lossPercent: 10 } }));
  const payload = Buffer.alloc(200_000, 'SockLab ');
  const sending = call(lab, 'socket.send', { fd: client, data: bin(payload) });
  // B does not read for a while: its receive buffer fills and it advertises a zero window.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const got = await host.recvAll(server, payload.length, 60_000);
  ok(await sending);
  ok(await call(lab, 'net.link.set', { link: { lossPercent: 0 } }));
  ok(await call(lab, 'socket.close', { fd: client }));
  ok(await call(lab, 'socket.close', { fd: server }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  ok(await call(lab, 'capture.stop', {}));
  const pcapng = ok(await call(lab, 'capture.export', { filter: `tcp && ip.addr == ${A}` })).value.pcapng;
  writeFileSync(out, pcapng);
  process.stderr.write(`received ${got.length} of ${payload.length} bytes; wrote ${pcapng.length} bytes to ${out}\n`);
} finally {
  await lab.close();
}
