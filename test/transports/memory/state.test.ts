import { MemorySpace, MemoryTransport } from '../../../src/transports/memory/memory-transport.js';
import { runStateContract } from '../../../src/testing/state-contract.js';

runStateContract({
  name: 'memory',
  async create() {
    const space = new MemorySpace();
    return { connect: async () => new MemoryTransport(space).busState, cleanup: async () => {} };
  },
});
