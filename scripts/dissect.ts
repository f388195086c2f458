/**
 * Entry point of `npm run dissect -- FILE`: prints one JSON object per packet, keyed by Wireshark
 * field names. Registers tsx with tsconfig.node.json (for '@shared/*') before loading the lab.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { dissectCli } = await import('../src/main/lab/dissect/cli');
process.exitCode = await dissectCli(process.argv.slice(2));
