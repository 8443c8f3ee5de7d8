import { z } from 'zod';
import type { TransportFactory } from '../kernel/transport-factory.js';
import { AGENT_NAME_RULE, isAgentName } from '../kernel/names.js';
import { DEFAULT_MAX_BYTES } from '../kernel/envelope.js';
import { DEFAULT_MAX_PUSH_CHARS } from '../sinks/channel-limits.js';
import { DEFAULT_UNREAD_LIMITS } from '../mcp/unread-budget.js';
import { KERNEL_DEFAULTS } from '../kernel/options.js';
import { MESSAGE_KINDS } from '../kernel/envelope.js';
import { ADDRESS_RULE, isAddress } from '../kernel/names.js';
import type { Plugin } from '../kernel/plugin.js';
import type { DependencyContainer } from 'tsyringe';

/** A config's last word on the kernel's registrations (compose's `overrides`). */
export type ContainerOverrides = (container: DependencyContainer) => void;

const agentName = z.string().refine(isAgentName, { message: AGENT_NAME_RULE });
const positiveMs = z.number().int().positive();

const pluginObject = z
  .custom<Plugin>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Plugin).name === 'string' &&
      typeof (value as Plugin).setup === 'function',
    { message: 'a plugin object needs a "name" string and a "setup(ctx)" function' },
  )
  .describe('plugin object');

/** A plugin by name (`"rooms"`, `"cc2cc-plugin-x"`), by name with options, or as an object. */
export const PluginSpecSchema = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]),
  pluginObject,
]);

/** Builds a transport for the loaded config: the way to plug in a third-party transport object. */
export type { TransportFactory, TransportFactoryContext } from '../kernel/transport-factory.js';

const transportFactory = z
  .custom<TransportFactory>(
    (value) => typeof value === 'object' && value !== null && typeof (value as TransportFactory).create === 'function',
    { message: 'a transport object needs a "create(context)" function' },
  )
  .describe('{ create(context) } object');

/** `"fs"`, `"memory"`, `{ use: "redis", url }`, or a `{ create() }` factory. */
export const TransportSpecSchema = z.union([
  z.string().min(1),
  z.looseObject({ use: z.string().min(1) }),
  transportFactory,
]);

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long acknowledged ids are remembered, so a repeated copy is acknowledged, not delivered again. */
export const RetentionSchema = z
  .strictObject({
    doneMs: positiveMs.default(DAY_MS).describe('Keep an acknowledged message (or, on Redis, its id) this long.'),
    maxDone: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('Keep at most this many acknowledged messages per inbox.'),
  })
  .default({ doneMs: DAY_MS, maxDone: 10_000 })
  .describe(
    'How long acknowledged messages stay in `done/` (`fs`) or their ids in the acked set ' +
      '(`redis`), where they stop an id from being delivered twice.',
  );

/** Where cc2cc keeps its files in the project unless the transport entry says otherwise. */
export const DEFAULT_ROOT = '.cc2cc';

/** `transport: { use: 'fs', ... }`: the folder transport and its options, every one optional. */
export const FsTransportSchema = z.strictObject({
  use: z
    .literal('fs')
    .describe(
      'The folder transport, whose options follow (every one optional); `"fs"` alone takes them all as they are.',
    ),
  root: z
    .string()
    .min(1)
    .default(DEFAULT_ROOT)
    .describe(
      'The bus folder, relative to the folder that holds the config: inboxes, presence records, ' +
        'locks, session files. `cc2cc init` keeps it out of git. Every transport takes `root` for ' +
        'the files it keeps on this machine (session files, delivery ledgers).',
    ),
  fsync: z
    .boolean()
    .default(true)
    .describe(
      'Fsync each message file and its folder before a send returns, so a queued message survives ' +
        'a power loss. false is several times faster per message and still survives any process crash.',
    ),
  rescanMs: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe('Safety-net rescan of an inbox folder for file-watch events that were lost (0 turns it off).'),
  closeTimeoutMs: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe(
      'How long stopping a receiver waits for the message it is handing over; past it the ' +
        'receiver stops anyway and the message stays claimed, to be offered again by the next start.',
    ),
  retention: RetentionSchema,
  watch: z.boolean().default(true).describe('Watch inbox folders for new files; false leaves it to the rescan.'),
});

export type FsTransportOptions = z.output<typeof FsTransportSchema>;

const address = z.string().refine(isAddress, { message: ADDRESS_RULE });

