import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { errorResponse, registerApi, type ApiOptions } from './api.js';
import type { Asset } from './assets.js';
import { registerApprovalRoutes, type ApprovalRoutesOptions } from './approvals-routes.js';
import { guardHostAndOrigin, type GuardOptions } from './request-guard.js';
import { requireToken } from './token.js';

export interface UiAppOptions extends ApiOptions, Omit<ApprovalRoutesOptions, 'bus'> {
  token: string;
  assets: Map<string, Asset>;
  /** Where the server listens: requests naming another host are refused. */
  listening: GuardOptions;
}

/** Same origin only; nothing inline; no framing; the token never leaves in a Referer. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src " +
    "'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The whole HTTP surface of `cc2cc ui`: `/<token>/` (the page), its assets, and `api/`. */
export function createUiApp(options: UiAppOptions): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use('*', guardHostAndOrigin(options.listening));
  app.use('*', requireToken(options.token));

  app.get('/:token', (c) => c.redirect(`/${options.token}/`, 308));
  app.get('/:token/', () => serveAsset(options.assets, 'index.html'));
  app.get('/:token/assets/:file', (c) => serveAsset(options.assets, `assets/${c.req.param('file')}`));

  registerApi(app, options);
  registerApprovalRoutes(app, options);

  app.notFound((c) =>
    c.json(
      { error: { code: 'NOT_FOUND', message: `no such page: ${c.req.path.replace(options.token, '<token>')}` } },
      404,
    ),
  );
  app.onError((error, c) => {
    const { body, status } = errorResponse(error);
    if (status === 500)
      options.logger.error(
        `ui: ${c.req.method} ${c.req.path.replace(options.token, '<token>')} failed: ${body.error.message}`,
      );
    return c.json(body, status);
  });
  return app;
}

function serveAsset(assets: Map<string, Asset>, name: string): Response {
  const asset = assets.get(name);
  const text = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (!asset && name === 'index.html') {
    return new Response(
      'cc2cc ui: the page is not built; run `npm run build` (a published package ships it in dist/ui)\n',
      { status: 503, headers: text },
    );
  }
  if (!asset) return new Response('not found\n', { status: 404, headers: text });
  // Asset names carry a content hash; the page itself may change with every build.
  const cache = name === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable';
  return new Response(asset.body, { headers: { 'Content-Type': asset.type, 'Cache-Control': cache } });
}
