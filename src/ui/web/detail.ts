import type { CutFields, DeadLetterView, DeliveryState, StateStep, WireEnvelope } from '../protocol.js';
import { fill, h } from './dom.js';
import { clockMs, currentState, messageTime, oneLine } from './format.js';
import type { Row, Store } from './store.js';

export type Subject = { row: Row } | { dead: DeadLetterView };

export interface DetailEvents {
  close(): void;
  /** Jump to a related message (the request of a reply, a reply of a request). */
  open(id: string): void;
}

const STATES: DeliveryState[] = ['queued', 'claimed', 'pushed', 'seen', 'done', 'dead'];

/** The side panel: one message's envelope and where each copy of it went, step by step. */
export class Detail {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'detail-body' });
  private subject: Subject | undefined;
  private shownVersion = -1;

  constructor(
    private readonly store: Store,
    private readonly events: DetailEvents,
  ) {
    const close = h(
      'button',
      { type: 'button', class: 'close', 'aria-label': 'Close (Escape)', title: 'Close (Escape)' },
      '×',
    );
    close.addEventListener('click', () => this.events.close());
    this.element = h(
      'aside',
      { class: 'detail', id: 'detail', 'aria-label': 'Message details', hidden: true },
      close,
      this.body,
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.events.close();
      }
    });
  }

  get open(): boolean {
    return this.subject !== undefined;
  }

  /** The id shown, when it is a message of the timeline. */
  get rowId(): string | undefined {
    return this.subject && 'row' in this.subject ? this.subject.row.id : undefined;
  }

  show(subject: Subject): void {
    this.subject = subject;
    this.element.hidden = false;
    this.render();
  }

  hide(): void {
    this.subject = undefined;
    this.element.hidden = true;
    this.body.replaceChildren();
  }

  /** Draw again when the message shown changed (a copy moved on). */
  refresh(): void {
    if (this.subject && 'row' in this.subject && this.subject.row.version !== this.shownVersion) this.render();
  }

  private render(): void {
    const subject = this.subject;
    if (!subject) return;
    if ('dead' in subject) {
      const letter = subject.dead;
      fill(
        this.body,
        title(letter.envelope, letter.id),
        h('section', {}, h('h3', {}, 'Dead letter'), h('p', { class: 'reason' }, `${letter.agent}: ${letter.reason}`)),
        envelopeSection(letter.envelope),
      );
      return;
    }
    const row = subject.row;
    this.shownVersion = row.version;
    fill(
      this.body,
      title(row.envelope, row.id),
      fields(row),
      this.related(row),
      deliveries(row),
      envelopeSection(row.envelope, row.cut),
    );
  }

  private related(row: Row): HTMLElement | undefined {
    const links: HTMLElement[] = [];
    const correlation = row.envelope?.correlationId;
    if (correlation !== undefined) {
      const answered = this.store.get(correlation);
      links.push(
        h(
          'li',
          {},
          'answers ',
          answered ? this.jump(answered) : h('code', {}, `${correlation} (not seen since the UI started)`),
        ),
      );
    }
    for (const reply of this.store.repliesTo(row.id))
      links.push(h('li', {}, `${reply.envelope?.kind ?? 'reply'}: `, this.jump(reply)));
    if (links.length === 0) return undefined;
    return h('section', {}, h('h3', {}, 'Request and reply'), h('ul', { class: 'related-links' }, ...links));
  }

  private jump(row: Row): HTMLButtonElement {
    const envelope = row.envelope;
    const text = envelope ? `${envelope.from} → ${envelope.to}: ${oneLine(envelope.text, 60)}` : row.id;
    const button = h('button', { type: 'button', class: 'jump' }, text);
    button.addEventListener('click', () => this.events.open(row.id));
    return button;
  }
}

