import { Cc2ccError, describeError } from './errors.js';
import { isDrop, type EnvelopeHook, type HookContext, type HookOrder, type HookResult, type Drop } from './hooks.js';
import type { Envelope } from './envelope.js';
import { targetMatches } from './patterns.js';
import type { SchemeGroup, SchemeHandler, SchemeResolver } from './router.js';
import type { CommandDefinition, ToolDefinition } from './tool.js';
import type { Bus } from './bus.js';
import type { ClientNotificationHandler } from './client-link.js';
import type { CheckContext, CheckRun, Finding } from './check.js';
import type { MonitorContext, MonitorStart } from './monitor.js';

interface Registered<T> {
  plugin: string;
  order: HookOrder;
  fn: T;
  /** Registration sequence: plugin load order, then call order within a plugin. */
  seq: number;
}

export type ChainOutcome = { envelope: Envelope } | (Drop & { plugin: string });

type Lifecycle = (bus: Bus) => void | Promise<void>;

/** One scheme's groups, as `Extensions.listGroups()` gives them: sorted by target, agents sorted. */
export interface SchemeListing {
  scheme: string;
  groups: SchemeGroup[];
}

const ORDER_RANK: Record<HookOrder, number> = { pre: 0, normal: 1, post: 2 };

/**
 * Everything plugins contributed, and the runner for it. The runner, not the plugin,
 * names the plugin and hook when one fails.
 */
export class Extensions {
  private readonly outbound: Registered<EnvelopeHook>[] = [];
  private readonly inbound: Registered<EnvelopeHook>[] = [];
  private readonly routed: Registered<EnvelopeHook>[] = [];
  private readonly starts: Registered<Lifecycle>[] = [];
  private readonly stops: Registered<Lifecycle>[] = [];
  readonly schemes = new Map<string, { plugin: string; handler: SchemeHandler }>();
  readonly tools = new Map<string, { plugin: string; tool: ToolDefinition }>();
  readonly commands = new Map<string, { plugin: string; command: CommandDefinition }>();
  /** MCP `capabilities.experimental` entries plugins declare (`cc2cc serve` only). */
  readonly capabilities = new Map<string, { plugin: string; value: Record<string, unknown> }>();
  /** Handlers of notifications the MCP client sends, by method (`cc2cc serve` only). */
  readonly clientNotifications = new Map<string, { plugin: string; handle: ClientNotificationHandler }>();
  /** What `cc2cc doctor` runs besides its own checks, by check name, in plugin order. */
  readonly checks = new Map<string, { plugin: string; run: CheckRun }>();
  /** What `cc2cc tail` starts besides the transport's traffic, by name, in plugin order. */
  readonly monitors = new Map<string, { plugin: string; start: MonitorStart }>();

  private seq = 0;

  /** Outbound chain: `pre` hooks first, then normal, then `post`; registration order within a tier. */
  addOutbound(plugin: string, fn: EnvelopeHook, order: HookOrder = 'normal'): void {
    this.outbound.push({ plugin, fn, order, seq: this.seq++ });
    this.outbound.sort((a, b) => ORDER_RANK[a.order] - ORDER_RANK[b.order] || a.seq - b.seq);
  }

  /** After routing, like the outbound chain: `pre`, normal, `post`; registration order within a tier. */
  addRouted(plugin: string, fn: EnvelopeHook, order: HookOrder = 'normal'): void {
    this.routed.push({ plugin, fn, order, seq: this.seq++ });
    this.routed.sort((a, b) => ORDER_RANK[a.order] - ORDER_RANK[b.order] || a.seq - b.seq);
  }

  /** Inbound chain: `pre` hooks first, then normal, then `post`; reverse registration order within a tier. */
  addInbound(plugin: string, fn: EnvelopeHook, order: HookOrder = 'normal'): void {
    this.inbound.push({ plugin, fn, order, seq: this.seq++ });
    this.inbound.sort((a, b) => ORDER_RANK[a.order] - ORDER_RANK[b.order] || b.seq - a.seq);
  }

  addStart(plugin: string, fn: Lifecycle): void {
    this.starts.push({ plugin, fn, order: 'normal', seq: this.seq++ });
  }

