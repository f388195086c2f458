/**
 * Child-process half of the descriptor-reserve test (run under `prlimit --nofile=N`): opens lab
 * sockets until socket() fails, then checks the process can still open a file. Prints one JSON
 * line: how many opened, the errno, the descriptors still free, whether a file still opens.
 */
import { closeSync, openSync, readdirSync } from 'node:fs';
import { createLab } from '../../src/main/lab/index';

const limit = Number(process.argv[2]);
const lab = createLab({ captureLauncher: 'none' });
let opened = 0;
let errno: string | null = null;
for (let i = 0; i < limit; i++) {
  const answer = await lab.invoke('socket.socket', { domain: 'AF_INET', type: 'SOCK_STREAM' });
  if (!answer.ok) {
    errno = answer.errno;
    break;
  }
  opened++;
}
const free = limit - readdirSync('/proc/self/fd').length;
let fileOpens = true;
try {
  closeSync(openSync('/dev/null', 'r'));
} catch {
  fileOpens = false;
}
await lab.close();
console.log(JSON.stringify({ opened, errno, free, fileOpens }));
