/**
 * Entry of web mode for `tsx watch` (`npm run dev:web`): runs the CLI with this process's
 * arguments and exits with its code. `npm run serve` goes through scripts/start.mjs instead.
 */
import { serveCli } from './cli';

process.exit(await serveCli(process.argv.slice(2)));
