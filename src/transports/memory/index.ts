export { MemorySpace, MemoryTransport } from './memory-transport.js';