  addStop(plugin: string, fn: Lifecycle): void {
    this.stops.push({ plugin, fn, order: 'normal', seq: this.seq++ });
  }

  addScheme(plugin: string, scheme: string, handler: SchemeResolver | SchemeHandler): void {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(scheme)) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": scheme "${scheme}" must be lowercase letters, digits and hyphens`,
      );
    }
    const taken = this.schemes.get(scheme);
    if (taken) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": scheme "${scheme}:" is already handled by plugin "${taken.plugin}"`,
      );
    }
    if (typeof handler !== 'function' && typeof handler?.resolve !== 'function') {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": scheme "${scheme}:" needs a resolver function or an object with resolve(target, context)`,
      );
    }
    const describe = typeof handler === 'function' ? undefined : handler.describe;
    if (describe !== undefined && (typeof describe !== 'string' || !/^[^\n\r]{1,60}$/.test(describe))) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": the describe of scheme "${scheme}:" must be one line of 1–60 characters, such as ` +
          `"a room (room:NAME)"; got ${JSON.stringify(describe)}`,
      );
    }
    this.schemes.set(scheme, { plugin, handler: typeof handler === 'function' ? { resolve: handler } : handler });
  }

  /** How each enabled scheme's addresses are written, for the agent's tools and instructions (`a room (room:NAME)`). */
  addressForms(): string[] {
    return [...this.schemes].map(([scheme, { handler }]) => handler.describe ?? `${scheme}:TARGET`);
  }

  /** Whether the pattern's target covers the address's target, by the scheme's own `matches` or the kernel's rule. */
  targetMatches(scheme: string, pattern: string, target: string): boolean {
    const matches = this.schemes.get(scheme)?.handler.matches;
    return matches ? matches(pattern, target) : targetMatches(pattern, target);
  }

  /** The groups of every scheme whose plugin lists them, in registration order; a failing `list` names its plugin. */
  async listGroups(): Promise<SchemeListing[]> {
    const listings: SchemeListing[] = [];
    for (const [scheme, { plugin, handler }] of this.schemes) {
      if (!handler.list) continue;
      let groups: SchemeGroup[];
      try {
        groups = await handler.list();
      } catch (error) {
        throw new Cc2ccError(
          'HOOK_FAILED',
          `plugin "${plugin}" list of "${scheme}:" failed: ${describeError(error)}`,
          { plugin, hook: 'list' },
          { cause: error },
        );
      }
      const sorted = groups.map((group) => ({ target: group.target, agents: [...new Set(group.agents)].sort() }));
      listings.push({ scheme, groups: sorted.sort((a, b) => a.target.localeCompare(b.target)) });
    }
    return listings;
  }

  addTool(plugin: string, tool: ToolDefinition): void {
    const taken = this.tools.get(tool.name);
    if (taken) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": tool "${tool.name}" is already added by "${taken.plugin}"`,
      );
    }
    this.tools.set(tool.name, { plugin, tool });
  }

  addCommand(plugin: string, command: CommandDefinition): void {
    const taken = this.commands.get(command.name);
    if (taken) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": command "${command.name}" is already added by "${taken.plugin}"`,
      );
    }
    this.commands.set(command.name, { plugin, command });
  }

  addCapability(plugin: string, name: string, value: Record<string, unknown> = {}): void {
    const taken = this.capabilities.get(name);
    if (taken || name === 'claude/channel') {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": capability "${name}" is already declared by ${taken ? `"${taken.plugin}"` : 'cc2cc'}`,
      );
    }
    this.capabilities.set(name, { plugin, value });
  }

  addClientNotification(plugin: string, method: string, handle: ClientNotificationHandler): void {
    if (!method.startsWith('notifications/')) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": "${method}" is not a notification method (they start with "notifications/")`,
      );
    }
    const taken = this.clientNotifications.get(method);
    if (taken) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": notification "${method}" is already handled by "${taken.plugin}"`,
      );
    }
    this.clientNotifications.set(method, { plugin, handle });
  }

  addCheck(plugin: string, name: string, run: CheckRun): void {
    this.checks.set(freeName(this.checks, plugin, 'check', name), { plugin, run });
  }

  addMonitor(plugin: string, name: string, start: MonitorStart): void {
    this.monitors.set(freeName(this.monitors, plugin, 'monitor', name), { plugin, start });
  }

  /** Every plugin check, in plugin order; one that throws is a `fail` naming its plugin, and the others still run. */
  async runChecks(context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const [name, { plugin, run }] of this.checks) {
      try {
        for (const finding of await run(context)) findings.push({ ...finding, check: name });
      } catch (error) {
        findings.push({
          level: 'fail',
          check: name,
          message: `plugin "${plugin}" check ${name} failed: ${describeError(error)}`,
          fix: `the other checks ran; this one needs the "${plugin}" plugin fixed (or disabled in "plugins")`,
        });
      }
    }
    return findings;
  }

  /**
   * Starts every plugin monitor; one that fails to start is reported through `warn`, naming
   * its plugin, and the others run. Resolves to the function that stops them all.
   */
  async startMonitors(context: MonitorContext): Promise<() => Promise<void>> {
    const stops: Array<() => void | Promise<void>> = [];
    for (const [name, { plugin, start }] of this.monitors) {
      try {
        stops.push(await start(context));
      } catch (error) {
        context.warn(`plugin "${plugin}" monitor ${name} failed to start: ${describeError(error)}`);
      }
    }
    return async () => {
      await Promise.allSettled(stops.map(async (stop) => stop()));
    };
  }

  /** Outbound hooks in registration order. */
  runOutbound(envelope: Envelope, context: HookContext): Promise<ChainOutcome> {
    return runChain(this.outbound, envelope, context, 'onSend');
  }

  /** Hooks that see the envelope with its recipients recorded (`rcpt`), before the transport stores it. */
  runRouted(envelope: Envelope, context: HookContext): Promise<ChainOutcome> {
    return runChain(this.routed, envelope, context, 'onRouted');
  }

  /** Inbound hooks: within a tier the first plugin sees the message last (it wraps the others). */
  runInbound(envelope: Envelope, context: HookContext): Promise<ChainOutcome> {
    return runChain(this.inbound, envelope, context, 'onReceive');
  }

  async runStart(bus: Bus): Promise<void> {
    for (const { plugin, fn } of this.starts) await runLifecycle(plugin, 'onStart', () => fn(bus));
  }

  /** Stop hooks in reverse order; every one runs even when an earlier one failed. */
  async runStop(bus: Bus): Promise<Error[]> {
    const failures: Error[] = [];
    for (const { plugin, fn } of [...this.stops].reverse()) {
      try {
        await runLifecycle(plugin, 'onStop', () => fn(bus));
      } catch (error) {
        failures.push(error as Error);
      }
    }
    return failures;
  }
}

