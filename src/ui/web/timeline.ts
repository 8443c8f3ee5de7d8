import { h, fill } from './dom.js';
import { NO_FILTERS, matches, type Filters } from './filters.js';
import { computeLinks, linksAcross, type Link } from './links.js';
import { GUTTER_WIDTH, ROW_HEIGHT, renderRow, type Layout } from './row.js';
import type { Row, Store } from './store.js';
import { OUTSIDE_X, laneOrder } from './lanes.js';

const TIME_WIDTH = 64;
const SUMMARY_WIDTH = 88;
const LEFT = TIME_WIDTH + GUTTER_WIDTH;
const MIN_COLUMN = 130;
const OVERSCAN = 6;

export interface TimelineEvents {
  /** Enter on a row, or a click. */
  open(id: string): void;
  /** Escape. */
  close(): void;
  /** The keyboard moved to another row. */
  move(id: string): void;
}

interface Drawn {
  element: HTMLElement;
  version: number;
  index: number;
  stamp: number;
}

/**
 * The timeline: a sequence diagram with one lifeline per agent and one row per message,
 * virtualised — only the rows in view (plus a few) are in the DOM, whatever the count.
 * The list is one focusable listbox: arrows, Page Up/Down, Home/End move the active row,
 * Enter opens it, Escape closes it.
 */
export class Timeline {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly header: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly lifelines: HTMLElement;
  private readonly rowsLayer: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly newer: HTMLButtonElement;

  private filters: Filters = NO_FILTERS;
  private view: Row[] = [];
  private indexOf = new Map<string, number>();
  private links: Link[] = [];
  private layout: Layout = { x: new Map(), width: 0 };
  private activeId: string | undefined;
  private selectedId: string | undefined;
  private follow = true;
  private unseen = 0;
  private stamp = 0;
  private viewDirty = true;
  private frame = 0;
  private readonly drawn = new Map<string, Drawn>();
  private allLanes = false;

