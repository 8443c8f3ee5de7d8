import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { StdioAgent, type StdioAgentOptions } from '../../src/demo/stdio-agent.js';
import { CLI } from '../cli/process-helpers.js';
import { processAlive } from '../../src/kernel/process-alive.js';

export { CLI };
export const META_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Bound on every wait for a delivery: generous for a loaded 2-core machine; a pass returns at once. */
export const DELIVERY_TIMEOUT_MS = 20_000;

const projects: string[] = [];
const agents: StdioAgent[] = [];

afterEach(async () => {
  await Promise.allSettled(agents.splice(0).map((agent) => agent.close()));
  await Promise.all(projects.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary project folder; `config` (if any) becomes its `.cc2ccrc.json`. Removed after the test. */
export async function makeProject(config?: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cc2cc-mcp-'));
  projects.push(dir);
  if (config) await writeFile(join(dir, '.cc2ccrc.json'), JSON.stringify(config));
  return dir;
}

/** `cc2cc serve ARGS` in `project`, driven by the real SDK client; closed after the test. */
export async function startAgent(
  project: string,
  args: string[] = [],
  options: Partial<StdioAgentOptions> = {},
): Promise<StdioAgent> {
  const agent = await StdioAgent.start({ cli: CLI, cwd: project, args, ...options });
  agents.push(agent);
  return agent;
}

/** The self-wake push, once it has arrived: a started server is then ready. */
export function selfWake(agent: StdioAgent) {
  return agent.waitForPush((push) => push.meta.kind === 'system', DELIVERY_TIMEOUT_MS, 'the self-wake push');
}

export async function presenceOf(project: string, name: string): Promise<{ state: string; pid: number }> {
  return JSON.parse(await readFile(join(project, '.cc2cc', 'agents', `${name}.json`), 'utf8')) as {
    state: string;
    pid: number;
  };
}

export function processGone(pid: number): boolean {
  return !processAlive(pid);
}

/** zod's ESM entry by absolute URL, for configs written into temporary folders outside the repo. */
export const ZOD_URL = pathToFileURL(resolve(import.meta.dirname, '../../node_modules/zod/index.js')).href;
