/**
 * Web mode's server: the built renderer as static files and the lab over a WebSocket, on
 * 127.0.0.1 unless told otherwise. A WebSocket is accepted only with the random token of this
 * run and an Origin equal to the server's own; requests then pass the same validation as IPC.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, isIP, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import type { LabApi } from '@shared/api';
import { MAX_FILE_CHUNK_BYTES } from '@shared/capture';
import { MAX_PAYLOAD_BYTES } from '@shared/socket';
import { TOKEN_PARAM, WS_PATH } from '@shared/wire';
import { WebSocketServer } from 'ws';
import { contentSecurityPolicy } from '../transport';
import { createRequestBudget, serveConnection, type ConnectionOptions } from './connection';
import { serveStatic } from './static';

export interface WebServerOptions extends ConnectionOptions {
  lab: LabApi;
  /** Folder of the built renderer (`out/renderer`). */
  rendererDir: string;
  /** Address to bind; loopback unless the person asked otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The secret of this run; random when omitted. */
  token?: string;
  /**
   * Host names (without port) the page may be opened under besides the addresses the server
   * listens on, e.g. a classroom host's DNS name (`--allow-host`). Anything else gets 421.
   */
  allowedHosts?: readonly string[];
  /** Frame bytes in flight across all pages (default MAX_BYTES_IN_FLIGHT; tests lower it). */
  maxBytesInFlight?: number;
}

export interface WebServer {
  /** What to open: the page with the token. */
  readonly url: string;
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Whether the address listened on is loopback (reachable from this machine only). */
  readonly loopback: boolean;
  /** Closes every WebSocket and stops listening (the lab stays open: its owner closes it). */
  close(): Promise<void>;
}

/**
 * Largest WebSocket frame (about 22 MiB): the largest payload one call sends (16 MiB) as base64
 * (4/3 of it) plus 1 MiB for the request around it. Capture files travel in pieces of
 * MAX_FILE_CHUNK_BYTES, so no file needs a larger frame. Only a page with the token can send
 * frames at all.
 */
export const MAX_FRAME_BYTES = Math.ceil(Math.max(MAX_PAYLOAD_BYTES, MAX_FILE_CHUNK_BYTES) / 3) * 4 + 1024 * 1024;
/**
 * Frame bytes that requests being worked on may hold, all pages together: one largest frame
 * and some room for ordinary requests. A request that does not fit answers EAGAIN at once.
 */
export const MAX_BYTES_IN_FLIGHT = MAX_FRAME_BYTES + 32 * 1024 * 1024;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a numeric address is loopback (127.0.0.0/8, ::1, IPv4-mapped 127.x); names are not. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The addresses a server listening on `address` answers on (every interface's for a wildcard). */
function listenedAddresses(address: string): string[] {
  if (address !== '0.0.0.0' && address !== '::') return [address];
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  // A "::" socket takes IPv4 too (dual stack); "0.0.0.0" takes IPv4 only.
  return all.filter((entry) => address === '::' || entry.family === 'IPv4').map((entry) => entry.address);
}

/** A request URL without its query (which may hold the token). */
function pathOf(url: string | undefined): string {
  return (url ?? '?').split('?')[0];
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Starts the server; resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  let port = 0;
  /** `host:port` values the Host header may hold, filled once the server listens. */
  let allowedHostHeaders: ReadonlySet<string> = new Set();

  /**
   * The Host header must name this server: an address it listens on, `localhost` when that is
   * loopback, the name it was started with, or a name given in `allowedHosts`. A page on a
   * rebinding domain (evil.example resolving to this machine) names its own domain and gets 421.
   */
  const hostAllowed = (hostHeader: string | undefined): hostHeader is string =>
    hostHeader !== undefined && allowedHostHeaders.has(hostHeader.toLowerCase());

  const headersFor = (hostHeader: string): Record<string, string> => ({
    'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://${hostHeader}`] }),
    'X-Content-Type-Options': 'nosniff',
    // The page URL carries the token: never send it anywhere as a referrer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const connectionOptions = { ...options, budget: createRequestBudget(options.maxBytesInFlight ?? MAX_BYTES_IN_FLIGHT) };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hostHeader = req.headers.host;
    if (!hostAllowed(hostHeader)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headersFor(hostHeader), Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(req, res, options.rendererDir, headersFor(hostHeader)).catch((error: unknown) => {
      // The path only: the page's query string holds the token, which must never reach a log.
      options.warn?.(`web mode: serving ${pathOf(req.url)} failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusalStatus = checkUpgrade(req);
    if (refusalStatus !== null) {
      socket.end(`HTTP/1.1 ${refusalStatus}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, options.lab, connectionOptions));
  });

  /** Null when the upgrade may proceed, else the HTTP status line that refuses it. */
  function checkUpgrade(req: IncomingMessage): string | null {
    const hostHeader = req.headers.host;
    if (!hostAllowed(hostHeader)) return '421 Misdirected Request';
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    if (url.pathname !== WS_PATH) return '404 Not Found';
    if (!tokenMatches(url.searchParams.get(TOKEN_PARAM), token)) return '401 Unauthorized';
    // Browsers always send Origin on a WebSocket; it must be this very server's page.
    if (req.headers.origin !== `http://${hostHeader}`) return '403 Forbidden';
    return null;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listening = server.address() as AddressInfo;
  port = listening.port;
  const addresses = listenedAddresses(listening.address);
  const loopback = addresses.every(isLoopbackAddress);
  const names = [...addresses, bindHost, ...(options.allowedHosts ?? []), ...(addresses.some(isLoopbackAddress) ? ['localhost'] : [])];
  allowedHostHeaders = new Set(names.map((name) => `${urlHost(name)}:${port}`.toLowerCase()));
  const wildcard = listening.address === '0.0.0.0' || listening.address === '::';
  const origin = `http://${urlHost(wildcard ? '127.0.0.1' : listening.address)}:${port}`;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    url: `${origin}/?${TOKEN_PARAM}=${token}`,
    origin,
    host: bindHost,
    port,
    token,
    loopback,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
