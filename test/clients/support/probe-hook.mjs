#!/usr/bin/env node
// A hook for the harness tests: `node probe-hook.mjs <event> <marker> <log>`. It adds
// "<marker>-<event>-<pid>" (one text per run) to the model's context with the answer all three
// clients take, and appends
// to <log> one JSON line with what it saw: its input, its environment and its process ancestry.
import { appendFileSync, readFileSync } from 'node:fs';

const [event, marker, log] = process.argv.slice(2);
let input = null;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch {
  // No input or not JSON: record that as null.
}
const ancestry = [];
for (let pid = process.pid; pid > 1 && ancestry.length < 64; ) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    break;
  }
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  ancestry.push({ pid, command });
  pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
const context = `${marker}-${event}-${process.pid}`;
appendFileSync(log, `${JSON.stringify({ event, context, pid: process.pid, ancestry, env: process.env, input })}\n`);
process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: context } }));
