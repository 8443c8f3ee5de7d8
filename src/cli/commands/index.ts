import type { Command } from 'commander';
import { registerAgents } from './agents.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerHook } from './hook.js';
import { registerInit } from './init.js';
import { registerSend } from './send.js';
import { registerServe } from './serve.js';
import { registerStatus } from './status.js';
import { registerTail } from './tail.js';
import { registerUi } from './ui.js';

/** Every built-in verb, in the order `--help` lists them. */
export function registerBuiltinCommands(program: Command): void {
  registerInit(program);
  registerServe(program);
  registerSend(program);
  registerStatus(program);
  registerAgents(program);
  registerTail(program);
  registerUi(program);
  registerDoctor(program);
  registerDemo(program);
  registerHook(program);
}
