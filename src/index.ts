/** cc2cc as a library: the kernel, the built-in transports and sinks, config helpers. */
import './kernel/di.js'; // the Reflect metadata polyfill (tsyringe's decorators), for the kernel and its users

export * from './plugin.js';
export { sessionAgentName } from './hooks/session-agent.js';
export { defineConfig, type Cc2ccConfig } from './config/schema.js';
export { loadConfig, resolveConfig, type LoadedConfig } from './config/load.js';
export { createRuntime, type RuntimeOptions } from './runtime.js';
export { createTransport, registerTransport } from './transports/registry.js';
export { MemoryTransport, MemorySpace } from './transports/memory/memory-transport.js';
export { FsTransport, createFsTransport } from './transports/fs/index.js';
export { QueueSink } from './sinks/queue-sink.js';
export { ConsoleSink } from './sinks/console-sink.js';
export { formatMessageFrame, formatMessageFrames, WHOLE_TEXT } from './sinks/message-frame.js';
