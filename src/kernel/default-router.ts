import { inject, injectable } from './di.js';
import { Cc2ccError } from './errors.js';
import { assertAgentName, parseAddress, type AgentName } from './names.js';
import { CONFIG, HOOKS } from './tokens.js';
import type { Envelope } from './envelope.js';
import type { Extensions } from './extensions.js';
import type { KernelConfig } from './options.js';
import type { Directory, Recipient, Router } from './router.js';

/** Agent names and `*` itself; every other `scheme:` goes to the plugin that added it. */
@injectable()
export class DefaultRouter implements Router {
  constructor(
    @inject(HOOKS) private readonly extensions: Extensions,
    @inject(CONFIG) private readonly config: KernelConfig,
  ) {}

  async resolve(envelope: Envelope, directory: Directory): Promise<Recipient[]> {
    const address = parseAddress(envelope.to);
    if (address.kind === 'agent') return [{ agent: await this.knownAgent(address.name, directory) }];
    if (address.kind === 'all') {
      const everyone = (await directory.agents()).map((agent) => agent.name).filter((name) => name !== envelope.from);
      if (everyone.length === 0)
        throw new Cc2ccError('NO_RECIPIENTS', 'nobody else is known in this project, so "*" reaches nobody');
      return everyone.map((agent) => ({ agent, via: '*' }));
    }
    const handler = this.extensions.schemes.get(address.scheme);
    if (!handler) {
      const known = [...this.extensions.schemes.keys()].map((scheme) => `${scheme}:`);
      throw new Cc2ccError(
        'UNKNOWN_SCHEME',
        `no enabled plugin handles "${address.scheme}:" addresses; ` +
          `${known.length > 0 ? `handled schemes: ${known.join(', ')}` : 'no plugin adds schemes yet'} ` +
          '(enable e.g. the "rooms" or "topics" plugin)',
        { scheme: address.scheme },
      );
    }
    const names = await handler.handler.resolve(address.target, { envelope, directory });
    const unique = [...new Set(names.map((name) => assertAgentName(name, `recipient from "${address.scheme}:"`)))];
    const others = unique.filter((agent) => agent !== envelope.from);
    if (others.length === 0) {
      throw new Cc2ccError('NO_RECIPIENTS', `${envelope.to} reaches nobody but the sender; nothing was sent`, {
        to: envelope.to,
      });
    }
    return others.map((agent) => ({ agent, via: envelope.to }));
  }

  private async knownAgent(name: AgentName, directory: Directory): Promise<AgentName> {
    if (this.config.allowUnknownRecipients) return name;
    const known = (await directory.agents()).map((agent) => agent.name);
    if (known.includes(name)) return name;
    throw new Cc2ccError(
      'UNKNOWN_RECIPIENT',
      `unknown recipient "${name}"; known agents: ` +
        `${known.length > 0 ? known.join(', ') : '(none yet)'}. Add it to "agents" in the config, ` +
        `or set allowUnknownRecipients`,
      { name, known },
    );
  }
}
