import type { AgentName } from './names.js';
import type { RouteRule } from './routes.js';

/** The settings the kernel reads; the loaded config satisfies this and carries more. */
export interface KernelConfig {
  /** Folder that holds the project's config (or the cwd when there is none). */
  readonly projectDir: string;
  /** The project's local state folder (`.cc2cc/`): plugins keep files such as keys here. */
  readonly rootDir?: string;
  /** Agents known even before they ever ran: messages to them queue. */
  readonly agents: readonly AgentName[];
  readonly allowUnknownRecipients: boolean;
  readonly maxBytes: number;
  /** Offers of one message before it goes to dead letters. */
  readonly maxAttempts: number;
  /** First retry delay; it doubles per attempt. */
  readonly retryDelayMs: number;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  /** A made-up agent offline this long with nothing queued is retired (see retire.ts). */
  readonly retireAfterMs: number;
  /** Per-project routing rules; checked for loops when the kernel is composed. */
  readonly routes?: readonly RouteRule[];
}

export const KERNEL_DEFAULTS: Omit<KernelConfig, 'projectDir'> = {
  agents: [],
  allowUnknownRecipients: false,
  maxBytes: 256 * 1024,
  maxAttempts: 5,
  retryDelayMs: 200,
  heartbeatMs: 10_000,
  staleAfterMs: 45_000,
  retireAfterMs: 24 * 60 * 60 * 1000,
};
