import type { DeliveryState } from '../protocol.js';
import { h, svg } from './dom.js';
import { clock, currentState, messageTime, oneLine } from './format.js';
import type { Link } from './links.js';
import type { Row } from './store.js';

export const ROW_HEIGHT = 36;
export const GUTTER_WIDTH = 32;
const LINE_Y = 26;
const LANE_GAP = 7;

/** Where each agent's lifeline is, in the diagram's own coordinates. */
export interface Layout {
  x: ReadonlyMap<string, number>;
  width: number;
}

export interface RowMarks {
  active: boolean;
  selected: boolean;
  /** The row answers, or is answered by, the active row. */
  related: boolean;
}

/**
 * One message as one line of a sequence diagram: time, the request-reply gutter, an
 * arrow from the sender's lifeline to each recipient's (one arrowhead per copy, coloured
 * by where that copy is), the text above the arrow, and a state summary.
 */
export function renderRow(
  row: Row,
  index: number,
  layout: Layout,
  links: readonly Link[],
  marks: RowMarks,
): HTMLElement {
  const envelope = row.envelope;
  const kind = envelope?.kind ?? 'broken';
  const summary = summarize(row);
  const classes = [
    'row',
    `kind-${kind}`,
    marks.active && 'active',
    marks.selected && 'selected',
    marks.related && 'related',
  ]
    .filter(Boolean)
    .join(' ');
  const element = h(
    'div',
    { class: classes, id: `msg-${row.id}`, role: 'option', 'aria-selected': String(marks.active), 'data-id': row.id },
    h('span', { class: 'time' }, clock(messageTime(row.id, envelope))),
    gutter(index, links),
    h('div', { class: 'diagram' }, arrows(row, layout), label(row, layout)),
    h('span', { class: `summary state-${summary.state}`, title: summary.title }, summary.text),
  );
  element.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
  element.setAttribute('aria-label', accessibleLabel(row, summary.text));
  return element;
}

function gutter(index: number, links: readonly Link[]): SVGSVGElement {
  const mid = ROW_HEIGHT / 2;
  const box = svg('svg', { class: 'gutter', width: GUTTER_WIDTH, height: ROW_HEIGHT, 'aria-hidden': 'true' });
  for (const link of links) {
    const x = 5 + link.lane * LANE_GAP;
    const d =
      index === link.from
        ? `M${GUTTER_WIDTH} ${mid} H${x} V${ROW_HEIGHT}`
        : index === link.to
          ? `M${x} 0 V${mid} H${GUTTER_WIDTH - 3}`
          : `M${x} 0 V${ROW_HEIGHT}`;
    box.append(svg('path', { d, class: 'link' }));
    if (index === link.to)
      box.append(
        svg('path', {
          d: `M${GUTTER_WIDTH - 6} ${mid - 3} L${GUTTER_WIDTH - 1} ${mid} L${GUTTER_WIDTH - 6} ${mid + 3}`,
          class: 'link-head',
        }),
      );
  }
  return box;
}

function arrows(row: Row, layout: Layout): SVGSVGElement {
  const box = svg('svg', { class: 'arrows', width: layout.width, height: ROW_HEIGHT, 'aria-hidden': 'true' });
  const envelope = row.envelope;
  const sender = envelope === undefined ? undefined : layout.x.get(envelope.from);
  const targets = [...row.deliveries].map(([agent, steps]) => ({
    agent,
    x: layout.x.get(agent),
    state: currentState(steps) ?? 'queued',
  }));
  if (sender === undefined) {
    // No envelope (an unreadable file): only a mark on the inbox it sat in.
    for (const target of targets) if (target.x !== undefined) box.append(cross(target.x, target.agent));
    return box;
  }
  const xs = targets.map((target) => target.x).filter((x): x is number => x !== undefined);
  const left = Math.min(sender, ...xs);
  const right = Math.max(sender, ...xs);
  if (left < sender) box.append(svg('line', { x1: sender, y1: LINE_Y, x2: left + 6, y2: LINE_Y, class: 'line' }));
  if (right > sender) box.append(svg('line', { x1: sender, y1: LINE_Y, x2: right - 6, y2: LINE_Y, class: 'line' }));
  box.append(svg('circle', { cx: sender, cy: LINE_Y, r: 3.5, class: 'sender' }));
  for (const target of targets) {
    if (target.x === undefined) continue;
    if (target.x === sender)
      box.append(svg('path', { d: `M${sender + 4} ${LINE_Y - 6} h12 v12 h-8`, class: 'line self' }));
    box.append(head(target.x, target.x >= sender ? 1 : -1, target.state, target.agent));
  }
  return box;
}

