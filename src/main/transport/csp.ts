/**
 * The Content-Security-Policy of the renderer, one definition for the Electron window (header
 * on the dev server's responses; `src/renderer/index.html` carries the same policy as a meta tag
 * for `file://`, where no response headers exist) and for web mode (header on every response).
 */

export interface CspOptions {
  /** Extra `connect-src` sources, e.g. web mode's own `ws://127.0.0.1:PORT`. */
  connect?: readonly string[];
  /** Allows inline styles: only for Vite's dev server, which injects them. */
  inlineStyles?: boolean;
}

/**
 * The strict policy: only the app's own scripts and styles, no inline code, no eval, no
 * plugins, no framing, no forms, no `<base>`; network only to the app itself.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    options.inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
