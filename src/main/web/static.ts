/**
 * Static files of the built renderer for web mode. A request path maps to a file strictly inside
 * the renderer folder: `..` segments, encoded separators, NUL bytes and symlinks leading out
 * are refused, so no request can read anything else on the machine.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The MIME type for a file name; unknown kinds are served as opaque bytes. */
export function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The relative path inside the root that a URL path names, or null when it tries to leave the
 * root or is malformed. `/` names `index.html`.
 */
export function safeRelativePath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return null;
  return segments.length === 0 ? 'index.html' : segments.join('/');
}

/** Resolves a URL path to a real file inside `root` (symlinks resolved), or null. */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | null> {
  const relative = safeRelativePath(urlPath);
  if (relative === null) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, relative));
    if (!real.startsWith(realRoot + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** Serves one GET/HEAD request from `root` with `headers` added; 404 for anything else. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  headers: Readonly<Record<string, string>>,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const file = await resolveStaticFile(root, path);
  if (file === null) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
    return;
  }
  const size = (await stat(file)).size;
  res.writeHead(200, {
    ...headers,
    'Content-Type': mimeType(file),
    'Content-Length': String(size),
    // The page URL carries the token; hashed assets may be cached, the page may not.
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', (error) => res.destroy(error));
  stream.pipe(res);
}
