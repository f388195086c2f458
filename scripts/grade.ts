/**
 * Entry point of `npm run grade`. The lab imports '@shared/*', which only tsconfig.node.json
 * maps, so register tsx with that config before loading it; the CLI lives in the lab's
 * exercises module.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { gradeCli } = await import('../src/main/lab/exercises/cli');
process.exitCode = await gradeCli(process.argv.slice(2));