export const RouteSchema = z
  .strictObject({
    match: z
      .strictObject({
        to: address
          .optional()
          .describe(
            'Address as the sender wrote it, or a pattern: `calm-owl`, `room:backend`, `room:*`, `topic:ci.*`, `*`.',
          ),
        from: z.string().min(1).optional().describe('Sender name or glob (`*` matches any characters): `ci-*`.'),
        kind: z
          .union([z.enum(MESSAGE_KINDS), z.array(z.enum(MESSAGE_KINDS)).min(1)])
          .optional()
          .describe('Message kind, or a list of kinds.'),
      })
      .refine((match) => Object.keys(match).length > 0, { message: 'a route needs at least one of to, from, kind' })
      .describe(
        'Which envelopes the rule applies to; every condition given must hold, at least one. A ' +
          "`to` pattern's target matches as its scheme's plugin says (topics: `*` one segment, " +
          '`>` the rest). The `topic: "ci.*"` and `room: "x"` shorthands of earlier versions still work, with a note.',
      ),
    also: z
      .array(address)
      .min(1)
      .optional()
      .describe('These addresses get the message too. A target that reaches nobody is skipped.'),
    replace: z
      .array(address)
      .min(1)
      .optional()
      .describe('These addresses get the message instead of the one it was sent to.'),
  })
  .refine((route) => (route.also === undefined) !== (route.replace === undefined), {
    message: 'a route has either "also" or "replace" (not both)',
  });

// A union of one, so the reference names its type from this description (a custom schema has no JSON Schema).
const containerOverrides = z
  .custom<ContainerOverrides>((value) => typeof value === 'function', {
    message: 'a function (container) => void, in a JS/TS config',
  })
  .describe('(container) => void function');

export const ConfigSchema = z.strictObject({
  /** This agent's name; without it, `cc2cc serve` makes a free adjective-animal name. */
  name: agentName
    .optional()
    .describe(
      "This agent's name for `cc2cc serve` (`--name` or the `CC2CC_NAME` environment variable win " +
        'over it). Leave it out when several sessions share the config: each then gets a free ' +
        'adjective-animal name such as `brave-fox`.',
    ),
  /** Agents that may receive before they ever ran (their messages queue). */
  agents: z
    .array(agentName)
    .default([])
    .describe(
      'Agents that may receive messages before they first run: their messages queue. A name that ' +
        'is not here and has never run is refused, with the known names in the error.',
    ),
  allowUnknownRecipients: z
    .boolean()
    .default(KERNEL_DEFAULTS.allowUnknownRecipients)
    .describe(
      'Queue messages for any valid name, even one that is not configured and never ran. Off, a ' +
        'typo is refused instead of filling an inbox nobody reads.',
    ),
  /** How `cc2cc serve` hands messages to the agent. */
  delivery: z
    .enum(['push', 'pull', 'auto'])
    .default('auto')
    .describe(
      'How `cc2cc serve` hands messages to the agent: `push` (the channel notification is the ' +
        'delivery), `pull` (only `check_inbox`), `auto` (push, and keep each message readable ' +
        'through `check_inbox` until a tool has shown it). `--delivery` wins over it.',
    ),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_MAX_BYTES)
    .describe(
      'Largest serialized envelope, in bytes. A bigger message is refused when it is sent, with ' +
        'both sizes in the error.',
    ),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .default(KERNEL_DEFAULTS.maxAttempts)
    .describe('Offers of one message before it goes to dead letters; its sender then gets a `failed` receipt.'),
  retryDelayMs: positiveMs
    .default(KERNEL_DEFAULTS.retryDelayMs)
    .describe(
      'Wait before a message whose delivery failed is offered again; it doubles with each attempt, up to 30 s.',
    ),
  heartbeatMs: positiveMs
    .default(KERNEL_DEFAULTS.heartbeatMs)
    .describe('How often a running agent rewrites its presence record.'),
  staleAfterMs: positiveMs
    .default(KERNEL_DEFAULTS.staleAfterMs)
    .describe(
      'A presence record that says `online` but is older than this shows the agent as `stale`: ' +
        'its process stopped without signing off.',
    ),
  retireAfterMs: positiveMs
    .default(KERNEL_DEFAULTS.retireAfterMs)
    .describe(
      'An agent with a made-up name (generated, or derived from a held name such as `backend-2`) ' +
        'that has been offline this long with nothing queued is retired: no longer listed, ' +
        'reachable or reached by `*`. Running servers check at start and then every hour (or ' +
        'every `retireAfterMs`, when shorter). Named agents are never retired.',
    ),
  transport: TransportSpecSchema.default('fs').describe(
    'Where messages are stored, with the transport\'s options: `"fs"` or `{ use: "fs", root, ' +
      'fsync, rescanMs, closeTimeoutMs, retention }` (the folder; its fields follow), `"memory"` ' +
      '(one process only: `cc2cc serve`, `send` and plugin verbs refuse it, and any transport ' +
      'with `scope: "process"`; `cc2cc doctor` flags it; for tests that compose the kernel in code), ' +
      '`{ use: "redis", url, ... }`, `{ use: "<name>", ...options }` for a registered transport, or an ' +
      'object with `create(context)` for your own. Any `{ use }` entry may name `root`, the folder for ' +
      'the files kept on this machine. The top-level `root`, `fsync`, `rescanMs`, `closeTimeoutMs` and ' +
      '`retention` of earlier versions still work, with a note. See [transports](transports.md).',
  ),
  plugins: z
    .array(PluginSpecSchema)
    .default([])
    .describe(
      'Plugins, in load order: a built-in name (`"rooms"`), an installed package, `[name, ' +
        'options]`, or a plugin object in a JS/TS config. See [plugins](plugins.md).',
    ),
  /** Routing rules: e.g. everything on topic:ci.* also goes to room:reviewers. */
  routes: z
    .array(RouteSchema)
    .default([])
    .describe(
      'Routing rules, checked for loops when the config loads: e.g. everything on `topic:ci.*` ' +
        'also goes to `room:reviewers`. A target `room:` or `topic:` needs its plugin.',
    ),
  maxPushChars: z
    .number()
    .int()
    .min(200)
    .default(DEFAULT_MAX_PUSH_CHARS)
    .describe(
      'Longest text pushed into a conversation; a longer message is pushed cut short with a ' +
        'pointer to check_inbox, which returns it whole.',
    ),
  maxUnread: z
    .number()
    .int()
    .min(1)
    .default(DEFAULT_UNREAD_LIMITS.maxMessages)
    .describe(
      '`cc2cc serve` in `pull` and `auto` delivery: most messages held in memory until the agent ' +
        'reads them (`check_inbox`, `reply`). At the limit it stops taking messages from the ' +
        'inbox (and, in `auto`, stops pushing) until the agent reads; the rest wait on disk.',
    ),
  maxUnreadBytes: z
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_UNREAD_LIMITS.maxBytes)
    .describe('Like `maxUnread`, in bytes of serialized messages. One message is always held, whatever its size.'),
  overrides: z
    .union([containerOverrides])
    .optional()
    .describe(
      "A JS/TS config only: the last word on the kernel's registrations, called with the tsyringe " +
        'container once everything is registered (before the plugins set up): register your own ' +
        'router, sink, clock or logger under its token (`tokens.ROUTER`, ...). Tests that compose ' +
        'the kernel in code pass `overrides` to `createRuntime` too; theirs run after this one.',
    ),
  logLevel: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'])
    .default('info')
    .describe('How much cc2cc logs on stderr.'),
});

