/**
 * The desktop app's own origin: the built renderer is served from `app://socklab/` through
 * `protocol.handle`, not loaded from `file://`. A custom origin lets main trust IPC senders by
 * origin (nothing else can be `app://socklab`), gives the page real response headers (the CSP
 * lives in csp.ts alone, no `<meta>` copy), and keeps every other file on disk out of reach.
 */
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { resolveStaticFile, mimeType } from './web/static';
import { contentSecurityPolicy } from './transport';

export const APP_SCHEME = 'app';
export const APP_HOST = 'socklab';
/** The page the window loads. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registers `app:` as a standard, secure scheme. Electron requires this before the app is ready
 * (standard: URLs resolve like http's; secure: the page is a secure context, as file:// was).
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Whether `url` is a page of the app's own origin. */
export function isAppOrigin(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The headers every app:// response carries: the one CSP, and no MIME sniffing. */
function appHeaders(type: string): Record<string, string> {
  return { 'Content-Type': type, 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' };
}

/**
 * Answers one app:// request from the built renderer folder, with the same path rules as web
 * mode's static files (nothing outside the folder, no `..`, no symlinks out); 404 otherwise.
 */
export async function serveAppRequest(url: string, rendererDir: string): Promise<Response> {
  const notFound = () => new Response('Not found', { status: 404, headers: appHeaders('text/plain; charset=utf-8') });
  if (!isAppOrigin(url)) return notFound();
  const file = await resolveStaticFile(rendererDir, new URL(url).pathname);
  if (file === null) return notFound();
  return new Response(await readFile(file), { status: 200, headers: appHeaders(mimeType(file)) });
}

/** Serves app:// from `rendererDir`; call once the app is ready. */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, rendererDir));
}
