import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';

/**
 * The real coding clients, installed outside the project's dependencies (so `npm install` for
 * users stays light): `.ci/run` installs the versions pinned in `test/clients/pins.json` with
 * `npm install --prefix "$CC2CC_CLIENTS_DIR"`. Locally, run the same command (see README.md).
 */
export const PINS: Record<string, string> = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../pins.json'), 'utf8'),
);

/** Where the clients are installed: `CC2CC_CLIENTS_DIR`, else `~/.cache/cc2cc-clients`. */
export const CLIENTS_DIR = process.env['CC2CC_CLIENTS_DIR'] || join(homedir(), '.cache', 'cc2cc-clients');

export type ClientName = 'claude-code' | 'codex' | 'gemini';

const CLIENTS: Record<ClientName, { pkg: string; bin: string; needs: string[] }> = {
  'claude-code': { pkg: '@anthropic-ai/claude-code', bin: 'claude', needs: ['tmux'] },
  codex: { pkg: '@openai/codex', bin: 'codex', needs: [] },
  gemini: { pkg: '@google/gemini-cli', bin: 'gemini', needs: [] },
};

/** The client's executable in the clients folder. */
export function clientBinary(client: ClientName): string {
  return join(CLIENTS_DIR, 'node_modules', '.bin', CLIENTS[client].bin);
}

/** Why the client cannot run here (missing, wrong version, a missing tool), or undefined when it can. */
export function whyClientCannotRun(client: ClientName): string | undefined {
  const { pkg, bin, needs } = CLIENTS[client];
  const pin = PINS[pkg];
  const manifest = join(CLIENTS_DIR, 'node_modules', pkg, 'package.json');
  const install = `npm install --prefix ${CLIENTS_DIR} ${pkg}@${pin} (or set CC2CC_CLIENTS_DIR)`;
  if (!existsSync(manifest) || !existsSync(clientBinary(client)))
    return `${bin} is not installed in ${CLIENTS_DIR}: ${install}`;
  const installed = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  if (installed !== pin) return `${pkg} ${installed} is installed in ${CLIENTS_DIR}, the tests pin ${pin}: ${install}`;
  for (const tool of needs) {
    if (!onPath(tool)) return `${tool} is missing (apt-get install -y ${tool})`;
  }
  return undefined;
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a client's tests run here. Locally a missing client skips them, said where it is seen;
 * in CI (CI=true) it is a failure, so a broken install step cannot pass as green.
 */
export function clientTests(client: ClientName): { run: boolean; missingInCi: boolean; reason: string } {
  const reason = whyClientCannotRun(client);
  if (!reason) return { run: true, missingInCi: false, reason: '' };
  const inCi = process.env['CI'] === 'true';
  if (!inCi) process.stderr.write(`\n*** ${client} tests SKIPPED: ${reason} ***\n\n`);
  return { run: false, missingInCi: inCi, reason };
}

/**
 * `clientTests` for a test file: also registers, in CI only, a failing test that says what is
 * missing (a skipped suite would pass unseen).
 */
export function clientSuite(client: ClientName): { run: boolean; reason: string } {
  const tests = clientTests(client);
  describe.runIf(tests.missingInCi)(`the real ${client} client in CI`, () => {
    it('is installed', () => {
      throw new Error(`${tests.reason}; .ci/run installs it`);
    });
  });
  return tests;
}
