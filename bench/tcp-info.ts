/**
 * The cost of one TCP_INFO sample (getsockopt TCP_INFO + TCP_CONGESTION through koffi, parsed)
 * on a real loopback connection, next to the lab's cheapest libc call on the same descriptor
 * (getsockopt SO_RCVBUF): what the sampler adds per socket per tick.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/tcp-info.ts [--rounds N]
 */
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sysGetIntOption, sysTcpInfoFields } from '../src/main/lab/libc';
import { handleFd } from '../src/main/lab/sockets/table';
import { loadavg } from 'node:os';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20000' } } });
const rounds = Math.max(100, Number(values.rounds));

function perCallUs(work: () => void): number {
  for (let i = 0; i < 500; i++) work(); // warm-up (koffi's first calls are slower)
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) work();
  return Number(process.hrtime.bigint() - start) / 1000 / rounds;
}

const server = createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
await once(client, 'connect');
const fd = handleFd(client);
if (fd === null) throw new Error('no descriptor');
const sample = perCallUs(() => {
  if (!sysTcpInfoFields(fd).ok) throw new Error('TCP_INFO failed');
});
const reference = perCallUs(() => {
  if (!sysGetIntOption(fd, 'SO_RCVBUF').ok) throw new Error('SO_RCVBUF failed');
});
console.log(
  `rounds ${rounds}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`TCP_INFO sample (2 getsockopt + parse): ${sample.toFixed(2)} µs`);
console.log(`reference getsockopt(SO_RCVBUF):        ${reference.toFixed(2)} µs`);
console.log(`a 100 ms tick over 100 TCP sockets:     ${((sample * 100) / 1000).toFixed(2)} ms of main-thread time`);
client.destroy();
server.close();
