import { assertAgentName, type AgentName } from '../kernel/names.js';
import type { Bus } from '../kernel/bus.js';

// Short words, so that every pair (and a numbered pair) stays within the 32-character rule.
const ADJECTIVES = [
  'brave',
  'calm',
  'swift',
  'quiet',
  'bold',
  'bright',
  'clever',
  'eager',
  'gentle',
  'happy',
  'keen',
  'lucky',
  'merry',
  'nimble',
  'proud',
  'quick',
  'sharp',
  'steady',
  'sunny',
  'wise',
  'witty',
  'zesty',
  'amber',
  'cosy',
  'crisp',
  'fuzzy',
  'jolly',
  'lively',
  'mellow',
  'noble',
] as const;

const ANIMALS = [
  'fox',
  'owl',
  'hare',
  'bear',
  'wolf',
  'lynx',
  'otter',
  'heron',
  'raven',
  'badger',
  'bison',
  'crane',
  'eagle',
  'falcon',
  'gecko',
  'ibis',
  'koala',
  'lemur',
  'marten',
  'newt',
  'panda',
  'puffin',
  'quail',
  'robin',
  'seal',
  'stoat',
  'tapir',
  'viper',
  'wren',
  'yak',
] as const;

/**
 * An adjective-animal name (`brave-fox`) that is not in `taken`. Random pairs first; when
 * the project is crowded, the first free pair in order, then numbered pairs (`brave-fox-2`).
 */
export function pickFreeName(taken: ReadonlySet<string>, random: () => number = Math.random): AgentName {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
    if (!taken.has(name)) return assertAgentName(name);
  }
  for (let suffix = 1; ; suffix++) {
    for (const adjective of ADJECTIVES) {
      for (const animal of ANIMALS) {
        const name = suffix === 1 ? `${adjective}-${animal}` : `${adjective}-${animal}-${suffix}`;
        if (!taken.has(name)) return assertAgentName(name);
      }
    }
  }
}

/** A name no agent of this project has used: not configured, no presence record, no inbox. */
export async function freeAgentName(bus: Bus, random?: () => number): Promise<AgentName> {
  const known = new Set((await bus.agents()).map((agent) => agent.name));
  return pickFreeName(known, random);
}
