/**
 * Entry point of `npm run scenario`. The lab imports '@shared/*', which only tsconfig.node.json
 * maps, so register tsx with that config before loading it; the CLI itself lives in the lab's
 * scenario module.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { scenarioCli } = await import('../src/main/lab/scenario/cli');
process.exitCode = await scenarioCli(process.argv.slice(2));