  constructor(
    private readonly store: Store,
    private readonly events: TimelineEvents,
  ) {
    this.header = h('div', { class: 'lifeline-heads', 'aria-hidden': 'true' });
    this.lifelines = h('div', { class: 'lifelines', 'aria-hidden': 'true' });
    this.rowsLayer = h('div', { class: 'rows' });
    this.canvas = h('div', { class: 'canvas' }, this.lifelines, this.rowsLayer);
    this.empty = h('p', { class: 'empty' });
    this.scroller = h(
      'div',
      { class: 'scroller', id: 'timeline-list', tabindex: 0, role: 'listbox', 'aria-label': 'Messages, oldest first' },
      this.header,
      this.canvas,
    );
    this.newer = h('button', { class: 'newer', type: 'button', hidden: true });
    this.element = h('div', { class: 'timeline' }, this.scroller, this.empty, this.newer);

    this.scroller.addEventListener('scroll', () => {
      this.follow = this.atBottom();
      if (this.follow) this.unseen = 0;
      this.schedule();
    });
    this.scroller.addEventListener('keydown', (event) => this.onKey(event));
    this.rowsLayer.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('.row');
      if (!row?.dataset['id']) return;
      this.setActive(row.dataset['id']);
      this.scroller.focus({ preventScroll: true });
      this.events.open(row.dataset['id']);
    });
    this.newer.addEventListener('click', () => this.scrollToEnd());
    new ResizeObserver(() => this.invalidate()).observe(this.scroller);
    store.onChange((change, row) => {
      if (change === 'reset') {
        this.drawn.clear();
        this.rowsLayer.replaceChildren();
        this.follow = true;
        this.unseen = 0;
      }
      // A scroll up that the browser has not reported yet (its event comes with the next frame)
      // still counts: a message arriving in between must not pull the reader back to the end.
      if (change === 'rows' && this.follow && !this.atBottom()) this.follow = false;
      if (change === 'rows' && row && row.version === 1 && !this.follow && matches(row, this.filters)) this.unseen += 1;
      this.invalidate();
    });
  }

  /** Show every lane (retired agents and non-agent senders too), or only the useful ones. */
  showAllLanes(all: boolean): void {
    this.allLanes = all;
    this.invalidate();
  }

  setFilters(filters: Filters): void {
    this.filters = filters;
    this.invalidate();
  }

  /** The row shown in the detail panel (undefined: none). */
  select(id: string | undefined): void {
    this.selectedId = id;
    if (id !== undefined) this.setActive(id);
    this.redraw();
  }

  focus(): void {
    this.scroller.focus({ preventScroll: true });
  }

  /** Make `id` the active row and bring it into view (when it passes the filters). */
  reveal(id: string): void {
    this.setActive(id);
    this.viewNow();
    const index = this.indexOf.get(id);
    if (index !== undefined) this.ensureVisible(index);
  }

  counts(): { total: number; shown: number } {
    this.viewNow();
    return { total: this.store.all().length, shown: this.view.length };
  }

  private invalidate(): void {
    this.viewDirty = true;
    this.schedule();
  }

  private redraw(): void {
    this.stamp += 1;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  private setActive(id: string): void {
    if (this.activeId === id) return;
    this.activeId = id;
    this.redraw();
  }

  /** Filter, index, link and lay out again, if anything changed since the last time. */
  private viewNow(): void {
    if (!this.viewDirty) return;
    this.viewDirty = false;
    this.stamp += 1;
    this.view = this.store.all().filter((row) => matches(row, this.filters));
    this.indexOf = new Map(this.view.map((row, index) => [row.id, index]));
    this.links = computeLinks(this.view, this.indexOf);
    this.layoutColumns();
    this.canvas.style.height = `${this.view.length * ROW_HEIGHT}px`;
    this.empty.hidden = this.view.length > 0;
    const since = this.store.hello
      ? new Date(this.store.hello.startedAt).toLocaleTimeString([], { hour12: false })
      : '';
    this.empty.textContent =
      this.store.all().length === 0
        ? `No messages yet. The timeline shows traffic from ${since || 'the start of cc2cc ui'} ` +
          `on: send one with  cc2cc send <agent> "hello".`
        : 'No message matches the filters.';
  }

  private layoutColumns(): void {
    const names = laneOrder(this.store.all(), this.store.snapshot?.agents ?? [], this.allLanes);
    const available = Math.max(0, this.scroller.clientWidth - LEFT - SUMMARY_WIDTH);
    const width = Math.max(available, names.length * MIN_COLUMN);
    const column = names.length > 0 ? width / names.length : width;
    const x = new Map(names.map((name, index) => [name, Math.round(column * (index + 0.5))]));
    for (const name of this.store.participants()) if (!x.has(name)) x.set(name, OUTSIDE_X);
    this.layout = { x, width };
    const total = LEFT + width + SUMMARY_WIDTH;
    this.canvas.style.width = `${total}px`;
    this.header.style.width = `${total}px`;
    const states = new Map(this.store.snapshot?.agents.map((agent) => [agent.name, agent.state]) ?? []);
    fill(
      this.header,
      ...names.map((name) => {
        const head = h(
          'div',
          {
            class: `head-name state-${states.get(name) ?? 'unknown'}`,
            title: `${name}: ${states.get(name) ?? 'not a known agent'}`,
          },
          h('span', { class: 'dot' }),
          name,
        );
        head.style.left = `${LEFT + x.get(name)!}px`;
        head.style.maxWidth = `${Math.max(60, column - 8)}px`;
        return head;
      }),
    );
    fill(
      this.lifelines,
      ...names.map((name) => {
        const line = h('div', { class: 'lifeline' });
        line.style.left = `${LEFT + x.get(name)!}px`;
        return line;
      }),
    );
  }

  private draw(): void {
    this.frame = 0;
    this.viewNow();
    if (this.follow && this.view.length > 0) this.scroller.scrollTop = this.scroller.scrollHeight;
    const headerHeight = this.header.offsetHeight;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil(Math.max(0, this.scroller.clientHeight - headerHeight) / ROW_HEIGHT);
    const last = Math.min(this.view.length - 1, first + visible + 2 * OVERSCAN);
    const links = linksAcross(this.links, first, last);
    const activeRow = this.activeId === undefined ? undefined : this.store.get(this.activeId);
    const related = new Set([
      activeRow?.envelope?.correlationId,
      ...(activeRow ? this.store.repliesTo(activeRow.id).map((row) => row.id) : []),
    ]);

    const keep = new Set<string>();
    for (let index = first; index <= last; index += 1) {
      const row = this.view[index]!;
      keep.add(row.id);
      const drawn = this.drawn.get(row.id);
      if (drawn && drawn.version === row.version && drawn.index === index && drawn.stamp === this.stamp) continue;
      const element = renderRow(
        row,
        index,
        this.layout,
        links.filter((link) => link.from <= index && link.to >= index),
        { active: row.id === this.activeId, selected: row.id === this.selectedId, related: related.has(row.id) },
      );
      if (drawn) drawn.element.replaceWith(element);
      else this.rowsLayer.append(element);
      this.drawn.set(row.id, { element, version: row.version, index, stamp: this.stamp });
    }
    for (const [id, drawn] of this.drawn) {
      if (keep.has(id)) continue;
      drawn.element.remove();
      this.drawn.delete(id);
    }
    const activeDrawn = this.activeId !== undefined && this.drawn.has(this.activeId);
    if (activeDrawn) this.scroller.setAttribute('aria-activedescendant', `msg-${this.activeId}`);
    else this.scroller.removeAttribute('aria-activedescendant');
    // The focus ring is on the active row when there is one in view, else on the list.
    this.scroller.classList.toggle('has-active', activeDrawn);
    this.newer.hidden = this.follow || this.unseen === 0;
    this.newer.textContent = `↓ ${this.unseen.toLocaleString('en-US')} new`;
  }

  private onKey(event: KeyboardEvent): void {
    const page = Math.max(1, Math.floor((this.scroller.clientHeight - this.header.offsetHeight) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
      Home: -Infinity,
      End: Infinity,
    };
    if (event.key in moves) {
      event.preventDefault();
      this.move(moves[event.key]!);
    } else if (event.key === 'Enter' && this.activeId !== undefined) {
      event.preventDefault();
      this.events.open(this.activeId);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.events.close();
    }
  }

  private move(delta: number): void {
    this.viewNow();
    if (this.view.length === 0) return;
    const current = this.activeId === undefined ? undefined : this.indexOf.get(this.activeId);
    const from = current ?? (delta > 0 ? -1 : this.view.length);
    const index = Math.min(
      this.view.length - 1,
      Math.max(0, from + (Number.isFinite(delta) ? delta : delta > 0 ? this.view.length : -this.view.length)),
    );
    const row = this.view[index]!;
    this.setActive(row.id);
    this.ensureVisible(index);
    this.events.move(row.id);
  }

  private ensureVisible(index: number): void {
    const headerHeight = this.header.offsetHeight;
    const top = index * ROW_HEIGHT;
    const viewHeight = this.scroller.clientHeight - headerHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + viewHeight)
      this.scroller.scrollTop = top + ROW_HEIGHT - viewHeight;
    this.follow = index === this.view.length - 1;
    this.schedule();
  }

  private scrollToEnd(): void {
    this.follow = true;
    this.unseen = 0;
    this.schedule();
  }

  private atBottom(): boolean {
    return this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - ROW_HEIGHT;
  }
}
