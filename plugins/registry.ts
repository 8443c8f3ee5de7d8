import type { Plugin } from '../src/plugin.js';

// biome-ignore lint/suspicious/noExplicitAny: each factory types its own options; a config passes whatever it holds.
export type PluginFactory = (options?: any) => Plugin;

/**
 * First-party plugins by the name a config uses for them, each imported on first use: a
 * config naming `rooms` loads the rooms plugin only, not all seven (CLI start-up).
 */
export const builtinPluginLoaders: Readonly<Record<string, () => Promise<PluginFactory>>> = {
  rooms: async () => (await import('./rooms/index.js')).rooms,
  topics: async () => (await import('./topics/index.js')).topics,
  'request-reply': async () => (await import('./request-reply/index.js')).requestReply,
  filters: async () => (await import('./filters/index.js')).filters,
  signing: async () => (await import('./signing/index.js')).signing,
  approvals: async () => (await import('./approvals/index.js')).approvals,
  claims: async () => (await import('./claims/index.js')).claims,
};
