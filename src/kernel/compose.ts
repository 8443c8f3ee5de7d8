import type { DependencyContainer } from 'tsyringe';
import { container as rootContainer } from './di.js';
import { Bus } from './bus.js';
import { DefaultRouter } from './default-router.js';
import { RoutingRouter, routeTargets, type RouteRule } from './routes.js';
import { parseAddress } from './names.js';
import { Cc2ccError, describeError } from './errors.js';
import { Extensions } from './extensions.js';
import { systemClock, type Clock } from './clock.js';
import { createStderrLogger, type Logger } from './logger.js';
import { BUS, CLOCK, CONFIG, HOOKS, LOGGER, ROUTER, SERVICES, SINK, STATE, TRANSPORT } from './tokens.js';
import { optionalService, ServiceProviders } from './services.js';
import { processLocalState } from './process-local-state.js';
import type { KernelConfig } from './options.js';
import type { Plugin, PluginContext } from './plugin.js';
import type { Router } from './router.js';
import type { Sink } from './sink.js';
import type { Transport } from './transport.js';
import type { State } from './state.js';
import type { ToolDefinition } from './tool.js';

export interface ComposeOptions {
  config: KernelConfig;
  transport: Transport;
  /** Where received messages go. Required only for an agent that attaches. */
  sink?: Sink;
  plugins?: readonly Plugin[];
  router?: Router;
  clock?: Clock;
  logger?: Logger;
  /** Last word on any registration, for tests. */
  overrides?: (container: DependencyContainer) => void;
}

export interface Cc2cc {
  readonly bus: Bus;
  readonly container: DependencyContainer;
  readonly extensions: Extensions;
  /** Enabled plugin names in load order. */
  readonly plugins: readonly string[];
  /** Closes the bus (inbox, presence, plugin stop hooks), then the transport. */
  close(): Promise<void>;
}

/** The one composition root: every service is registered here, by token. */
export async function compose(options: ComposeOptions): Promise<Cc2cc> {
  const container = rootContainer.createChildContainer();
  const logger = options.logger ?? createStderrLogger();
  const clock = options.clock ?? systemClock;
  const extensions = new Extensions();

  container.register(CONFIG, { useValue: options.config });
  container.register(CLOCK, { useValue: clock });
  container.register(LOGGER, { useValue: logger });
  container.register(HOOKS, { useValue: extensions });
  container.register(TRANSPORT, { useValue: options.transport });
  const state = options.transport.busState ?? processLocalState(options.transport.kind, logger);
  container.register(STATE, { useValue: state });
  container.register(SINK, { useValue: options.sink ?? missingSink });
  const routes = options.config.routes ?? [];
  if (options.router) container.register(ROUTER, { useValue: options.router });
  else if (routes.length > 0) {
    // Built when the Bus is, after the plugins' setup: the rules match with the schemes' own `matches`.
    const matcher = (scheme: string, pattern: string, target: string) =>
      extensions.targetMatches(scheme, pattern, target);
    container.register(ROUTER, {
      useFactory: (scope) => new RoutingRouter(scope.resolve(DefaultRouter), routes, matcher),
    });
  } else container.register(ROUTER, { useClass: DefaultRouter });
  container.register(SERVICES, { useValue: { get: (token: symbol) => optionalService(container, token) } });
  container.registerSingleton(BUS, Bus);
  options.overrides?.(container);

  const plugins = orderPlugins(options.plugins ?? []);
  const names = plugins.map((plugin) => plugin.name);
  checkDependencies(plugins, names);
  const providers = new ServiceProviders(container);
  for (const plugin of plugins) {
    await setupPlugin(plugin, {
      container,
      extensions,
      config: options.config,
      logger,
      clock,
      names,
      state: container.resolve<State>(STATE),
      providers,
    });
  }

  checkRouteTargets(routes, extensions);

  const bus = container.resolve<Bus>(BUS);
  let closed = false;
  return {
    bus,
    container,
    extensions,
    plugins: names,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await bus.close();
      } finally {
        await options.transport.close();
      }
    },
  };
}

const missingSink: Sink = {
  name: 'none',
  deliver() {
    return Promise.reject(
      new Cc2ccError('BAD_INPUT', 'no sink is configured: pass one to compose() before attaching an agent'),
    );
  },
};

