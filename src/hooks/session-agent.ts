import { isAgentName } from '../kernel/names.js';
import { matchServer } from './find-server.js';
import { ancestorsOf } from './process-tree.js';
import { listEndpoints } from './session-files.js';

/**
 * The agent of the client session this process runs in (a hook, or a `git commit` an
 * agent started): `CC2CC_NAME`, else the running `cc2cc serve` of the same session (same
 * Claude Code session id, or a shared parent process). Undefined when none fits.
 */
export async function sessionAgentName(
  rootDir: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  if (isAgentName(env.CC2CC_NAME)) return env.CC2CC_NAME;
  if (!rootDir) return undefined;
  const match = matchServer(await listEndpoints(rootDir), ancestorsOf(), env);
  return 'endpoint' in match ? match.endpoint.name : undefined;
}
