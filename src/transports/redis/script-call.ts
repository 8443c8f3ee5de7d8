import { createHash } from 'node:crypto';
import { isServerReply, type RedisClient } from './connection.js';

const digests = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), so a call carries the arguments only; a server
 * that does not know it yet (first use, restart, SCRIPT FLUSH) gets the text once (EVAL).
 * NOSCRIPT means nothing ran, so sending it again cannot run it twice.
 */
export async function runScript(
  client: RedisClient,
  script: string,
  options: { keys: string[]; arguments: string[] },
): Promise<unknown> {
  let sha = digests.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    digests.set(script, sha);
  }
  try {
    return await client.evalSha(sha, options);
  } catch (error) {
    if (isServerReply(error) && error.message.startsWith('NOSCRIPT')) return client.eval(script, options);
    throw error;
  }
}
