import { runTransportContract } from '../../contract/transport-contract.js';
import { MemorySpace, MemoryTransport } from '../../../src/transports/memory/memory-transport.js';

runTransportContract({
  name: 'memory',
  async create() {
    const space = new MemorySpace();
    return {
      connect: async () => new MemoryTransport(space),
      cleanup: async () => {},
    };
  },
});