/** `enforce: 'pre'` plugins first, then unmarked, then `'post'`; config order within each. */
function orderPlugins(plugins: readonly Plugin[]): Plugin[] {
  for (const [index, plugin] of plugins.entries()) {
    if (
      typeof plugin !== 'object' ||
      plugin === null ||
      typeof plugin.name !== 'string' ||
      plugin.name === '' ||
      typeof plugin.setup !== 'function'
    ) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin #${index + 1} must be an object with a non-empty "name" and a "setup(ctx)" function`,
      );
    }
  }
  const seen = new Set<string>();
  for (const plugin of plugins) {
    if (seen.has(plugin.name))
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin.name}" is enabled twice; enable each plugin once`);
    seen.add(plugin.name);
  }
  const tier = (plugin: Plugin) => (plugin.enforce === 'pre' ? 0 : plugin.enforce === 'post' ? 2 : 1);
  return [...plugins].sort((a, b) => tier(a) - tier(b));
}

function checkDependencies(plugins: readonly Plugin[], names: readonly string[]): void {
  for (const plugin of plugins) {
    const missing = (plugin.dependencies ?? []).filter((name) => !names.includes(name));
    if (missing.length > 0) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin.name}" needs ` +
          `${missing.map((name) => `"${name}"`).join(', ')}; ` +
          `add ${missing.length > 1 ? 'them' : 'it'} to "plugins" in the config`,
        { plugin: plugin.name, missing },
      );
    }
  }
}

/** A route to `room:x` needs the plugin that handles `room:`; say so at load, not at send. */
function checkRouteTargets(routes: readonly RouteRule[], extensions: Extensions): void {
  for (const [index, rule] of routes.entries()) {
    for (const target of routeTargets(rule)) {
      const address = parseAddress(target);
      if (address.kind === 'scheme' && !extensions.schemes.has(address.scheme)) {
        throw new Cc2ccError(
          'INVALID_CONFIG',
          `routes.${index}: "${target}" needs a plugin that handles "${address.scheme}:" ` +
            `addresses; enable it in "plugins"`,
          {
            route: index,
            target,
          },
        );
      }
    }
  }
}

interface SetupScope {
  container: DependencyContainer;
  extensions: Extensions;
  config: KernelConfig;
  logger: Logger;
  clock: Clock;
  names: readonly string[];
  state: State;
  providers: ServiceProviders;
}

async function setupPlugin(plugin: Plugin, scope: SetupScope): Promise<void> {
  const { extensions, name } = { extensions: scope.extensions, name: plugin.name };
  const own = scope.container.createChildContainer();
  const context: PluginContext = {
    config: scope.config,
    logger: scope.logger,
    clock: scope.clock,
    state: scope.state,
    container: own,
    plugins: scope.names,
    addScheme: (scheme, resolver) => extensions.addScheme(name, scheme, resolver),
    onSend: (hook, options) => extensions.addOutbound(name, hook, options?.order),
    onReceive: (hook, options) => extensions.addInbound(name, hook, options?.order),
    onRouted: (hook, options) => extensions.addRouted(name, hook, options?.order),
    addTool: (tool) => extensions.addTool(name, tool as ToolDefinition),
    addCommand: (command) => extensions.addCommand(name, command),
    onStart: (hook) => extensions.addStart(name, hook),
    onStop: (hook) => extensions.addStop(name, hook),
    addCapability: (capability, value) => extensions.addCapability(name, capability, value),
    onClientNotification: (method, handler) => extensions.addClientNotification(name, method, handler),
    addCheck: (check, run) => extensions.addCheck(name, check, run),
    addMonitor: (monitor, start) => extensions.addMonitor(name, monitor, start),
    provide: (token, value) => scope.providers.provide(name, own, token, value),
    service: (token) => optionalService(scope.container, token),
  };
  try {
    await plugin.setup(context);
  } catch (error) {
    if (error instanceof Cc2ccError && error.code === 'PLUGIN_INVALID') throw error;
    throw new Cc2ccError(
      'PLUGIN_INVALID',
      `plugin "${name}" setup failed: ${describeError(error)}`,
      { plugin: name },
      { cause: error },
    );
  }
}