/** A check or monitor name: lowercase words, unique across plugins (it names the doctor line). */
function freeName(taken: Map<string, { plugin: string }>, plugin: string, what: string, name: string): string {
  if (!/^[a-z][a-z0-9.-]{0,31}$/.test(name)) {
    const rule = 'must be lowercase letters, digits, dots and hyphens';
    throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": ${what} "${name}" ${rule}`);
  }
  const holder = taken.get(name);
  if (holder) {
    const taken = `is already added by "${holder.plugin}"`;
    throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": ${what} "${name}" ${taken}`);
  }
  return name;
}

async function runChain(
  hooks: Registered<EnvelopeHook>[],
  envelope: Envelope,
  context: HookContext,
  hookName: string,
): Promise<ChainOutcome> {
  let current = envelope;
  for (const { plugin, fn } of hooks) {
    let result: HookResult;
    try {
      result = await fn(current, context);
    } catch (error) {
      throw new Cc2ccError(
        'HOOK_FAILED',
        `plugin "${plugin}" hook ${hookName} failed: ${describeError(error)}`,
        { plugin, hook: hookName },
        { cause: error },
      );
    }
    if (isDrop(result)) return { ...result, plugin };
    if (result && 'envelope' in result) current = result.envelope;
  }
  return { envelope: current };
}

async function runLifecycle(plugin: string, hook: string, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    throw new Cc2ccError(
      'HOOK_FAILED',
      `plugin "${plugin}" hook ${hook} failed: ${describeError(error)}`,
      { plugin, hook },
      { cause: error },
    );
  }
}
