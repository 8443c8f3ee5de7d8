import type { AgentView, SchemeView, Snapshot } from '../protocol.js';
import { fill, h } from './dom.js';
import { clock } from './format.js';

export interface SidebarEvents {
  pickAgent(name: string): void;
  /** A group address: `room:backend`, `topic:ci.*`. */
  pickAddress(address: string): void;
}

/**
 * Agents with their state and inbox counts; the groups of each address scheme its plugin
 * lists (rooms with members, topics with subscribers); file claims with holders.
 */
export class Sidebar {
  readonly element: HTMLElement;
  private readonly agents = h('ul', { class: 'agents', id: 'agents' });
  private readonly schemes = h('div', { class: 'schemes', id: 'schemes' });
  private readonly claims = h('ul', { class: 'claims', id: 'claims' });

  constructor(private readonly events: SidebarEvents) {
    this.element = h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Agents, group addresses and file claims' },
      h('h2', {}, 'Agents'),
      this.agents,
      this.schemes,
      h('h2', {}, 'File claims'),
      this.claims,
    );
  }

  update(snapshot: Snapshot, idleAfterMs: number): void {
    fill(this.agents, ...snapshot.agents.map((agent) => this.agentItem(agent, idleAfterMs)));
    if (snapshot.agents.length === 0) fill(this.agents, h('li', { class: 'none' }, 'no agents yet'));
    fill(this.schemes, ...snapshot.schemes.flatMap((scheme) => this.schemeSection(scheme)));
    const claims = snapshot.claims ?? [];
    fill(
      this.claims,
      ...claims.map((claim) =>
        h(
          'li',
          {
            title:
              `${claim.exclusive ? 'exclusive' : 'shared'}${claim.reason ? `: ${claim.reason}` : ''}; ` +
              `until ${clock(claim.expiresAt)} unless renewed`,
          },
          h('span', { class: 'paths' }, claim.paths.join(', ')),
          ' ',
          members([`${claim.holder}${claim.exclusive ? '' : ' (shared)'}`]),
        ),
      ),
    );
    if (claims.length === 0) fill(this.claims, h('li', { class: 'none' }, 'no file claims'));
  }

  /** One scheme's heading (`room:`) and its groups, as the plugin listed them. */
  private schemeSection(scheme: SchemeView): HTMLElement[] {
    const items = scheme.groups.map((group) => {
      const address = `${scheme.scheme}:${group.target}`;
      return h(
        'li',
        {},
        this.pick(address, `Show messages to ${address}`, () => this.events.pickAddress(address)),
        members(group.agents),
      );
    });
    if (items.length === 0) items.push(h('li', { class: 'none' }, `no ${scheme.scheme}: groups yet`));
    return [
      h('h2', {}, `${scheme.scheme}:`),
      h('ul', { class: 'groups', id: `scheme-${scheme.scheme}`, 'data-scheme': scheme.scheme }, ...items),
    ];
  }

  private agentItem(agent: AgentView, idleAfterMs: number): HTMLElement {
    const counts = agent.counts;
    const detail = [
      agent.state === 'idle' && `no traffic for ${Math.round(idleAfterMs / 60_000)} min`,
      agent.detail,
      agent.lastActivity && `last traffic ${clock(agent.lastActivity)}`,
    ]
      .filter(Boolean)
      .join('; ');
    return h(
      'li',
      { class: `agent state-${agent.state}`, 'data-agent': agent.name },
      this.pick(
        agent.name,
        `Show ${agent.name}'s messages`,
        () => this.events.pickAgent(agent.name),
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
      ),
      h('span', { class: 'state', title: detail }, agent.state),
      agent.push &&
        h(
          'span',
          {
            class: `push push-${agent.push.replace(/[^a-z]+/g, '-')}`,
            title: 'whether channel pushes reach its client',
          },
          `push ${agent.push}`,
        ),
      counts &&
        h(
          'span',
          { class: 'counts', title: 'messages in its inbox: queued, claimed, done, dead' },
          counts.queued > 0 && h('span', { class: 'count-queued' }, `${counts.queued} queued`),
          counts.dead > 0 && h('span', { class: 'count-dead' }, `${counts.dead} dead`),
        ),
    );
  }

  private pick(text: string, title: string, onPick: () => void, before?: Node): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'pick', title }, before, text);
    button.addEventListener('click', onPick);
    return button;
  }
}

function members(names: string[]): HTMLElement {
  return h('span', { class: 'members' }, names.join(', '));
}
