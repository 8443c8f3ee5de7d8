import { Cc2ccError, describeError } from './errors.js';
import { isDrop, type EnvelopeHook, type HookContext, type HookOrder, type Drop } from './hooks.js';
import type { Envelope } from './envelope.js';
import type { SchemeResolver } from './router.js';
import type { CommandDefinition, ToolDefinition } from './tool.js';
import type { Bus } from './bus.js';

interface Registered<T> {
  plugin: string;
  order: HookOrder;
  fn: T;
}

export type ChainOutcome = { envelope: Envelope } | (Drop & { plugin: string });

type Lifecycle = (bus: Bus) => void | Promise<void>;

const ORDER_RANK: Record<HookOrder, number> = { pre: 0, normal: 1, post: 2 };

/**
 * Everything plugins contributed, and the runner for it. The runner, not the plugin,
 * names the plugin and hook when one fails.
 */
export class Extensions {
  private readonly outbound: Registered<EnvelopeHook>[] = [];
  private readonly inbound: Registered<EnvelopeHook>[] = [];
  private readonly starts: Registered<Lifecycle>[] = [];
  private readonly stops: Registered<Lifecycle>[] = [];
  readonly schemes = new Map<string, { plugin: string; resolve: SchemeResolver }>();
  readonly tools = new Map<string, { plugin: string; tool: ToolDefinition<any> }>();
  readonly commands = new Map<string, { plugin: string; command: CommandDefinition }>();

  addOutbound(plugin: string, fn: EnvelopeHook, order: HookOrder = 'normal'): void {
    insertByOrder(this.outbound, { plugin, fn, order });
  }

  addInbound(plugin: string, fn: EnvelopeHook, order: HookOrder = 'normal'): void {
    insertByOrder(this.inbound, { plugin, fn, order });
  }

  addStart(plugin: string, fn: Lifecycle): void {
    this.starts.push({ plugin, fn, order: 'normal' });
  }

  addStop(plugin: string, fn: Lifecycle): void {
    this.stops.push({ plugin, fn, order: 'normal' });
  }

  addScheme(plugin: string, scheme: string, resolve: SchemeResolver): void {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(scheme)) {
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": scheme "${scheme}" must be lowercase letters, digits and hyphens`);
    }
    const taken = this.schemes.get(scheme);
    if (taken) {
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": scheme "${scheme}:" is already handled by plugin "${taken.plugin}"`);
    }
    this.schemes.set(scheme, { plugin, resolve });
  }

  addTool(plugin: string, tool: ToolDefinition<any>): void {
    const taken = this.tools.get(tool.name);
    if (taken) {
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": tool "${tool.name}" is already added by "${taken.plugin}"`);
    }
    this.tools.set(tool.name, { plugin, tool });
  }

  addCommand(plugin: string, command: CommandDefinition): void {
    const taken = this.commands.get(command.name);
    if (taken) {
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": command "${command.name}" is already added by "${taken.plugin}"`);
    }
    this.commands.set(command.name, { plugin, command });
  }

  /** Outbound hooks in registration order. */
  runOutbound(envelope: Envelope, context: HookContext): Promise<ChainOutcome> {
    return runChain(this.outbound, envelope, context, 'onSend');
  }

  /** Inbound hooks in reverse registration order, so the first plugin sees the message last. */
  runInbound(envelope: Envelope, context: HookContext): Promise<ChainOutcome> {
    return runChain([...this.inbound].reverse(), envelope, context, 'onReceive');
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

function insertByOrder<T>(list: Registered<T>[], entry: Registered<T>): void {
  // Stable: after every entry of the same or an earlier tier.
  const index = list.findIndex((other) => ORDER_RANK[other.order] > ORDER_RANK[entry.order]);
  if (index === -1) list.push(entry);
  else list.splice(index, 0, entry);
}

async function runChain(
  hooks: Registered<EnvelopeHook>[],
  envelope: Envelope,
  context: HookContext,
  hookName: string,
): Promise<ChainOutcome> {
  let current = envelope;
  for (const { plugin, fn } of hooks) {
    let result;
    try {
      result = await fn(current, context);
    } catch (error) {
      throw new Cc2ccError('HOOK_FAILED', `plugin "${plugin}" hook ${hookName} failed: ${describeError(error)}`, { plugin, hook: hookName }, { cause: error });
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
    throw new Cc2ccError('HOOK_FAILED', `plugin "${plugin}" hook ${hook} failed: ${describeError(error)}`, { plugin, hook }, { cause: error });
  }
}
