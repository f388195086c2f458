/**
 * `npm run serve`: the lab and the built renderer in one Node process, for hosts without an
 * Electron runtime or display, classrooms, and the end-to-end tests. Prints the URL with this
 * run's token; SIGINT/SIGTERM close the server and the lab (its sockets and capture process).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLab } from '../lab/index';
import { startWebServer } from './server';

const USAGE = `Usage: serve [--host ADDRESS] [--port N] [--allow-host NAME]... [--renderer DIR]
  --host        address to bind (default 127.0.0.1); anything else is reachable from the network
  --port        port to listen on (default: a free one)
  --allow-host  a host name the page may be opened under besides the addresses listened on
                (for example this machine's DNS name); repeat for more. Others get 421.
  --renderer    folder of the built renderer (default: out/renderer)
The token is random for each run, unless SOCKLAB_WEB_TOKEN sets it (npm run dev:web keeps one
token across restarts, so the open page reconnects).`;

/** The built renderer: out/renderer of this project, from source (src/main/web) or a bundle (out/main). */
export function defaultRendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', '..', 'out', 'renderer'), join(here, '..', 'renderer'), join(here, '..', '..', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/** Runs web mode until SIGINT/SIGTERM; resolves with the exit code (non-zero for a bad command line). */
export async function serveCli(argv: readonly string[]): Promise<number> {
  let values: { host?: string; port?: string; renderer?: string; 'allow-host'?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        renderer: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    return 2;
  }
  const rendererDir = values.renderer ? resolve(values.renderer) : defaultRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.error(`No built renderer in ${rendererDir}: run \`npm run build\` first.`);
    return 1;
  }
  const host = values.host ?? '127.0.0.1';

  const lab = createLab({ mode: 'web' });
  let server;
  try {
    server = await startWebServer({
      lab,
      rendererDir,
      host,
      port,
      token: process.env.SOCKLAB_WEB_TOKEN || undefined,
      allowedHosts: values['allow-host'] ?? [],
      warn: (message) => console.warn(message),
    });
  } catch (error) {
    await lab.close();
    console.error(`Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // Decided on the address actually listened on, so "127.1" or "localhost" count as loopback.
  if (!server.loopback) {
    console.warn(
      `WARNING: listening on ${host}: anyone who can reach this address and has the URL's token can open ` +
        'real sockets on this machine. Share the URL only with people you trust, and prefer 127.0.0.1.',
    );
  }
  lab.hideFromCapture(server.port);
  console.log(`SockLab web mode: open ${server.url}`);

  return await new Promise<number>((done) => {
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) process.exit(1); // a second Ctrl+C: the person wants out now
      closing = true;
      console.log(`\n${signal}: closing the lab…`);
      void server
        .close()
        .then(() => lab.close())
        .then(() => done(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}
