import { MESSAGE_KINDS } from '../../kernel/message-kinds.js';
import { h } from './dom.js';
import { NO_FILTERS, isFiltering, type Filters } from './filters.js';

/** Choices the selects offer; the current value stays offered even when it is gone. */
export interface FilterChoices {
  agents: string[];
  /** Group addresses: the ones the plugins list and the ones messages went to. */
  addresses: string[];
}

/** Filters by agent, group address (room, topic, ...) and kind, and a text search. */
export class FilterBar {
  readonly element: HTMLElement;
  private filters: Filters = NO_FILTERS;
  private readonly agent = select('filter-agent', 'Agent', 'all agents');
  private readonly address = select('filter-address', 'Address', 'all addresses');
  private readonly kind = select('filter-kind', 'Kind', 'all kinds');
  private readonly text = h('input', {
    id: 'filter-text',
    type: 'search',
    placeholder: 'search text, id, reason',
    'aria-label': 'Search',
  });
  private readonly clear = h('button', { type: 'button', class: 'clear', disabled: true }, 'Clear');
  private readonly shown = new Map<HTMLSelectElement, string>();

  constructor(private readonly onChange: (filters: Filters) => void) {
    setOptions(this.kind.control, [...MESSAGE_KINDS], 'all kinds');
    this.element = h(
      'div',
      { class: 'filters', role: 'search', 'aria-label': 'Filter messages' },
      this.agent.label,
      this.address.label,
      this.kind.label,
      this.text,
      this.clear,
    );
    for (const control of [this.agent.control, this.address.control, this.kind.control])
      control.addEventListener('change', () => this.read());
    this.text.addEventListener('input', () => this.read());
    this.clear.addEventListener('click', () => this.set(NO_FILTERS));
  }

  current(): Filters {
    return this.filters;
  }

  /** Set some filters from elsewhere (a click in the sidebar); a second click on the same one clears it. */
  toggle(change: Partial<Filters>): void {
    const same = Object.entries(change).every(([key, value]) => this.filters[key as keyof Filters] === value);
    this.set({ ...this.filters, ...(same ? Object.fromEntries(Object.keys(change).map((key) => [key, ''])) : change) });
  }

  choices(choices: FilterChoices): void {
    this.offer(this.agent.control, choices.agents, 'all agents', this.filters.agent);
    this.offer(this.address.control, choices.addresses, 'all addresses', this.filters.address);
  }

  private set(filters: Filters): void {
    choose(this.agent.control, filters.agent);
    choose(this.address.control, filters.address);
    choose(this.kind.control, filters.kind);
    this.text.value = filters.text;
    this.read();
  }

  private read(): void {
    this.filters = {
      agent: this.agent.control.value,
      address: this.address.control.value,
      kind: this.kind.control.value as Filters['kind'],
      text: this.text.value.trim(),
    };
    this.clear.disabled = !isFiltering(this.filters);
    this.onChange(this.filters);
  }

  private offer(control: HTMLSelectElement, values: string[], all: string, current: string): void {
    const list = current && !values.includes(current) ? [...values, current].sort() : values;
    const key = list.join('\n');
    if (this.shown.get(control) === key) return;
    this.shown.set(control, key);
    setOptions(control, list, all);
    control.value = current;
  }
}

function select(id: string, text: string, all: string): { label: HTMLLabelElement; control: HTMLSelectElement } {
  const control = h('select', { id });
  control.append(h('option', { value: '' }, all));
  // The first option names the filter ("all agents"), so the label text is for screen readers only.
  return { label: h('label', { for: id }, h('span', { class: 'visually-hidden' }, text), control), control };
}

function setOptions(control: HTMLSelectElement, values: string[], all: string): void {
  control.replaceChildren(h('option', { value: '' }, all), ...values.map((value) => h('option', { value }, value)));
}

/** Select `value`, adding it first when the list does not have it yet. */
function choose(control: HTMLSelectElement, value: string): void {
  if (value && ![...control.options].some((option) => option.value === value))
    control.append(h('option', { value }, value));
  control.value = value;
}
