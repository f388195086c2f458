/**
 * Entry point of `npm run export`: registers tsx with tsconfig.node.json (which maps '@shared/*'),
 * then runs the export CLI of the lab's export module.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });
const { exportCli } = await import('../src/main/lab/export/cli');
process.exitCode = await exportCli(process.argv.slice(2));
