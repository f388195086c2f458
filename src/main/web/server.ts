/**
 * Web mode's server: the built renderer as static files and the lab over a WebSocket, on
 * 127.0.0.1 unless told otherwise. A WebSocket is accepted only with the random token of this
 * run and an Origin equal to the server's own; requests then pass the same validation as IPC.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LabApi } from '@shared/api';
import { TOKEN_PARAM, WS_PATH } from '@shared/wire';
import { WebSocketServer } from 'ws';
import { contentSecurityPolicy } from '../transport';
import { serveConnection, type ConnectionOptions } from './connection';
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
}

export interface WebServer {
  /** What to open: the page with the token. */
  readonly url: string;
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Closes every WebSocket and stops listening (the lab stays open: its owner closes it). */
  close(): Promise<void>;
}

/**
 * Largest WebSocket frame: a 100 MB capture file opened in the Packets view, as base64 (4/3 of
 * it) plus the request around it. Only a page with the token can send frames at all.
 */
export const MAX_FRAME_BYTES = 136 * 1024 * 1024;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
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

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Starts the server; resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const loopback = isLoopbackHost(bindHost);
  let port = 0;

  /**
   * The Host header must name this server. On loopback only loopback names pass, which stops
   * DNS rebinding; bound wider, the machine's own names are not known, so the token guards alone.
   */
  const hostAllowed = (hostHeader: string | undefined): hostHeader is string => {
    if (!hostHeader) return false;
    if (!loopback) return true;
    return [urlHost(bindHost), 'localhost', '127.0.0.1'].some((name) => hostHeader === `${name}:${port}`);
  };

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
      options.warn?.(`web mode: serving ${req.url ?? '?'} failed: ${String(error)}`);
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
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, options.lab, options));
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
  port = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost)}:${port}`;
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
