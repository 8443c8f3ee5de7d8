import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { clientOutput, detectClient, isHookClient, parseHookEvent } from './clients.js';
import { matchServer, type ServerMatch } from './find-server.js';
import { ancestorsOf } from './process-tree.js';
import { listEndpoints, SESSIONS_FOLDER } from './session-files.js';
import { settleWaitMs, type HookAnswer, type HookClient, type HookRequest } from './protocol.js';

/** What a client passes on stdin (the fields cc2cc reads; each client adds more). */
interface HookInput {
  hook_event_name?: unknown;
  session_id?: unknown;
  transcript_path?: unknown;
  cwd?: unknown;
  source?: unknown;
  stop_hook_active?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
}

export interface HookIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  write: (text: string) => void;
  warn: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** `pre-tool`, and the clients' names for it (Claude Code and Codex, Gemini). */
const PRE_TOOL_NAMES = new Set(['pre-tool', 'PreToolUse', 'BeforeTool']);
const ANSWER_TIMEOUT_MS = 5000;
const STDIN_TIMEOUT_MS = 5000;
const MAX_INPUT_BYTES = 4 * 1024 * 1024;
/** Enough of a tool's input to compare with a permission request's preview. */
const MAX_TOOL_INPUT_CHARS = 8192;

/**
 * `cc2cc hook <event> [--client claude|codex|gemini]`: reads the client's event JSON,
 * asks this session's running `cc2cc serve` (over its Unix socket) for what the model
 * has not seen, and prints the client's JSON. A hook must never break the session: on
 * any fault it prints nothing on stdout, says why on stderr, and exits 0.
 */
export async function runHook(args: readonly string[], io: HookIo): Promise<void> {
  try {
    const output = await hookOutput(args, io);
    if (output) io.write(`${output}\n`);
  } catch (error) {
    io.warn(`cc2cc hook: ${error instanceof Error ? error.message : String(error)}; nothing added`);
  }
}

async function hookOutput(args: readonly string[], io: HookIo): Promise<string | undefined> {
  const { eventArg, clientArg } = parseArgs(args);
  const input = parseInput(await readStdin(io.stdin));
  const eventName = typeof input.hook_event_name === 'string' ? input.hook_event_name : undefined;
  if (PRE_TOOL_NAMES.has(eventArg ?? eventName ?? '')) {
    // Before a file edit: the claims guard (src/hooks/pre-tool.ts), loaded only for this event.
    const { preToolOutput } = await import('./pre-tool.js');
    const client = clientArg ?? (eventName === 'BeforeTool' ? 'gemini' : detectClient(eventName, io.env));
    return preToolOutput(input as Record<string, unknown>, client, projectDirOf(input, io), io.env);
  }
  const event = parseHookEvent(eventArg) ?? parseHookEvent(eventName);
  if (!event)
    throw new Error(
      `unknown hook event ${JSON.stringify(eventArg ?? eventName ?? '')}: use session-start, ` +
        `prompt-submit, post-tool, stop or pre-tool`,
    );
  const client = clientArg ?? detectClient(eventName, io.env);
  const request: HookRequest = {
    v: 1,
    event,
    client,
    ...(typeof input.source === 'string' && { source: input.source }),
    ...(typeof input.transcript_path === 'string' && { transcriptPath: input.transcript_path }),
    ...(input.stop_hook_active === true && { stopHookActive: true }),
    // Which tool ran: the server settles a permission request the person answered in the client's dialog.
    ...(event === 'post-tool' &&
      typeof input.tool_name === 'string' && { toolName: input.tool_name, toolInput: toolInputText(input.tool_input) }),
  };
  const project = projectDirOf(input, io);
  const answer = await answerFor(request, project, io);
  return clientOutput(client, event, answer);
}

async function answerFor(request: HookRequest, project: string, io: HookIo): Promise<HookAnswer> {
  let root = findRoot(project);
  let match: ServerMatch = root
    ? await findServer(root, io.env, request.event === 'session-start' ? startWaitMs(io.env) : 0)
    : { none: 'no .cc2cc folder here or above' };
  if ('endpoint' in match) return ask(match.endpoint.socket, request);
  if ('ambiguous' in match) {
    const names = match.ambiguous.map((endpoint) => endpoint.name).join(', ');
    io.warn(
      `cc2cc hook: cannot tell which cc2cc agent is this session's (${names}: ${match.why}); set ` +
        `CC2CC_NAME for the session`,
    );
    if (request.event === 'stop') return {};
    return {
      context:
        `cc2cc: this session's hook cannot tell which agent is yours (${names}); call ` +
        `check_inbox to read your messages.`,
    };
  }
  // No server of this session. Reading the config costs a second or more (it may be TypeScript):
  // worth it at session start, or when CC2CC_NAME says whose inbox to read; not on every tool call.
  if (request.event !== 'session-start' && !io.env.CC2CC_NAME) {
    io.warn(`cc2cc hook: ${match.none}; nothing added`);
    return {};
  }
  const { readWithoutServer } = await import('./no-server.js');
  const result = await readWithoutServer(request, project, io.env);
  if (result.root !== undefined && result.root !== root) {
    // The config names another root: its server may be there.
    root = result.root;
    match = await findServer(root, io.env, 0);
    if ('endpoint' in match) return ask(match.endpoint.socket, request);
  }
  if ('answer' in result) return result.answer;
  if (result.serverStarting !== undefined && result.root !== undefined) {
    // A live server holds the inbox but has not opened its socket yet (it opens it right after):
    // wait for that, briefly.
    const waitMs = settleWaitMs(io.env);
    io.warn(
      `cc2cc hook: the server that holds the inbox (pid ${result.serverStarting}) is starting; ` +
        `waiting up to ${waitMs} ms for its hook socket`,
    );
    match = await findServer(result.root, io.env, waitMs);
    if ('endpoint' in match) return ask(match.endpoint.socket, request);
  }
  io.warn(`cc2cc hook: ${'none' in match ? match.none : match.why}; ${result.why}`);
  return {};
}

