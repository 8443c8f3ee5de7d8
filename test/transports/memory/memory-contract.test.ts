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
    { reason: 'a memory space lives in one process', tests: ['shares traffic with an observer in another process, both ways'] },
    { reason: 'it writes each copy on its own (the kernel calls put per recipient)', tests: ['puts one envelope in several inboxes at once with putMany'] },
    { reason: 'it does not replay yet (Transport.observe)', tests: ['replays the messages it holds to a new observer, once per inbox in their state now, oldest first'] },
    {
      reason: 'a receiver that dies takes its process, and the memory space, with it',
      tests: ['counts an offer that a crashed receiver did not survive in the next attempt'],
    },
  ],
});
