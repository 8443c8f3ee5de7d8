import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Bus } from '../../kernel/bus.js';
import type { ApprovalsService } from '../../kernel/approvals-service.js';
import type { Extensions } from '../../kernel/extensions.js';
import { Cc2ccError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { assertAgentName } from '../../kernel/names.js';
import { createUiApp } from './app.js';
import { UI_DEFAULTS } from './defaults.js';
import { loadAssets } from './assets.js';
import { LiveFeed } from './live-feed.js';
import { createToken } from './token.js';

export interface UiServerOptions {
  bus: Bus;
  logger: Logger;
  /** Shown in the page's title bar: the project folder's name. */
  project: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Let the page send messages (POST api/send). Off by default: the page only reads. */
  allowSend?: boolean;
  /** Let the page answer permission requests (implied by `allowSend`). Off by default. */
  allowApprove?: boolean;
  /** The approvals plugin's service, when the plugin is enabled: the page's approval inbox. */
  approvals?: ApprovalsService;
  /** Who the page sends as (default `human`). */
  sender?: string;
  /** An online agent with no traffic for this long shows as idle (default 5 minutes). */
  idleAfterMs?: number;
  snapshotMs?: number;
  /** Recent messages are kept within this many bytes (estimated), oldest forgotten first (default 32 MB). */
  historyBytes?: number;
  /** And at most this many (default 20,000). */
  maxMessages?: number;
  /** A message's text is kept up to this many characters (default 4096). */
  previewChars?: number;
  /** An event stream with more unsent data than this is disconnected (default 8 MB). */
  streamBytes?: number;
  /** The plugins' address schemes (`runtime.extensions`): the page lists the groups each has (rooms, topics). */
  schemes?: Pick<Extensions, 'listGroups'>;
  /** Open with the last this many messages the transport still holds (default 500; folder transport only). */
  replayMessages?: number;
  /**
   * The bus root (`.cc2cc/`): the agents' delivery ledgers there add pushed and seen. Without it,
   * the page shows the transport's states only.
   */
  rootDir?: string;
  /** The built page (default: `dist/ui/` of this package). */
  assetsDir?: string;
  /** Default: a fresh random one. */
  token?: string;
}

export interface UiServer {
  /** The page's address, token included: the one thing to print. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly feed: LiveFeed;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Starts watching the bus and serves the page on 127.0.0.1 only. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const sender = assertAgentName(options.sender ?? UI_DEFAULTS.sender, 'sender name (--as)');
  const port = options.port ?? UI_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Cc2ccError('BAD_INPUT', `port ${port} is not a port number (0-65535; 0 takes a free one)`);
  const token = options.token ?? createToken();
  const assets = await loadAssets(options.assetsDir);
  if (!assets.has('index.html'))
    options.logger.warn('ui: the page is not built (no dist/ui/index.html); run `npm run build`');
  const idleAfterMs = options.idleAfterMs ?? UI_DEFAULTS.idleAfterMs;
  const startedAt = Date.now();
  const feed = await LiveFeed.start({
    bus: options.bus,
    logger: options.logger,
    idleAfterMs,
    startedAt,
    ...(options.schemes !== undefined && { schemes: options.schemes }),
    snapshotMs: options.snapshotMs ?? UI_DEFAULTS.snapshotMs,
    replayMessages: options.replayMessages ?? UI_DEFAULTS.replayMessages,
    ...(options.rootDir !== undefined && { rootDir: options.rootDir }),
    history: {
      maxBytes: options.historyBytes ?? UI_DEFAULTS.historyBytes,
      previewChars: options.previewChars ?? UI_DEFAULTS.previewChars,
      ...(options.maxMessages !== undefined && { maxMessages: options.maxMessages }),
    },
    hello: {
      project: options.project,
      transport: options.bus.transport.kind,
      allowSend: options.allowSend ?? false,
      sender,
      idleAfterMs,
      startedAt: new Date(startedAt).toISOString(),
    },
  });
  let bound = 0;
  const app = createUiApp({
    token,
    assets,
    logger: options.logger,
    bus: options.bus,
    feed,
    allowSend: options.allowSend ?? false,
    allowApprove: (options.allowApprove ?? false) || (options.allowSend ?? false),
    approvals: options.approvals,
    sender,
    streamBytes: options.streamBytes ?? UI_DEFAULTS.streamBytes,
    listening: { bindHost: HOST, port: () => bound },
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  try {
    await listen(server, port);
  } catch (error) {
    await feed.stop();
    throw error;
  }
  bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${bound}/${token}/`,
    port: bound,
    token,
    feed,
    close() {
      closing ??= (async () => {
        await feed.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE')
        reject(
          new Cc2ccError(
            'BAD_INPUT',
            `port ${port} on ${HOST} is in use: pick another with --port, or --port 0 for a free one`,
            { port },
          ),
        );
      else
        reject(
          new Cc2ccError(
            'IO_FAILED',
            `could not listen on ${HOST}:${port}: ${error.message}`,
            { port },
            { cause: error },
          ),
        );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}