/** An arrowhead at a recipient's lifeline, in the colour of its copy's state. */
function head(x: number, direction: 1 | -1, state: DeliveryState, agent: string): SVGElement {
  const tip = x;
  const back = x - direction * 9;
  const shape = svg('path', {
    d: `M${back} ${LINE_Y - 5} L${tip} ${LINE_Y} L${back} ${LINE_Y + 5} Z`,
    class: `head state-${state}`,
  });
  shape.append(svg('title', {}, `${agent}: ${state}`));
  return shape;
}

function cross(x: number, agent: string): SVGElement {
  const mark = svg('path', {
    d: `M${x - 5} ${LINE_Y - 5} L${x + 5} ${LINE_Y + 5} M${x + 5} ${LINE_Y - 5} L${x - 5} ${LINE_Y + 5}`,
    class: 'cross',
  });
  mark.append(svg('title', {}, `${agent}: dead`));
  return mark;
}

function label(row: Row, layout: Layout): HTMLElement {
  const envelope = row.envelope;
  const xs = [...row.deliveries.keys(), ...(envelope ? [envelope.from] : [])]
    .map((agent) => layout.x.get(agent))
    .filter((x): x is number => x !== undefined);
  // From the leftmost lifeline of the message to the diagram's right edge: long texts may
  // cross other lifelines (the label has a backing), short arrows still get a readable text.
  const start = (xs.length > 0 ? Math.min(...xs) : 0) + 10;
  const element = h('span', { class: 'label' });
  element.style.left = `${start}px`;
  element.style.maxWidth = `${Math.max(80, layout.width - start - 4)}px`;
  if (!envelope) {
    const reason = [...row.deliveries.values()].flat().find((step) => step.reason)?.reason ?? 'not a readable envelope';
    element.append(h('span', { class: 'chip chip-dead' }, 'unreadable'), ` ${oneLine(reason)}`);
    return element;
  }
  if (envelope.kind !== 'message') element.append(h('span', { class: `chip chip-${envelope.kind}` }, envelope.kind));
  if (envelope.to.includes(':') || envelope.to === '*')
    element.append(h('span', { class: 'chip chip-address' }, envelope.to));
  element.append(` ${oneLine(envelope.text)}`);
  return element;
}

interface Summary {
  text: string;
  state: DeliveryState;
  title: string;
}

/** Where a message's copies are, in a few characters: `seen`, `done`, `2/3 done`, `pushed`, `1/2 dead`. */
export function summarize(row: Row): Summary {
  const states = [...row.deliveries].map(([agent, steps]) => [agent, currentState(steps) ?? 'queued'] as const);
  const title = states.map(([agent, state]) => `${agent}: ${state}`).join(', ');
  const count = (state: DeliveryState) => states.filter(([, each]) => each === state).length;
  const total = states.length;
  const dead = count('dead');
  if (dead > 0) return { text: total === 1 ? 'dead' : `${dead}/${total} dead`, state: 'dead', title };
  const seen = count('seen');
  if (seen === total) return { text: 'seen', state: 'seen', title };
  // A seen copy is acked, so it counts as done.
  const done = count('done') + seen;
  if (done === total) return { text: 'done', state: 'done', title };
  const claimed = count('claimed');
  if (done > 0) return { text: `${done}/${total} done`, state: 'claimed', title };
  const pushed = count('pushed');
  if (pushed > 0) return { text: total === 1 ? 'pushed' : `${pushed}/${total} pushed`, state: 'pushed', title };
  if (claimed > 0) return { text: total === 1 ? 'claimed' : `${claimed}/${total} claimed`, state: 'claimed', title };
  return { text: 'queued', state: 'queued', title };
}

function accessibleLabel(row: Row, summary: string): string {
  const envelope = row.envelope;
  if (!envelope) return `unreadable file in ${[...row.deliveries.keys()].join(', ')}: ${summary}`;
  return `${envelope.kind} from ${envelope.from} to ${envelope.to}: ${oneLine(envelope.text, 120)} (${summary})`;
}
