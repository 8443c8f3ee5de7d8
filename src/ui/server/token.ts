import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** 32 random bytes, URL-safe: the one secret of a `cc2cc ui` session. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Every request must start with `/<token>/`: the page, its assets, the API and the event
 * stream. The page uses relative URLs, so the token in the printed URL carries through
 * with no cookie and no header. Anything else gets 401, before any route runs.
 */
export function requireToken(token: string): MiddlewareHandler {
  const expected = Buffer.from(token);
  return async (c, next) => {
    const first = c.req.path.split('/')[1] ?? '';
    const given = Buffer.from(decodeURIComponentSafe(first));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.text('cc2cc ui: this URL needs the token: open the address that `cc2cc ui` printed\n', 401);
    }
    await next();
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