/** At session start the client may start the server alongside the hook: wait for it briefly (`CC2CC_HOOK_WAIT_MS`). */
function startWaitMs(env: NodeJS.ProcessEnv): number {
  const waitMs = Number(env.CC2CC_HOOK_WAIT_MS ?? 3000);
  return Number.isFinite(waitMs) ? waitMs : 3000;
}

async function findServer(root: string, env: NodeJS.ProcessEnv, waitMs: number): Promise<ServerMatch> {
  const ancestors = ancestorsOf();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const match = matchServer(await listEndpoints(root), ancestors, env);
    if (!('none' in match) || Date.now() >= deadline) return match;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** One JSON line to the server's socket, one JSON line back. */
function ask(socketPath: string, request: HookRequest): Promise<HookAnswer> {
  return new Promise((resolveAnswer, reject) => {
    const socket = createConnection(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the cc2cc server did not answer within ${ANSWER_TIMEOUT_MS} ms (${socketPath})`));
    }, ANSWER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the cc2cc server at ${socketPath}: ${error.message}`));
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        const answer = JSON.parse(text) as HookAnswer & { error?: string };
        if (answer.error) throw new Error(`the cc2cc server could not answer: ${answer.error}`);
        resolveAnswer({
          ...(typeof answer.context === 'string' && { context: answer.context }),
          ...(typeof answer.block === 'string' && { block: answer.block }),
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

function toolInputText(toolInput: unknown): string {
  return (JSON.stringify(toolInput) ?? '').slice(0, MAX_TOOL_INPUT_CHARS);
}

function parseArgs(args: readonly string[]): { eventArg?: string; clientArg?: HookClient } {
  let eventArg: string | undefined;
  let clientArg: HookClient | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = arg === '--client' ? args[++index] : arg.startsWith('--client=') ? arg.slice(9) : undefined;
    if (arg === '--client' || arg.startsWith('--client=')) {
      if (!isHookClient(value))
        throw new Error(`--client must be claude, codex or gemini, not ${JSON.stringify(value ?? '')}`);
      clientArg = value;
    } else if (!arg.startsWith('-') && eventArg === undefined) eventArg = arg;
  }
  return { ...(eventArg !== undefined && { eventArg }), ...(clientArg && { clientArg }) };
}

function parseInput(text: string): HookInput {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the event on stdin is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('the event on stdin is not a JSON object');
  return value as HookInput;
}

function readStdin(stdin: HookIo['stdin']): Promise<string> {
  if (stdin.isTTY) return Promise.resolve('');
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(
      () => reject(new Error(`no end of input on stdin within ${STDIN_TIMEOUT_MS} ms`)),
      STDIN_TIMEOUT_MS,
    );
    stdin.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > MAX_INPUT_BYTES) {
        clearTimeout(timer);
        reject(new Error('the event on stdin is larger than 4 MiB'));
        return;
      }
      chunks.push(buffer);
    });
    stdin.on('end', () => {
      clearTimeout(timer);
      resolveText(Buffer.concat(chunks).toString('utf8'));
    });
    stdin.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The project: what the client says (env, then the event's cwd), else our own cwd. */
function projectDirOf(input: HookInput, io: HookIo): string {
  const candidates = [
    io.env.CLAUDE_PROJECT_DIR,
    io.env.GEMINI_PROJECT_DIR,
    typeof input.cwd === 'string' ? input.cwd : undefined,
    io.cwd,
  ];
  return resolve(candidates.find((dir) => dir !== undefined && dir !== '') ?? io.cwd);
}

/** The nearest `.cc2cc/` with a sessions folder, from `dir` upwards (the default root). */
function findRoot(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const root = join(current, '.cc2cc');
    if (existsSync(join(root, SESSIONS_FOLDER))) return root;
    if (dirname(current) === current) return undefined;
  }
}
