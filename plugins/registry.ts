import type { Plugin } from '../src/plugin.js';
import { approvals } from './approvals/index.js';
import { claims } from './claims/index.js';
import { filters } from './filters/index.js';
import { requestReply } from './request-reply/index.js';
import { rooms } from './rooms/index.js';
import { signing } from './signing/index.js';
import { topics } from './topics/index.js';

type PluginFactory = (options?: any) => Plugin;

/** First-party plugins by the name a config uses for them. */
export const builtinPlugins: Readonly<Record<string, PluginFactory>> = {
  rooms,
  topics,
  'request-reply': requestReply,
  filters,
  signing,
  approvals,
  claims,
};