function title(envelope: WireEnvelope | undefined, id: string): HTMLElement {
  if (!envelope) return h('h2', { id: 'detail-title' }, 'Unreadable file ', h('code', {}, id));
  return h(
    'h2',
    { id: 'detail-title' },
    h('span', { class: `chip chip-${envelope.kind}` }, envelope.kind),
    ` ${envelope.from} → ${envelope.to}`,
  );
}

function fields(row: Row): HTMLElement {
  const envelope = row.envelope;
  const pairs: Array<[string, string | undefined]> = [
    ['id', row.id],
    ['sent', clockMs(messageTime(row.id, envelope))],
    ['reply to', envelope?.replyTo],
    ['expires', envelope?.expiresAt],
    ...Object.entries(envelope?.meta ?? {}).map(([key, value]): [string, string] => [`meta.${key}`, value]),
  ];
  return h(
    'dl',
    { class: 'fields' },
    ...pairs
      .filter(([, value]) => value !== undefined)
      .flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, value!)]),
  );
}

/**
 * One line per recipient: where its copy is now (as `cc2cc status` says), then one column per
 * state: when the copy got there.
 */
function deliveries(row: Row): HTMLElement {
  const table = h(
    'table',
    { class: 'states' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'recipient'),
        h('th', { scope: 'col' }, 'now'),
        ...STATES.map((state) => h('th', { scope: 'col' }, state)),
      ),
    ),
  );
  const body = h('tbody', {});
  for (const [agent, steps] of [...row.deliveries].sort(([a], [b]) => a.localeCompare(b))) {
    const now = currentState(steps) ?? 'queued';
    const via = now === 'seen' ? steps.find((step) => step.state === 'seen')?.via : undefined;
    const state = h('td', { class: 'now', 'data-state': now, 'data-agent': agent }, via ? `${now} (${via})` : now);
    body.append(h('tr', {}, h('th', { scope: 'row' }, agent), state, ...STATES.map((each) => stateCell(steps, each))));
    const reason = steps.find((step) => step.reason)?.reason;
    if (reason)
      body.append(
        h('tr', { class: 'reason-row' }, h('td', { colspan: STATES.length + 2, class: 'reason' }, `dead: ${reason}`)),
      );
  }
  table.append(body);
  return h(
    'section',
    {},
    h('h3', {}, 'States'),
    table,
    h(
      'p',
      { class: 'hint' },
      'claimed: the receiver took it; pushed: a channel push carried it, not confirmed; seen: the ' +
        'model has it (a hook, check_inbox, reply, or the transcript); done: acknowledged. Pushed ' +
        'and seen come from the ledgers on this machine. – : not seen, the copy moved on before the UI looked.',
    ),
  );
}

function stateCell(steps: StateStep[], state: DeliveryState): HTMLElement {
  const step = [...steps].reverse().find((each) => each.state === state);
  return h('td', { class: step ? `state-${state}` : 'absent' }, step ? clockMs(step.at) : '–');
}

function envelopeSection(envelope: WireEnvelope | undefined, cut?: CutFields): HTMLElement {
  return h(
    'section',
    {},
    h('h3', {}, 'Envelope'),
    cut && h('p', { class: 'hint cut-note' }, cutNote(cut)),
    envelope
      ? h('pre', { class: 'envelope' }, JSON.stringify(envelope, null, 2))
      : h('p', { class: 'hint' }, 'The file could not be read as an envelope.'),
  );
}

/** The UI keeps a preview of a large envelope: say what is missing, so nobody takes it for the whole. */
function cutNote(cut: CutFields): string {
  const parts = [
    cut.text !== undefined && `text cut (it has ${cut.text.toLocaleString('en')} characters)`,
    cut.data !== undefined && `data left out (${cut.data.toLocaleString('en')} bytes)`,
    cut.meta !== undefined && `${cut.meta} long meta value${cut.meta === 1 ? '' : 's'} cut`,
  ].filter((part): part is string => typeof part === 'string');
  return `A preview: ${parts.join('; ')}. The inbox file holds the whole message.`;
}
