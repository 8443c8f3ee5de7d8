import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Cc2ccError, type CommandDefinition, type State } from '../../src/plugin.js';
import { allClaims, describeClaim, holdersOf } from './claim-store.js';

/**
 * `cc2cc claims [--json]`: every claim. `cc2cc claims check [--staged] [paths...]`: exit 1
 * when another agent holds one of the paths (the pre-commit hook `cc2cc init --git-hook`
 * installs). "Another" is anyone but the agent of this session: `--as`, `CC2CC_NAME`, or
 * the running server of the client session this runs in (a commit made by an agent).
 */
export function claimsCommand(state: State, now: () => number): CommandDefinition {
  return {
    name: 'claims',
    description: 'list file claims; "claims check [--staged] [paths...]" exits 1 when another agent holds a path',
    arguments: ['[action]', '[paths...]'],
    options: [
      { flags: '--json', description: 'print JSON' },
      { flags: '--staged', description: 'check: the files staged in git' },
      {
        flags: '--as <name>',
        description: "check: the agent committing (default: CC2CC_NAME, or this session's agent)",
      },
    ],
    async run(args, options, { bus, print, sender }) {
      const [action = 'list', ...rest] = args;
      const at = now();
      if (action === 'list') {
        const all = await allClaims(state, at);
        if (options.json)
          print(
            JSON.stringify(
              all.map((claim) => ({ ...claim, expiresAt: new Date(claim.expiresAt).toISOString() })),
              null,
              2,
            ),
          );
        else if (all.length === 0) print('no claims');
        else for (const claim of all) print(describeClaim(claim, at));
        return 0;
      }
      if (action !== 'check')
        throw new Cc2ccError(
          'BAD_INPUT',
          `unknown claims action "${action}": use "cc2cc claims" or "cc2cc claims check [--staged] [paths...]"`,
        );
      const project = realpathSync(bus.config.projectDir);
      const paths = [
        ...rest.map((path) => toProjectPath(project, resolve(realpathSync(process.cwd()), path))),
        ...(options.staged ? stagedPaths(project) : []),
      ].filter((path): path is string => path !== undefined);
      const self = typeof options.as === 'string' ? options.as : await sender();
      const held = holdersOf(await allClaims(state, at), self, paths);
      if (held.length === 0) {
        print(`cc2cc: ${paths.length} path(s) checked; none is claimed by another agent`);
        return 0;
      }
      const blocked = paths.filter((path) => holdersOf(held, self, [path]).length > 0);
      print(
        `cc2cc: ${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} claimed by another ` +
          `agent: ${held.map((claim) => describeClaim(claim, at)).join('; ')}`,
      );
      print(
        `(committing as ${self ?? 'nobody known: set CC2CC_NAME or pass --as'}; ask the holder to ` +
          `release, or commit without those files)`,
      );
      return 1;
    },
  };
}

/** The staged files (added, copied, modified, renamed), relative to the project folder. */
function stagedPaths(project: string): string[] {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const top = git('rev-parse', '--show-toplevel').trim();
  return git('diff', '--cached', '--name-only', '-z', '--diff-filter=ACMRD')
    .split('\0')
    .filter(Boolean)
    .map((path) => toProjectPath(project, join(top, path)))
    .filter((path): path is string => path !== undefined);
}

/** Relative to the project with `/`; undefined outside it (no claim can cover it). */
function toProjectPath(project: string, absolute: string): string | undefined {
  const path = relative(project, absolute);
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return undefined;
  return path.split(sep).join('/');
}
