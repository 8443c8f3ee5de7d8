import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatEvent, formatMonitorEvent } from '../../src/cli/commands/tail.js';
import { formatFinding } from '../../src/cli/commands/doctor.js';
import { createStyle } from '../../src/cli/style.js';
import { terminalJson, terminalSafe } from '../../src/cli/terminal-safe.js';
import { validateEnvelope } from '../../src/kernel/envelope.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI } from '../cli/process-helpers.js';
import { check, envelopeObjectArb, fuzzOptions, RUNS } from '../reliability/support/fuzz.js';
import { hostileTextArb } from './support/frames.js';

/** Raw bytes a terminal acts on: C0 (newline aside, between lines), DEL, C1, and bidi/line controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;
const RAW_CONTROL_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;
// Our own colours, and nothing else, may carry ESC.
const OWN_COLOURS = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;

const ESCAPES = [
  '\u001b]52;c;cm0gLXJmIH4=\u0007',
  '\u001b]0;boss\u0007',
  '\u001b[2K\r12:00:00 queued boss → bob: run rm -rf ~',
  '\u009b31m',
  '\u202ebob\u202c',
  '\u0007\u007f\b',
];
const terminalTextArb = fc.oneof(
  hostileTextArb,
  fc.array(fc.constantFrom(...ESCAPES), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('x')),
);
const DEAD_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('what cc2cc prints to a terminal holds no raw control characters', () => {
  it(
    'terminalSafe and terminalJson: no raw control for any input; safe text unchanged; JSON ' +
      'reads back the same value',
    () => {
      fc.assert(
        fc.property(terminalTextArb, (text) => {
          const safe = terminalSafe(text);
          check(!RAW_CONTROL_IN_LINE.test(safe), () => `raw control in ${JSON.stringify(safe)}`);
          if (!RAW_CONTROL_IN_LINE.test(text)) check(safe === text, 'text without controls was changed');
          const json = terminalJson({ text }, 2);
          check(!RAW_CONTROL.test(json), () => `raw control in ${json}`);
          check((JSON.parse(json) as { text: string }).text === text, 'JSON does not read back');
        }),
        fuzzOptions(1611),
      );
    },
  );

  it(
    "tail lines and doctor findings, in colour and plain: only cc2cc's own colour codes, nothing " + 'raw from the bus',
    () => {
      const styles = [createStyle(false), createStyle(true)];
      fc.assert(
        fc.property(
          envelopeObjectArb,
          terminalTextArb,
          terminalTextArb,
          fc.constantFrom('queued', 'claimed', 'done', 'dead') as fc.Arbitrary<'dead'>,
          (object, text, reason, state) => {
            const envelope = validateEnvelope({ ...object, text });
            for (const style of styles) {
              const lines = [
                formatEvent({ agent: envelope.from, state, id: envelope.id, envelope, reason }, style),
                formatEvent({ agent: 'bob', state: 'dead', id: envelope.id, reason: text }, style),
                formatMonitorEvent({ state: text, agent: 'bob', text: reason }, style),
                formatFinding(
                  { level: 'warn', check: 'dead-letters', message: `bob: ${envelope.id}: ${reason}`, fix: text },
                  style,
                ),
              ];
              for (const line of lines)
                check(!RAW_CONTROL.test(line.replace(OWN_COLOURS, '')), () => `raw control in ${JSON.stringify(line)}`);
            }
          },
        ),
        fuzzOptions(1612, Math.ceil(RUNS / 2)),
      );
    },
  );
});

describe('real cc2cc tail and doctor processes', () => {
  let project: string;
  const children: Array<ReturnType<typeof spawn>> = [];
  beforeEach(async () => {
    project = await mkdtemp(join(tmpdir(), 'cc2cc-terminal-'));
    await writeFile(join(project, '.cc2ccrc.json'), JSON.stringify({ agents: ['bob'] }));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(project, { recursive: true, force: true });
  });

  /** Runs the CLI in colour, keeping stdout as raw text (a line reader would swallow a raw \r). */
  function cli(args: string[]) {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '1', PATH: '' },
    });
    children.push(child);
    const out = { stdout: '', stderr: '' };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
    return { child, out, exited: once(child, 'exit') };
  }

  it(
    'a message with OSC 52, a title and an erase-line shows as visible escapes in tail; a ' +
      'planted dead-letter reason too in tail and doctor',
    async () => {
      const tails = [cli(['tail']), cli(['tail', '--json'])];
      for (const tail of tails)
        await waitFor(() => tail.out.stderr.includes('cc2cc tail: watching'), { what: 'tail to start' });
      const sent = cli(['send', 'bob', ESCAPES.join(' | '), '--from', 'alice']);
      await sent.exited;
      expect(RAW_CONTROL.test(sent.out.stdout.replace(OWN_COLOURS, ''))).toBe(false);

      // A planted dead letter whose reason quotes raw bytes.
      const dead = join(project, '.cc2cc', 'to-bob', 'dead');
      await mkdir(dead, { recursive: true });
      await writeFile(join(dead, `${DEAD_ID}.reason`), `bad file: ${ESCAPES[0]} ${ESCAPES[2]}\n`);
      await writeFile(join(dead, `${DEAD_ID}.json`), '{}');
      for (const [index, tail] of tails.entries()) {
        await waitFor(() => tail.out.stdout.includes('alice') && tail.out.stdout.includes(DEAD_ID), {
          what: `tail ${index} to show the message and the dead letter`,
          timeoutMs: 20_000,
        });
        expect(tail.out.stdout).toMatch(/\\(x1b|u001b)\]52;c;cm0gLXJmIH4=\\(x07|u0007)/);
        expect(tail.out.stdout).toMatch(/\\u202ebob/);
        expect(RAW_CONTROL.test(tail.out.stdout.replace(OWN_COLOURS, ''))).toBe(false);
      }
      for (const args of [['doctor'], ['doctor', '--json']]) {
        const run = cli(args);
        await run.exited;
        expect(run.out.stdout, args.join(' ')).toContain(DEAD_ID);
        expect(run.out.stdout, args.join(' ')).toMatch(/\\(x1b|u001b)\]52;c;cm0gLXJmIH4=/);
        expect(RAW_CONTROL.test(run.out.stdout.replace(OWN_COLOURS, '')), args.join(' ')).toBe(false);
      }
    },
  );
});
