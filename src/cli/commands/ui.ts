import { optionalService } from '../../kernel/services.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Cc2ccError, describeError, isCc2ccError } from '../../kernel/errors.js';
import { createStderrLogger, type Logger } from '../../kernel/logger.js';
import { assertAgentName } from '../../kernel/names.js';
import type { Bus } from '../../kernel/bus.js';
import { ConsoleSink } from '../../sinks/console-sink.js';
import { APPROVALS } from '../../kernel/tokens.js';
import type { ApprovalsService } from '../../kernel/approvals-service.js';
import { UI_DEFAULTS } from '../../ui/server/defaults.js';
import type { UiServer } from '../../ui/server/server.js';
import { configFrom, createRuntime, print, untilSignal, type GlobalOptions } from '../context.js';

interface UiOptions extends GlobalOptions {
  port: string;
  allowSend?: boolean;
  allowApprove?: boolean;
  as: string;
  idleAfter: string;
  historyMb: string;
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description(
      'a live page of the whole bus in the browser (127.0.0.1 only, a token in the URL; read-only unless --allow-send)',
    )
    .option('--port <n>', 'port on 127.0.0.1; 0 takes a free one', String(UI_DEFAULTS.port))
    .option('--allow-send', 'let the page send messages to agents and rooms')
    .option(
      '--allow-approve',
      "let the page answer agents' permission requests (approvals plugin); --allow-send implies it",
    )
    .option('--as <name>', 'who messages from the page come from', UI_DEFAULTS.sender)
    .option(
      '--idle-after <minutes>',
      'an online agent with no traffic for this long shows as idle',
      String(UI_DEFAULTS.idleAfterMs / 60_000),
    )
    .option(
      '--history-mb <n>',
      'keep the recent messages within this many MB (oldest forgotten first; long texts kept as a preview)',
      String(UI_DEFAULTS.historyBytes / 1024 / 1024),
    )
    .addHelpText(
      'after',
      "\nPrints the page's address (with its token) on stdout and runs until " +
        'Ctrl-C.\n\nExample:\n  $ cc2cc ui --port 4477 --allow-send --as alice',
    )
    .action(async (options: UiOptions, command: Command) => {
      const port = parseNumber(
        options.port,
        '--port',
        (value) => Number.isInteger(value) && value >= 0 && value <= 65_535,
      );
      const idleAfterMinutes = parseNumber(options.idleAfter, '--idle-after', (value) => value > 0);
      const historyMb = parseNumber(options.historyMb, '--history-mb', (value) => value > 0);
      const config = await configFrom(command.optsWithGlobals());
      const logger = createStderrLogger(config.logLevel);
      // Loaded here, not at start-up: other verbs (serve above all) do not pay for the HTTP server.
      const { startUiServer } = await import('../../ui/server/server.js');
      // Replies to the page's sender are read by the page (the timeline shows them), so its inbox
      // just acknowledges them.
      const runtime = await createRuntime(config, { logger, sink: new ConsoleSink(() => {}) });
      if (options.allowSend) await openSenderInbox(runtime.bus, options.as, logger);
      let server: UiServer;
      try {
        server = await startUiServer({
          bus: runtime.bus,
          logger,
          project: basename(config.projectDir),
          rootDir: config.rootDir,
          port,
          allowSend: options.allowSend ?? false,
          allowApprove: options.allowApprove ?? false,
          approvals: optionalService<ApprovalsService>(runtime.container, APPROVALS),
          sender: options.as,
          idleAfterMs: idleAfterMinutes * 60_000,
          historyBytes: Math.round(historyMb * 1024 * 1024),
          schemes: runtime.extensions,
        });
      } catch (error) {
        await runtime.close();
        throw error;
      }
      print(server.url);
      const mode = options.allowSend
        ? `sending allowed, as ${options.as}`
        : options.allowApprove
          ? 'answering permission requests allowed'
          : 'read-only';
      process.stderr.write(
        `cc2cc ui: watching ${config.rootDir} (${runtime.bus.transport.kind}), ${mode}; open the ` +
          `address above (Ctrl-C to stop)\n`,
      );
      await untilSignal();
      await server.close();
      await runtime.close();
    });
}

/**
 * With --allow-send the page's sender (`human`) becomes an agent of the bus while the page
 * runs: a reply to it is accepted (not refused as an unknown recipient) with no `agents`
 * entry in the config, and later replies queue for the next start.
 */
async function openSenderInbox(bus: Bus, sender: string, logger: Logger): Promise<void> {
  try {
    await bus.attach(assertAgentName(sender, '--as'));
  } catch (error) {
    if (isCc2ccError(error, 'INVALID_NAME')) throw error;
    logger.warn(`ui: replies to ${sender} are not read by this page: ${describeError(error)}`);
  }
}

function parseNumber(text: string, flag: string, valid: (value: number) => boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !valid(value))
    throw new Cc2ccError('BAD_INPUT', `${flag} "${text}" is not valid`);
  return value;
}
