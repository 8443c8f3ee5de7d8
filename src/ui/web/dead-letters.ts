import type { DeadLetterView } from '../protocol.js';
import { fill, h } from './dom.js';
import { clock, messageTime, oneLine } from './format.js';

const LIMIT = 2000;

/** Every dead letter of every inbox with its reason; Enter or a click opens one. */
export class DeadLetters {
  readonly element: HTMLElement;
  private readonly body = h('tbody', {});
  private readonly note = h('p', { class: 'hint' });

  constructor(private readonly open: (letter: DeadLetterView) => void) {
    const table = h(
      'table',
      { class: 'dead-letters', id: 'dead-letters' },
      h(
        'thead',
        {},
        h('tr', {}, ...['time', 'inbox', 'from → to', 'reason', 'id'].map((name) => h('th', { scope: 'col' }, name))),
      ),
      this.body,
    );
    this.element = h(
      'section',
      { class: 'dead-view', id: 'dead-view', 'aria-label': 'Dead letters', hidden: true },
      this.note,
      table,
    );
  }

  show(letters: DeadLetterView[]): void {
    const newest = letters.slice(-LIMIT).reverse();
    this.note.textContent =
      letters.length === 0
        ? 'No dead letters. A message lands here when it cannot be delivered: unreadable, ' +
          'expired, refused by a plugin, or too many attempts.'
        : `${letters.length.toLocaleString('en-US')} dead ` +
          `letter${letters.length === 1 ? '' : 's'}, newest ` +
          `first${letters.length > LIMIT ? ` (the newest ${LIMIT} shown)` : ''}. ` +
          "They stay in each inbox's dead/ folder.";
    fill(this.body, ...newest.map((letter) => this.row(letter)));
  }

  private row(letter: DeadLetterView): HTMLElement {
    const envelope = letter.envelope;
    const row = h(
      'tr',
      { tabindex: 0, 'data-id': letter.id, 'data-agent': letter.agent },
      h('td', {}, clock(messageTime(letter.id, envelope))),
      h('td', {}, letter.agent),
      h('td', {}, envelope ? `${envelope.from} → ${envelope.to}` : '(unreadable)'),
      h('td', { class: 'reason' }, oneLine(letter.reason, 300)),
      h('td', {}, h('code', {}, letter.id)),
    );
    row.addEventListener('click', () => this.open(letter));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.open(letter);
      if (event.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
      if (event.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
    });
    return row;
  }
}