/** Spellings of earlier versions: still read, each with a note on stderr (src/config/earlier-keys.ts). */
export interface EarlierSpellings {
  /** @deprecated write `transport: { use: 'fs', root }` */
  root?: string;
  /** @deprecated write `transport: { use: 'fs', fsync }` */
  fsync?: boolean;
  /** @deprecated write `transport: { use: 'fs', rescanMs }` */
  rescanMs?: number;
  /** @deprecated write `transport: { use: 'fs', closeTimeoutMs }` */
  closeTimeoutMs?: number;
  /** @deprecated write `transport: { use: 'fs', retention }` (or `{ use: 'redis', retention }`) */
  retention?: { doneMs?: number; maxDone?: number };
}

/** Route match shorthands of earlier versions: still read, each with a note on stderr. */
export interface EarlierMatchSpellings {
  /** @deprecated write `to: 'topic:<pattern>'` */
  topic?: string;
  /** @deprecated write `to: 'room:<name>'` */
  room?: string;
}

type RouteInput = z.input<typeof RouteSchema>;
/** A route as a user writes it, the earlier match shorthands included. */
export type RouteConfig = Omit<RouteInput, 'match'> & { match: RouteInput['match'] & EarlierMatchSpellings };

/** What a user writes (every field optional). */
export type Cc2ccConfig = Omit<z.input<typeof ConfigSchema>, 'routes'> & { routes?: RouteConfig[] } & EarlierSpellings;
/** After defaults. */
export type ParsedConfig = z.output<typeof ConfigSchema>;
export type PluginSpec = z.infer<typeof PluginSpecSchema>;
export type TransportSpec = z.infer<typeof TransportSpecSchema>;

/** Identity helper that gives `cc2cc.config.ts` its types. */
export function defineConfig(config: Cc2ccConfig): Cc2ccConfig {
  return config;
}
