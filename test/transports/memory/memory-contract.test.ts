import { runTransportContract } from '../../../src/testing/transport-contract.js';
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
  skip: [
    { reason: 'a memory space lives in one process', tests: ['observe across processes'] },
    { reason: 'it writes each copy on its own (the kernel calls put per recipient)', tests: ['putMany'] },
    { reason: 'it does not replay yet (Transport.observe)', tests: ['observe replay'] },
    { reason: 'a receiver that dies takes the memory space with it', tests: ['attempts across crashes'] },
    { reason: 'one process: no other receiver can take an inbox from a live one', tests: ['lost inbox'] },
    { reason: 'one process: its inboxes have no lock that a store could lose', tests: ['retaken inbox'] },
  ],
});
