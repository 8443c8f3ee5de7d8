import type { Command } from 'commander';

export function registerHook(program: Command): void {
  program
    .command('hook')
    .description(
      'a client hook: puts the messages the model has not seen into its context (Claude Code, Codex CLI, Gemini CLI)',
    )
    .argument(
      '<event>',
      "session-start, prompt-submit, post-tool, stop or pre-tool (or the client's own name: " +
        'UserPromptSubmit, BeforeAgent, PreToolUse, BeforeTool, ...)',
    )
    .option('--client <name>', 'claude, codex or gemini (default: told from the event and the environment)')
    .addHelpText(
      'after',
      '\nThe client runs it with its event JSON on stdin; `cc2cc init` installs it. It asks this ' +
        "session's running `cc2cc serve` and prints the client's JSON; on any fault it prints " +
        'nothing and exits 0.\n\nExamples:\n  $ echo \'{"hook_event_name":"UserPromptSubmit"}\' | ' +
        'cc2cc hook prompt-submit\n  $ cc2cc hook stop --client codex < event.json',
    )
    .action(async (event: string, options: { client?: string }) => {
      // Reached only as `cc2cc --config FILE hook ...`; a plain `cc2cc hook` never loads commander (see main.ts).
      const { runHookProcess } = await import('../../hooks/hook-process.js');
      await runHookProcess([event, ...(options.client ? ['--client', options.client] : [])]);
    });
}
