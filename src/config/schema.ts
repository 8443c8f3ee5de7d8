import { z } from 'zod';
import { AGENT_NAME_RULE, isAgentName } from '../kernel/names.js';
import { DEFAULT_MAX_BYTES } from '../kernel/envelope.js';
import { DEFAULT_MAX_PUSH_CHARS } from '../sinks/channel-limits.js';
import { KERNEL_DEFAULTS } from '../kernel/options.js';
import { MESSAGE_KINDS } from '../kernel/envelope.js';
import { ADDRESS_RULE, isAddress } from '../kernel/names.js';
import { PATTERN_RULE, assertTopicPattern } from '../kernel/patterns.js';
import type { Plugin } from '../kernel/plugin.js';
import type { Transport } from '../kernel/transport.js';

const agentName = z.string().refine(isAgentName, { message: AGENT_NAME_RULE });
const positiveMs = z.number().int().positive();

const pluginObject = z.custom<Plugin>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && typeof (value as Plugin).setup === 'function',
  { message: 'a plugin object needs a "name" string and a "setup(ctx)" function' },
);

/** A plugin by name (`"rooms"`, `"cc2cc-plugin-x"`), by name with options, or as an object. */
export const PluginSpecSchema = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]),
  pluginObject,
]);

/** Builds a transport for the loaded config: the way to plug in a third-party transport object. */
export interface TransportFactory {
  create(context: TransportFactoryContext): Transport | Promise<Transport>;
}

export interface TransportFactoryContext {
  /** Absolute path of the `.cc2cc/` root. */
  root: string;
  projectDir: string;
  maxBytes: number;
  logger: import('../kernel/logger.js').Logger;
}

const transportFactory = z.custom<TransportFactory>(
  (value) => typeof value === 'object' && value !== null && typeof (value as TransportFactory).create === 'function',
  { message: 'a transport object needs a "create(context)" function' },
);

/** `"fs"`, `"memory"`, `{ use: "redis", url }`, or a `{ create() }` factory. */
export const TransportSpecSchema = z.union([
  z.string().min(1),
  z.looseObject({ use: z.string().min(1) }),
  transportFactory,
]);

const address = z.string().refine(isAddress, { message: ADDRESS_RULE });
const topicPattern = z.string().refine(
  (value) => {
    try {
      assertTopicPattern(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: PATTERN_RULE },
);

export const RouteSchema = z
  .strictObject({
    match: z
      .strictObject({
        to: address.optional(),
        from: z.string().min(1).optional(),
        kind: z.union([z.enum(MESSAGE_KINDS), z.array(z.enum(MESSAGE_KINDS)).min(1)]).optional(),
        topic: topicPattern.optional(),
        room: z.string().min(1).optional(),
      })
      .refine((match) => Object.keys(match).length > 0, { message: 'a route needs at least one of to, from, kind, topic, room' })
      .refine((match) => [match.to, match.topic, match.room].filter((value) => value !== undefined).length <= 1, {
        message: 'use only one of to, topic and room in one match',
      }),
    also: z.array(address).min(1).optional(),
    replace: z.array(address).min(1).optional(),
  })
  .refine((route) => (route.also === undefined) !== (route.replace === undefined), { message: 'a route has either "also" or "replace" (not both)' });

export const ConfigSchema = z.strictObject({
  /** Folder of the filesystem bus, relative to the project folder. */
  root: z.string().min(1).default('.cc2cc'),
  /** This agent's name; without it, `cc2cc serve` makes a free adjective-animal name. */
  name: agentName.optional(),
  /** Agents that may receive before they ever ran (their messages queue). */
  agents: z.array(agentName).default([]),
  allowUnknownRecipients: z.boolean().default(KERNEL_DEFAULTS.allowUnknownRecipients),
  /** How `cc2cc serve` hands messages to the agent. */
  delivery: z.enum(['push', 'pull', 'auto']).default('auto'),
  maxBytes: z.number().int().min(1024).default(DEFAULT_MAX_BYTES),
  maxAttempts: z.number().int().min(1).default(KERNEL_DEFAULTS.maxAttempts),
  retryDelayMs: positiveMs.default(KERNEL_DEFAULTS.retryDelayMs),
  heartbeatMs: positiveMs.default(KERNEL_DEFAULTS.heartbeatMs),
  staleAfterMs: positiveMs.default(KERNEL_DEFAULTS.staleAfterMs),
  /** Safety-net rescan of the inbox for lost watch events (0 turns it off). */
  rescanMs: z.number().int().min(0).default(2000),
  retention: z
    .strictObject({
      doneMs: positiveMs.default(24 * 60 * 60 * 1000),
      maxDone: z.number().int().min(0).default(10_000),
    })
    .default({ doneMs: 24 * 60 * 60 * 1000, maxDone: 10_000 }),
  transport: TransportSpecSchema.default('fs'),
  plugins: z.array(PluginSpecSchema).default([]),
  /** Routing rules: e.g. everything on topic:ci.* also goes to room:reviewers. */
  routes: z.array(RouteSchema).default([]),
  maxPushChars: z
    .number()
    .int()
    .min(200)
    .default(DEFAULT_MAX_PUSH_CHARS)
    .describe('Longest text pushed into a conversation; a longer message is pushed cut short with a pointer to check_inbox, which returns it whole.'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** What a user writes (every field optional). */
export type Cc2ccConfig = z.input<typeof ConfigSchema>;
/** After defaults. */
export type ParsedConfig = z.output<typeof ConfigSchema>;
export type PluginSpec = z.infer<typeof PluginSpecSchema>;
export type TransportSpec = z.infer<typeof TransportSpecSchema>;

/** Identity helper that gives `cc2cc.config.ts` its types. */
export function defineConfig(config: Cc2ccConfig): Cc2ccConfig {
  return config;
}
