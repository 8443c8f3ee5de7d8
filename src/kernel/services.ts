import type { DependencyContainer } from 'tsyringe';
import { Cc2ccError } from './errors.js';

/**
 * Services are found one way: through the tsyringe container that compose() builds. A
 * plugin registers a service in its own child container; the root container gets a
 * factory that resolves it there, so the kernel, the CLI and other plugins resolve it by
 * token like any other registration (and a test can override it the same way).
 */
export function optionalService<T>(container: DependencyContainer, token: symbol): T | undefined {
  return container.isRegistered(token, true) ? container.resolve<T>(token) : undefined;
}

/** What the Bus uses to find an optional service (request-reply's REQUESTS) without holding the container. */
export interface ServiceLookup {
  get<T>(token: symbol): T | undefined;
}

/** Who provided each plugin service, so a second provider is refused with both names. */
export class ServiceProviders {
  private readonly byToken = new Map<symbol, string>();

  constructor(private readonly root: DependencyContainer) {}

  provide(plugin: string, own: DependencyContainer, token: symbol, value: unknown): void {
    const taken = this.byToken.get(token);
    if (taken) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": service ${token.description} is already provided by "${taken}"`,
      );
    }
    this.byToken.set(token, plugin);
    own.register(token, { useValue: value });
    this.root.register(token, { useFactory: () => own.resolve(token) });
  }
}
