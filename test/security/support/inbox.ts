import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../../src/testing/wait-for.js';
import type { Cc2cc } from '../../../src/kernel/compose.js';
import type { Envelope } from '../../../src/kernel/envelope.js';

/**
 * Plant a file in an inbox of the folder `root` the way any process that can write the folder
 * could: tmp, then rename.
 */
export async function plant(root: string, to: string, envelope: Envelope): Promise<void> {
  const temp = join(root, `to-${to}`, 'tmp', `${envelope.id}.planted.json`);
  await writeFile(temp, JSON.stringify(envelope));
  await rename(temp, join(root, `to-${to}`, 'inbox', `${envelope.id}.json`));
}

/** The reason of dead letter `id` in `owner`'s inbox, once it is there. */
export function deadReason(owner: { kernel: Cc2cc; name: string }, id: string): Promise<string> {
  return waitFor(
    async () => (await owner.kernel.bus.transport.deadLetters(owner.name)).find((letter) => letter.id === id)?.reason,
    {
      what: `dead letter ${id} in ${owner.name}`,
      timeoutMs: 20_000,
    },
  );
}
