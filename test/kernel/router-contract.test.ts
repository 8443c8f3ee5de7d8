import 'reflect-metadata';
import { runRouterContract } from '../../src/testing/router-contract.js';
import { DefaultRouter } from '../../src/kernel/default-router.js';
import { Extensions } from '../../src/kernel/extensions.js';
import { RoutingRouter } from '../../src/kernel/routes.js';
import type { SchemeResolver } from '../../src/kernel/router.js';
import { kernelConfig } from './helpers.js';

function defaultRouter(schemes: Record<string, SchemeResolver>): DefaultRouter {
  const extensions = new Extensions();
  for (const [scheme, resolve] of Object.entries(schemes)) extensions.addScheme('contract', scheme, resolve);
  return new DefaultRouter(extensions, kernelConfig());
}

runRouterContract({ name: 'DefaultRouter', create: defaultRouter });

runRouterContract({
  name: 'RoutingRouter, no rules',
  create: (schemes) => new RoutingRouter(defaultRouter(schemes), []),
});

// Rules that match none of the contract's envelopes (sender brave-fox) leave the base router's answers as they are.
runRouterContract({
  name: 'RoutingRouter, rules that do not match',
  create: (schemes) =>
    new RoutingRouter(defaultRouter(schemes), [
      { match: { from: 'ci-*' }, also: ['quiet-owl'] },
      { match: { kind: 'event' }, replace: ['calm-owl'] },
    ]),
});
