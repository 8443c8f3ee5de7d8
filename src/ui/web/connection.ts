import type { DeadLetterView, Hello, MessageView, Snapshot, TrafficUpdate } from '../protocol.js';
import type { Store } from './store.js';

export type Status = 'connecting' | 'loading' | 'live' | 'reconnecting' | 'closed';

export interface ConnectionEvents {
  status(status: Status): void;
  /** A message reached a dead/ folder: the dead-letter list changed. */
  dead(): void;
}

/**
 * The event stream (`api/events`, relative to the page, so the token in the page's URL
 * carries through). EventSource reconnects by itself; the server then sends everything
 * again, starting with `hello`, and the store starts over.
 */
export function connect(store: Store, events: ConnectionEvents): EventSource {
  events.status('connecting');
  const source = new EventSource('api/events');
  const on = <T>(name: string, handle: (data: T) => void) =>
    source.addEventListener(name, (event) => handle(JSON.parse((event as MessageEvent<string>).data) as T));
  on<Hello>('hello', (hello) => {
    events.status('loading');
    store.reset(hello);
  });
  on<Snapshot>('snapshot', (snapshot) => store.setSnapshot(snapshot));
  on<MessageView[]>('messages', (views) => store.addMessages(views));
  on<Record<string, never>>('ready', () => {
    events.status('live');
    events.dead();
  });
  on<TrafficUpdate>('traffic', (update) => {
    store.apply(update);
    if (update.step.state === 'dead') events.dead();
  });
  // CLOSED: the server refused the stream (a stale token after a restart); no retry will help.
  source.addEventListener('error', () =>
    events.status(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
  );
  return source;
}

export async function fetchDeadLetters(): Promise<DeadLetterView[]> {
  const response = await fetch('api/dead');
  if (!response.ok) throw new Error(`api/dead answered ${response.status}`);
  return (await response.json()) as DeadLetterView[];
}
