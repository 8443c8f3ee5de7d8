import type { MiddlewareHandler } from 'hono';
import type { ErrorBody } from '../protocol.js';

export interface GuardOptions {
  /** The host the server listens on (127.0.0.1). */
  bindHost: string;
  /** The port it listens on: known once it listens (the request never comes before). */
  port: () => number;
}

/** Methods that only read; anything else changes state and must come from the page itself. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Two checks before the token, against other sites in the person's browser:
 * - `Host` must name this server (127.0.0.1, localhost or [::1], or the bind host, at its
 *   port). A site whose name an attacker points at 127.0.0.1 (DNS rebinding) sends its own
 *   name as `Host` and is refused, so even a leaked token is useless to it.
 * - A request with an `Origin` must come from this server's own origin; a state-changing
 *   request (POST) whose `Sec-Fetch-Site` says another site is refused too. Scripts (curl)
 *   send neither header and are let through to the token check.
 * Each refusal is a 403 that says what was refused and why.
 */
export function guardHostAndOrigin(options: GuardOptions): MiddlewareHandler {
  const names = [...new Set(['127.0.0.1', 'localhost', '[::1]', hostForUrl(options.bindHost)])];
  const allowedHosts = () => names.map((name) => `${name}:${options.port()}`);
  return async (c, next) => {
    const host = c.req.header('host')?.toLowerCase();
    if (host === undefined || !isAllowedHost(host, names, options.port())) {
      return c.json(
        refusal(
          'FOREIGN_HOST',
          `cc2cc ui refused this request: its Host header is ` +
            `${host === undefined ? 'missing' : JSON.stringify(host)}, not an address this server ` +
            `listens on (${allowedHosts().join(', ')}). A web page under another name may be ` +
            `trying to reach it (DNS rebinding); open the address that \`cc2cc ui\` printed.`,
        ),
        403,
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isAllowedOrigin(origin.toLowerCase(), names, options.port())) {
      return c.json(
        refusal(
          'CROSS_ORIGIN',
          `cc2cc ui refused this ${c.req.method} request: it comes from the origin ` +
            `${JSON.stringify(origin)}, and only the page this server serves (http://${host}) may call it.`,
        ),
        403,
      );
    }
    const site = c.req.header('sec-fetch-site');
    if (!SAFE_METHODS.has(c.req.method) && site !== undefined && site !== 'same-origin' && site !== 'none') {
      return c.json(
        refusal(
          'CROSS_ORIGIN',
          `cc2cc ui refused this ${c.req.method} request: the browser says it comes from another ` +
            `site (Sec-Fetch-Site: ${site}); only the page this server serves may change anything.`,
        ),
        403,
      );
    }
    await next();
  };
}

/** `name:port`, or the bare name when the port is 80 (browsers leave the default port out). */
function isAllowedHost(host: string, names: string[], port: number): boolean {
  return names.some((name) => host === `${name}:${port}` || (port === 80 && host === name));
}

/** `http://` and an allowed host: the page itself (`null`, from a sandbox or a file, is not). */
function isAllowedOrigin(origin: string, names: string[], port: number): boolean {
  return origin.startsWith('http://') && isAllowedHost(origin.slice('http://'.length), names, port);
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host.toLowerCase()}]` : host.toLowerCase();
}

function refusal(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
