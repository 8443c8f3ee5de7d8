import { isFreshContext, type HookAnswer, type HookRequest } from '../hooks/protocol.js';
import { readTranscriptTail, transcriptShows } from '../hooks/transcript.js';
import { formatMessageFrames } from '../sinks/message-frame.js';
import { namedLine, plural, type AgentDelivery } from './delivery.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '../kernel/bus.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentName } from '../kernel/names.js';
import { describeError } from '../kernel/errors.js';
import type { Extensions } from '../kernel/extensions.js';
import { HELD_NAME_KEY, type HeldName } from './held-name.js';
import type { PushLimits } from '../sinks/channel-limits.js';

/** The self-wake push of this session: a transcript that lacks it long after says pushes go nowhere. */
export interface WakeProbe {
  /** A random token in the self-wake's meta (`wake="…"`). */
  token: string;
  /** When the self-wake was written (ms since epoch); undefined before. */
  pushedAt?: number;
}

export interface HookScope {
  bus: Bus;
  agent: AgentName;
  delivery: AgentDelivery;
  wake: WakeProbe;
  /** How long after the self-wake push a transcript without it means pushes do not reach. */
  confirmGraceMs: number;
  limits: PushLimits;
  /** How long a session-start answer waits for the inbox's backlog to reach the delivery. */
  settleMs: number;
  logger: Logger;
  /** The plugins' address schemes: the groups that reach the agent (rooms, topics) come back after a compaction. */
  schemes?: Pick<Extensions, 'listGroups'>;
}

/**
 * A hook's question, answered by the server that holds the inbox (DESIGN §4, delivery
 * paths). First the evidence about pushes (the client, the transcript), then the
 * messages the model has not seen: in full when no push carried them (now seen), named
 * by id when a push did. Stop blocks only for messages given in full, which are then
 * seen: so it never blocks twice for the same messages and never loops.
 */
export async function answerHook(request: HookRequest, scope: HookScope): Promise<HookAnswer> {
  await judgePushes(request, scope);
  if (request.event === 'session-start') await backlogTaken(scope);
  const { delivery } = scope;
  const stop = request.event === 'stop';
  // At session start nothing can have confirmed this session's pushes yet: the context is
  // the certain path, so they go in full (a session whose pushes work may see them twice, once).
  const { full, named } = await delivery.takeForContext({
    name: !stop,
    pushedNow: request.event === 'session-start' && delivery.push.liveness !== 'live',
  });
  const frames = full.length > 0 ? formatMessageFrames(full, scope.limits) : undefined;
  if (stop) {
    if (!frames) return {};
    return {
      block:
        `cc2cc: ${plural(full.length, 'message')} arrived for you; read ` +
        `${full.length === 1 ? 'it' : 'them'} before you stop (answer with the reply tool where ` +
        `one is asked for):\n\n${frames}`,
    };
  }
  const parts: string[] = [];
  if (request.event === 'session-start') parts.push(await sessionHeader(scope, full.length + named.length));
  if (request.event === 'session-start' && isFreshContext(request.source)) {
    const open = await openState(scope);
    if (open) parts.push(open);
  }
  const notice = delivery.takeNotice();
  if (notice) parts.push(notice);
  if (frames) parts.push(frames);
  if (named.length > 0) parts.push(namedLine(named));
  return parts.length > 0 ? { context: parts.join('\n\n') } : {};
}

