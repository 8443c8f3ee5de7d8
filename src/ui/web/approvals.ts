import type { ApprovalView, ApprovalsResponse, ErrorBody } from '../protocol.js';
import { fill, h } from './dom.js';
import { clock } from './format.js';

/** How often the page asks for the requests: a person answers within seconds, not milliseconds. */
const POLL_MS = 1000;

/**
 * The approval inbox at the top of the page (approvals plugin): every agent's pending
 * permission requests, oldest first, with Allow / Deny (or `y` / `n` on the selected one,
 * when the page may answer), and the history of answered and expired ones.
 */
export class ApprovalInbox {
  readonly element = h('section', {
    class: 'approvals',
    id: 'approvals',
    'aria-label': 'Permission requests',
    hidden: true,
  });
  private readonly list = h('ul', {
    class: 'approval-list',
    role: 'listbox',
    'aria-label': 'Pending permission requests',
  });
  private readonly note = h('p', { class: 'approval-note', 'aria-live': 'polite' });
  private readonly history = h('ol', { class: 'approval-history' });
  private readonly historySummary = h('summary', {}, 'History');
  private pending: ApprovalView[] = [];
  private canAnswer = false;
  private selected: string | undefined;
  private readonly seen = new Set<string>();
  private started = false;
  private fresh = 0;

  constructor(private readonly changed: () => void) {
    this.element.append(
      h('h2', {}, 'Permission requests'),
      this.list,
      this.note,
      h('details', { class: 'approval-past' }, this.historySummary, this.history),
    );
    this.list.addEventListener('click', (event) => {
      const target = event.target as Element;
      const item = target.closest<HTMLElement>('li[data-ref]');
      if (!item?.dataset['ref']) return;
      this.select(item.dataset['ref']);
      const behavior = target.closest<HTMLElement>('button[data-behavior]')?.dataset['behavior'];
      if (behavior === 'allow' || behavior === 'deny') void this.answer(item.dataset['ref'], behavior);
    });
    document.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Starts asking the server; keeps going while the page is open. */
  start(): void {
    const tick = () => void this.refresh().finally(() => window.setTimeout(tick, POLL_MS));
    tick();
  }

  /** `(2) waiting · ` while requests wait, for the page title. */
  titlePrefix(): string {
    if (this.pending.length === 0) return '';
    return (
      `(${this.pending.length}) ${this.fresh > 0 ? 'new ' : ''}permission ` +
      `request${this.pending.length === 1 ? '' : 's'} · `
    );
  }

  private async refresh(): Promise<void> {
    let body: ApprovalsResponse;
    try {
      const response = await fetch('api/approvals');
      if (!response.ok) return;
      body = (await response.json()) as ApprovalsResponse;
    } catch {
      return; // the status line already says the server is gone
    }
    this.element.hidden = !body.enabled;
    this.canAnswer = body.canAnswer;
    const pending = body.requests.filter((request) => request.status === 'pending').reverse();
    // A request that arrives while the page is open changes the title until it is answered.
    this.fresh = this.started ? pending.filter((request) => !this.seen.has(refOf(request))).length + this.fresh : 0;
    for (const request of body.requests) this.seen.add(refOf(request));
    this.started = true;
    this.pending = pending;
    if (this.fresh > 0 && pending.length === 0) this.fresh = 0;
    if (!pending.some((request) => refOf(request) === this.selected))
      this.selected = pending[0] ? refOf(pending[0]) : undefined;
    this.draw(body.requests.filter((request) => request.status !== 'pending'));
    this.changed();
  }

  private draw(past: ApprovalView[]): void {
    fill(this.list, ...this.pending.map((request) => this.item(request)));
    if (this.pending.length === 0)
      this.list.append(h('li', { class: 'approval-empty' }, 'Nothing waits for an answer.'));
    this.element.classList.toggle('has-pending', this.pending.length > 0);
    if (!this.canAnswer && this.pending.length > 0)
      this.note.textContent = 'Read-only: start cc2cc ui with --allow-approve to answer here, or use cc2cc approve ID.';
    else if (this.note.dataset['sticky'] !== 'yes') this.note.textContent = '';
    this.historySummary.textContent = `History (${past.length})`;
    fill(
      this.history,
      ...past.map((request) =>
        h(
          'li',
          { class: `approval-done approval-${request.status}` },
          `${clock(request.requestedAt)} ${request.agent} · ` +
            `${request.tool}${request.description ? `: ${request.description}` : ''} — ${outcome(request)}`,
        ),
      ),
    );
  }

  private item(request: ApprovalView): HTMLElement {
    const ref = refOf(request);
    const selected = ref === this.selected;
    return h(
      'li',
      { class: 'approval', role: 'option', 'aria-selected': String(selected), 'data-ref': ref, 'data-id': request.id },
      h(
        'div',
        { class: 'approval-head' },
        h('strong', {}, request.agent),
        ` wants ${request.tool}`,
        h('span', { class: 'approval-id' }, ` ${request.id} · ${clock(request.requestedAt)}`),
      ),
      request.description ? h('div', { class: 'approval-description' }, request.description) : null,
      request.preview ? h('pre', { class: 'approval-preview' }, request.preview) : null,
      this.canAnswer
        ? h(
            'div',
            { class: 'approval-actions' },
            h('button', { type: 'button', class: 'allow', 'data-behavior': 'allow', title: 'Allow (y)' }, 'Allow'),
            h('button', { type: 'button', class: 'deny', 'data-behavior': 'deny', title: 'Deny (n)' }, 'Deny'),
          )
        : null,
    );
  }

  private select(ref: string): void {
    this.selected = ref;
    for (const item of this.list.querySelectorAll<HTMLElement>('li[data-ref]'))
      item.setAttribute('aria-selected', String(item.dataset['ref'] === ref));
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.canAnswer || !this.selected || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as Element | null;
    if (target?.closest('input, textarea, select, [contenteditable]')) return;
    if (event.key === 'y' || event.key === 'n') {
      event.preventDefault();
      void this.answer(this.selected, event.key === 'y' ? 'allow' : 'deny');
    }
  }

  private async answer(ref: string, behavior: 'allow' | 'deny'): Promise<void> {
    const [agent, id] = ref.split('/');
    this.note.dataset['sticky'] = 'yes';
    try {
      const response = await fetch(`api/approvals/${encodeURIComponent(agent ?? '')}/${encodeURIComponent(id ?? '')}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ behavior }),
      });
      const body = (await response.json()) as ApprovalView | ErrorBody;
      this.note.textContent =
        'error' in body
          ? `not answered: ${body.error.message}`
          : `${body.status} ${body.id}: ${body.agent} · ${body.tool}`;
    } catch (error) {
      this.note.textContent = `not answered: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.fresh = 0;
    await this.refresh();
  }
}

function refOf(request: ApprovalView): string {
  return `${request.agent}/${request.id}`;
}

function outcome(request: ApprovalView): string {
  if (request.status === 'expired') return `expired (${request.expiredReason ?? 'no answer'})`;
  return `${request.status} by ${request.answeredBy ?? '?'} at ${request.answeredAt ? clock(request.answeredAt) : '?'}`;
}
