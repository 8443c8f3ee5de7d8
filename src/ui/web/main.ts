import './styles.css';
import type { DeadLetterView } from '../protocol.js';
import { connect, fetchDeadLetters, type Status } from './connection.js';
import { ApprovalInbox } from './approvals.js';
import { DeadLetters } from './dead-letters.js';
import { Detail } from './detail.js';
import { byId, h } from './dom.js';
import { FilterBar } from './filter-bar.js';
import { plural } from './format.js';
import { SendBox } from './send-box.js';
import { Sidebar } from './sidebar.js';
import { Store } from './store.js';
import { Timeline } from './timeline.js';

const STATUS_TEXT: Record<Status, string> = {
  connecting: 'connecting…',
  loading: 'loading…',
  live: 'live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected: open the address cc2cc ui printed',
};

const store = new Store();
let returnFocus: HTMLElement | undefined;
let sendBox: SendBox | undefined;

const timeline = new Timeline(store, {
  open: (id) => openRow(id),
  close: () => closeDetail(),
  move: (id) => {
    if (detail.open) showRow(id);
  },
});
const detail = new Detail(store, {
  close: () => closeDetail(),
  open: (id) => {
    showTab('timeline');
    timeline.reveal(id);
    showRow(id);
  },
});
const filters = new FilterBar((current) => {
  timeline.setFilters(current);
  scheduleChrome();
});
const sidebar = new Sidebar({
  pickAgent: (agent) => filters.toggle({ agent }),
  pickAddress: (address) => filters.toggle({ address }),
});
const deadView = new DeadLetters((letter) => openDead(letter));
const approvals = new ApprovalInbox(() => scheduleChrome());

const status = byId('status');
const count = byId('count');
const timelineTab = byId<HTMLButtonElement>('tab-timeline');
const deadTab = byId<HTMLButtonElement>('tab-dead');
const allLanes = h('input', { type: 'checkbox', id: 'all-lanes' });
allLanes.addEventListener('change', () => timeline.showAllLanes(allLanes.checked));
filters.element.append(
  h(
    'label',
    { class: 'all-lanes', title: 'Also lanes for offline agents without messages and for senders that are not agents' },
    allLanes,
    ' all lanes',
  ),
);
const timelinePanel = h(
  'section',
  { class: 'timeline-panel', id: 'timeline-view', role: 'tabpanel', 'aria-labelledby': 'tab-timeline' },
  filters.element,
  timeline.element,
);
deadView.element.setAttribute('role', 'tabpanel');
deadView.element.setAttribute('aria-labelledby', 'tab-dead');
byId('sidebar').replaceWith(sidebar.element);
byId('content').append(timelinePanel, deadView.element);
byId('detail').replaceWith(detail.element);
document.querySelector('.layout')!.before(approvals.element);

function showRow(id: string): void {
  const row = store.get(id);
  if (!row) return;
  detail.show({ row });
  timeline.select(id);
}

function openRow(id: string): void {
  rememberFocus();
  showRow(id);
}

function openDead(letter: DeadLetterView): void {
  rememberFocus();
  const row = store.get(letter.id);
  detail.show(row ? { row } : { dead: letter });
}

function closeDetail(): void {
  if (!detail.open) return;
  detail.hide();
  timeline.select(undefined);
  (returnFocus?.isConnected ? returnFocus : undefined)?.focus({ preventScroll: true });
  returnFocus = undefined;
}

function rememberFocus(): void {
  const active = document.activeElement;
  if (active instanceof HTMLElement && !detail.element.contains(active)) returnFocus = active;
}

function showTab(which: 'timeline' | 'dead'): void {
  timelineTab.setAttribute('aria-selected', String(which === 'timeline'));
  deadTab.setAttribute('aria-selected', String(which === 'dead'));
  timelinePanel.hidden = which !== 'timeline';
  deadView.element.hidden = which !== 'dead';
  if (which === 'dead') refreshDead();
}
timelineTab.addEventListener('click', () => showTab('timeline'));
deadTab.addEventListener('click', () => showTab('dead'));

let deadTimer: number | undefined;
function refreshDead(): void {
  clearTimeout(deadTimer);
  deadTimer = window.setTimeout(() => {
    fetchDeadLetters()
      .then((letters) => {
        deadView.show(letters);
        deadTab.textContent = `Dead letters (${letters.length.toLocaleString('en-US')})`;
      })
      .catch((error: unknown) => console.warn('cc2cc ui: could not load dead letters', error));
  }, 150);
}

// Everything around the timeline follows the store once per frame, however many updates came.
let chromeFrame = 0;
let sidebarDirty = false;
store.onChange((change) => {
  if (change !== 'rows') sidebarDirty = true;
  scheduleChrome();
});
function scheduleChrome(): void {
  if (chromeFrame === 0) chromeFrame = requestAnimationFrame(updateChrome);
}
function updateChrome(): void {
  chromeFrame = 0;
  const hello = store.hello;
  const snapshot = store.snapshot;
  if (hello) {
    byId('project').textContent = hello.project;
    byId('transport').textContent =
      `${hello.transport} transport · since ${new Date(hello.startedAt).toLocaleTimeString([], { hour12: false })}`;
    document.title = `${approvals.titlePrefix()}cc2cc ui · ${hello.project}`;
    if (hello.allowSend && !sendBox) {
      sendBox = new SendBox(hello.sender);
      timelinePanel.append(sendBox.element);
    }
  }
  const { total, shown } = timeline.counts();
  count.textContent =
    shown === total ? plural(total, 'message') : `${shown.toLocaleString('en-US')} of ${plural(total, 'message')}`;
  count.dataset['total'] = String(total);
  count.dataset['shown'] = String(shown);
  const participants = store.participants();
  // Group addresses: what the plugins list, and every `scheme:target` a message went to.
  const addresses = new Set(
    snapshot?.schemes.flatMap((scheme) => scheme.groups.map((group) => `${scheme.scheme}:${group.target}`)),
  );
  for (const row of store.all()) {
    const to = row.envelope?.to ?? '';
    if (to.includes(':')) addresses.add(to);
  }
  filters.choices({ agents: participants, addresses: [...addresses].sort() });
  if (snapshot && hello && sidebarDirty) sidebar.update(snapshot, hello.idleAfterMs);
  sidebarDirty = false;
  // A pattern (`topic:ci.*`) is no address to send to.
  sendBox?.offer([...participants, ...[...addresses].filter((address) => !/[*>]/.test(address)).sort(), '*']);
  detail.refresh();
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && detail.open) {
    event.preventDefault();
    closeDetail();
  }
});

connect(store, {
  status(next) {
    status.textContent = STATUS_TEXT[next];
    status.className = `status status-${next}`;
  },
  dead: refreshDead,
});
timeline.focus();
approvals.start();
