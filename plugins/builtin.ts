import { approvals } from './approvals/index.js';
import { claims } from './claims/index.js';
import { filters } from './filters/index.js';
import type { PluginFactory } from './registry.js';
import { requestReply } from './request-reply/index.js';
import { rooms } from './rooms/index.js';
import { signing } from './signing/index.js';
import { topics } from './topics/index.js';

/** First-party plugin factories by the name a config uses for them (`cc2cc/plugins`). */
export const builtinPlugins: Readonly<Record<string, PluginFactory>> = {
  rooms,
  topics,
  'request-reply': requestReply,
  filters,
  signing,
  approvals,
  claims,
};
