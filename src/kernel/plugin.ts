import type { DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import type { EnvelopeHook, HookOrder } from './hooks.js';
import type { SchemeHandler, SchemeResolver } from './router.js';
import type { CommandDefinition, ToolDefinition } from './tool.js';
import type { Bus } from './bus.js';
import type { Logger } from './logger.js';
import type { Clock } from './clock.js';
import type { KernelConfig } from './options.js';
import type { State } from './state.js';
import type { ClientNotificationHandler } from './client-link.js';
import type { CheckRun } from './check.js';
import type { MonitorStart } from './monitor.js';

/**
 * A plugin is a plain object with a `name` and a `setup(ctx)`; write it as a factory
 * that takes typed options and returns the object. Plugins run in the order configured,
 * within their `enforce` tier (`pre`, then unmarked, then `post`).
 */
export interface Plugin {
  name: string;
  enforce?: 'pre' | 'post';
  /** Names of plugins that must be enabled before this one. Checked at load. */
  dependencies?: string[];
  setup(context: PluginContext): void | Promise<void>;
}

/** Everything a plugin may touch. First-party plugins use nothing else. */
export interface PluginContext {
  readonly config: KernelConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The bus state shared by every agent of this bus (`src/kernel/state.ts`). What belongs to
   * one agent goes under `agent/<name>/` (`agentStateKey`), so forgetting the agent drops it.
   */
  readonly state: State;
  /** This plugin's own child container: what it registers stays in its scope. */
  readonly container: DependencyContainer;
  /** Names of every enabled plugin, in load order. */
  readonly plugins: readonly string[];

  /**
   * Resolve `scheme:target` addresses, e.g. `room` for `room:backend`. One handler per
   * scheme: a resolver function, or a `SchemeHandler` that may also match patterns and list groups.
   */
  addScheme(scheme: string, handler: SchemeResolver | SchemeHandler): void;
  /** Outbound: runs on every envelope being sent, before routing, in plugin order. */
  onSend(hook: EnvelopeHook, options?: { order?: HookOrder }): void;
  /**
   * After routing: runs once per send on the envelope with `rcpt` (the recipients the
   * router resolved) set, right before the transport stores it; receipts too. For seals
   * that must cover the recipients, such as a signature. A drop refuses the send.
   */
  onRouted(hook: EnvelopeHook, options?: { order?: HookOrder }): void;
  /** Inbound: runs on every envelope received, before the sink, in reverse plugin order. */
  onReceive(hook: EnvelopeHook, options?: { order?: HookOrder }): void;
  addTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): void;
  addCommand(command: CommandDefinition): void;
  /** After this agent's inbox is open (only for a running agent, not for one-shot sends). */
  onStart(hook: (bus: Bus) => void | Promise<void>): void;
  /** On shutdown, in reverse plugin order. */
  onStop(hook: (bus: Bus) => void | Promise<void>): void;
  /**
   * `cc2cc serve` only (elsewhere it is never read): declare `capabilities.experimental[name]`
   * to the MCP client, e.g. `claude/channel/permission`. Declared only by enabled plugins.
   */
  addCapability(name: string, value?: Record<string, unknown>): void;
  /**
   * `cc2cc serve` only: handle the notification `method` that the MCP client sends (e.g.
   * `notifications/claude/channel/permission_request`). The handler gets the params and a
   * `ClientLink` to notify that same client later. One handler per method.
   */
  onClientNotification(method: string, handler: ClientNotificationHandler): void;
  /**
   * A check `cc2cc doctor` runs: `run({ bus })` returns findings (`{ level, message, fix? }`),
   * shown as `<name>: <message>`; a `warn` or `fail` makes doctor exit 1. One plugin per name.
   */
  addCheck(name: string, run: CheckRun): void;
  /**
   * A watcher `cc2cc tail` starts next to the traffic: `start({ bus, report, warn })` reports
   * what it notices as lines of their own (the filters plugin reports its drops).
   */
  addMonitor(name: string, start: MonitorStart): void;
  /** Offer a service under a kernel token (e.g. REQUESTS) or a token of the plugin's own. */
  provide(token: symbol, value: unknown): void;
  /** A service another plugin provided, if that plugin is enabled. */
  service<T>(token: symbol): T | undefined;
}

/** Identity helper that gives a plugin factory (or a plugin object) its types. */
// biome-ignore lint/suspicious/noExplicitAny: any factory parameters; never[] would type unannotated ones never
export function definePlugin<F extends (...args: any[]) => Plugin>(factory: F): F;
export function definePlugin<P extends Plugin>(plugin: P): P;
export function definePlugin(value: unknown): unknown {
  return value;
}