/** Codex and Gemini have no channel push; Claude Code's transcript shows whether pushes arrive. */
async function judgePushes(request: HookRequest, scope: HookScope): Promise<void> {
  const { delivery, wake } = scope;
  if (delivery.mode !== 'auto' || !delivery.push.pushing) return;
  if (request.client !== 'claude') {
    delivery.stopPushing(`${request.client === 'codex' ? 'Codex CLI' : 'Gemini CLI'} takes no channel pushes`);
    return;
  }
  if (!request.transcriptPath) return;
  const transcript = await readTranscriptTail(request.transcriptPath);
  if (transcript === undefined) return;
  await delivery.confirmPushes((id) => transcriptShows(transcript, id));
  if (transcript.includes(wake.token)) delivery.push.confirm('the self-wake push is in the transcript');
  else if (
    delivery.push.liveness === 'unknown' &&
    wake.pushedAt !== undefined &&
    Date.now() - wake.pushedAt >= scope.confirmGraceMs
  ) {
    delivery.stopPushing(
      `the self-wake push is not in the client's transcript ` +
        `${Math.round((Date.now() - wake.pushedAt) / 1000)} s after it was written`,
    );
  }
}

/**
 * At session start the backlog may still be on its way into this server: queued, or claimed
 * and waiting for the first push (the client has just connected). The answer waits until
 * the delivery holds everything in the inbox (or holds all it has room for), at most
 * `settleMs`, so it gives the backlog instead of "No messages waiting".
 */
async function backlogTaken({ bus, agent, delivery, settleMs, logger }: HookScope): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (let logged = false; ; logged = true) {
    const { queued, claimed } = await bus.transport.stats(agent);
    const coming = queued + claimed - delivery.waiting;
    if (coming <= 0 || delivery.full) return;
    if (Date.now() >= deadline)
      return logger.warn(
        `session start: ${plural(coming, 'message')} still on the way into this session after ` +
          `${settleMs} ms; a later hook gives them`,
      );
    if (!logged)
      logger.info(
        `session start: waiting up to ${settleMs} ms for ${plural(coming, 'message')} on the way into this session`,
      );
    await sleep(50);
  }
}

async function sessionHeader({ bus, agent, delivery }: HookScope, waiting: number): Promise<string> {
  const online = (await bus.agents())
    .filter((info) => info.state === 'online' && info.name !== agent)
    .map((info) => info.name);
  const who = online.length > 0 ? `Online: ${online.join(', ')}.` : 'No other agent is online.';
  const left = delivery.waiting;
  const backlog =
    waiting === 0 && left === 0
      ? 'No messages waiting.'
      : waiting > 0
        ? `${plural(waiting, 'message')} for you below, oldest first.`
        : '';
  // Serving under a derived name (the chosen one is held by another live session): say why first.
  const held = bus.presenceData(HELD_NAME_KEY) as Partial<HeldName> | undefined;
  const note = typeof held?.note === 'string' ? `${held.note} ` : '';
  return (
    `${note}cc2cc: you are the agent "${agent}" on cc2cc, the message bus of this project's ` +
    `agents. ${who} ${backlog}`.trim()
  );
}

/** After a compaction or /clear: what the agent must not forget. */
async function openState({ agent, delivery, schemes, logger }: HookScope): Promise<string | undefined> {
  const lines: string[] = [];
  const requests = delivery.openRequests;
  if (requests.length > 0) {
    lines.push(
      `Requests waiting for your answer (reply with their id): ` +
        `${requests.map((request) => `${request.id} from ${request.from}`).join('; ')}.`,
    );
  }
  const reaching = await addressesReaching(agent, schemes, logger);
  if (reaching.length > 0) lines.push(`Addresses that reach you: ${reaching.join(', ')}.`);
  return lines.length > 0 ? `cc2cc, still open from before:\n${lines.join('\n')}` : undefined;
}

/**
 * The group addresses the agent is in (rooms it is a member of, topic patterns it follows), as each
 * scheme lists them.
 */
async function addressesReaching(agent: AgentName, schemes: HookScope['schemes'], logger: Logger): Promise<string[]> {
  try {
    const listings = (await schemes?.listGroups()) ?? [];
    return listings.flatMap(({ scheme, groups }) =>
      groups.filter((group) => group.agents.includes(agent)).map((group) => `${scheme}:${group.target}`),
    );
  } catch (error) {
    logger.warn(`could not list the addresses that reach ${agent}: ${describeError(error)}`);
    return [];
  }
}
