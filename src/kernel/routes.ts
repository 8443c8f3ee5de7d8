import { Cc2ccError, isCc2ccError } from './errors.js';
import { parseAddress } from './names.js';
import { targetMatches } from './patterns.js';
import type { Envelope, MessageKind } from './envelope.js';
import type { Directory, Recipient, Router } from './router.js';

/**
 * A per-project routing rule from the config: envelopes that match also go to, or go
 * instead to, other addresses. `{ match: { to: 'topic:ci.*' }, also: ['room:reviewers'] }`.
 */
export interface RouteRule {
  match: {
    /** Address pattern: `calm-owl`, `room:backend`, `room:*`, `topic:ci.*`, `*`. */
    to?: string;
    /** Sender glob: `ci-*`. */
    from?: string;
    kind?: MessageKind | MessageKind[];
  };
  also?: string[];
  replace?: string[];
}

/**
 * Whether a pattern's target covers an address's target in one scheme: the scheme's own
 * `matches` when its plugin gives one (`Extensions.targetMatches`), else the kernel's rule.
 */
export type TargetMatcher = (scheme: string, pattern: string, target: string) => boolean;

const kernelRule: TargetMatcher = (_scheme, pattern, target) => targetMatches(pattern, target);

/** Wraps a router with the config's rules; refuses looping rule sets when built. */
export class RoutingRouter implements Router {
  constructor(
    private readonly base: Router,
    private readonly rules: readonly RouteRule[],
    private readonly matcher: TargetMatcher = kernelRule,
  ) {
    assertRoutesDoNotLoop(rules, matcher);
  }

  resolve(envelope: Envelope, directory: Directory): Promise<Recipient[]> {
    return this.expand(envelope, directory, new Set([envelope.to]));
  }

  private async expand(envelope: Envelope, directory: Directory, visited: Set<string>): Promise<Recipient[]> {
    const matching = this.rules.filter((rule) => ruleMatches(rule, envelope, this.matcher));
    const replacing = matching.find((rule) => rule.replace);
    const found = new Map<string, Recipient>();
    const addAll = (recipients: Recipient[]) => {
      for (const recipient of recipients) if (!found.has(recipient.agent)) found.set(recipient.agent, recipient);
    };
    let nobody: unknown;
    if (replacing) {
      for (const target of replacing.replace!) addAll(await this.follow(envelope, target, directory, visited, true));
    } else {
      try {
        addAll(await this.base.resolve(envelope, directory));
      } catch (error) {
        // A topic nobody follows may still have `also` copies to make: fail only if they reach nobody too.
        if (!isCc2ccError(error, 'NO_RECIPIENTS') || !matching.some((rule) => rule.also)) throw error;
        nobody = error;
      }
    }
    for (const rule of matching) {
      for (const target of rule.also ?? []) addAll(await this.follow(envelope, target, directory, visited, false));
    }
    if (found.size === 0)
      throw (
        nobody ??
        new Cc2ccError('NO_RECIPIENTS', `${envelope.to} reaches nobody after the config's routes`, { to: envelope.to })
      );
    return [...found.values()];
  }

  /** Resolve one rule target; an extra (`also`) target that reaches nobody is skipped. */
  private async follow(
    envelope: Envelope,
    target: string,
    directory: Directory,
    visited: Set<string>,
    required: boolean,
  ): Promise<Recipient[]> {
    if (visited.has(target)) return [];
    visited.add(target);
    try {
      const routed = await this.expand({ ...envelope, to: target }, directory, visited);
      return routed.map((recipient) => ({ ...recipient, via: recipient.via ?? target }));
    } catch (error) {
      if (!required && isCc2ccError(error, 'NO_RECIPIENTS')) return [];
      throw error;
    }
  }
}

/** Every address a rule sends to, for checks at load. */
export function routeTargets(rule: RouteRule): string[] {
  return [...(rule.also ?? []), ...(rule.replace ?? [])];
}

function ruleMatches(rule: RouteRule, envelope: Envelope, matcher: TargetMatcher): boolean {
  const address = rule.match.to;
  if (address !== undefined && !addressMatches(address, envelope.to, matcher)) return false;
  if (rule.match.from !== undefined && !globMatches(rule.match.from, envelope.from)) return false;
  if (rule.match.kind !== undefined) {
    const kinds = Array.isArray(rule.match.kind) ? rule.match.kind : [rule.match.kind];
    if (!kinds.includes(envelope.kind)) return false;
  }
  return true;
}

/** A name or `*` matches itself; `scheme:` patterns match targets of their scheme as `matcher` says. */
export function addressMatches(pattern: string, address: string, matcher: TargetMatcher = kernelRule): boolean {
  if (pattern === address) return true;
  const wanted = parseAddress(pattern);
  const actual = parseAddress(address);
  if (wanted.kind !== 'scheme' || actual.kind !== 'scheme' || wanted.scheme !== actual.scheme) return false;
  return matcher(wanted.scheme, wanted.target, actual.target);
}

function globMatches(pattern: string, value: string): boolean {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(value);
}

/** Rule A leads to rule B when one of A's targets matches B's address condition. */
export function assertRoutesDoNotLoop(rules: readonly RouteRule[], matcher: TargetMatcher = kernelRule): void {
  const label = (index: number) => `route #${index + 1} (${rules[index]!.match.to ?? 'any address'})`;
  const edges = rules.map((rule) =>
    rules.flatMap((other, index) => {
      const condition = other.match.to;
      return condition !== undefined && routeTargets(rule).some((target) => addressMatches(condition, target, matcher))
        ? [index]
        : [];
    }),
  );
  const state = new Array<'new' | 'open' | 'done'>(rules.length).fill('new');
  const path: number[] = [];
  const visit = (index: number): void => {
    state[index] = 'open';
    path.push(index);
    for (const next of edges[index]!) {
      if (state[next] === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), next].map(label).join(' → ');
        throw new Cc2ccError(
          'INVALID_CONFIG',
          `routes loop: ${cycle}; a message would be routed forever. Remove one of these rules or narrow its match`,
          {
            cycle: path.slice(path.indexOf(next)),
          },
        );
      }
      if (state[next] === 'new') visit(next);
    }
    path.pop();
    state[index] = 'done';
  };
  for (let index = 0; index < rules.length; index++) if (state[index] === 'new') visit(index);
}
