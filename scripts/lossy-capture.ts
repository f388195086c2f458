/**
 * `npx tsx scripts/lossy-capture.ts OUT.pcapng [--syn-ack]`: makes the lab's reference captures
 * (test/fixtures/lab/). A lab network (hosts A and B, docs/lab-network.md) carries one TCP
 * connection over a link with 2 ms delay, captured on link:A and written with capture.export.
 * By default the link loses 10 % of frames each way; A sends 200 kB, B reads only after a pause
 * (so its window fills: zero window, keep-alives, window updates), then both close. With
 * --syn-ack the link drops the first SYN-ACK (SYN and SYN-ACK retransmitted) and then A's third
 * data segment; A sends 20 kB.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { call, ok, bin } = await import('../test/helpers/lab');
const { openNetLab, hostSteps, A, B } = await import('../test/helpers/net');

const out = process.argv[2];
const synAck = process.argv[3] === '--syn-ack';
if (!out || (process.argv[3] !== undefined && !synAck)) {
  process.stderr.write('usage: npx tsx scripts/lossy-capture.ts OUT.pcapng [--syn-ack]\n');
  process.exit(2);
}
const { lab } = await openNetLab({ link: { delayMs: 2 } });
try {
  const host = hostSteps(lab);
  ok(await call(lab, 'capture.start', { iface: 'link:A' }));
  const listener = await host.listener('B', B, 8080);
  if (synAck)
    ok(await call(lab, 'net.link.set', { rules: [{ match: 'tcp.flags.syn == 1 && tcp.flags.ack == 1', nth: 1, action: 'drop' }] }));
  const client = await host.socket('A');
  ok(await call(lab, 'socket.connect', { fd: client, address: host.inet(B, 8080) }));
  const server = ok(await call(lab, 'socket.accept', { fd: listener })).ret;
  if (synAck) ok(await call(lab, 'net.link.set', { rules: [{ match: `tcp.len > 0 && ip.src == ${A}`, nth: 3, action: 'drop' }] }));
  else ok(await call(lab, 'net.link.set', { link: { lossPercent: 10 } }));
  const payload = Buffer.alloc(synAck ? 20_000 : 200_000, 'SockLab ');
  const sending = call(lab, 'socket.send', { fd: client, data: bin(payload) });
  // B does not read for a while: its receive buffer fills and it advertises a zero window.
  if (!synAck) await new Promise((resolve) => setTimeout(resolve, 1500));
  const got = await host.recvAll(server, payload.length, 60_000);
  ok(await sending);
  ok(await call(lab, 'net.link.set', { link: { lossPercent: 0 }, rules: [] }));
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
