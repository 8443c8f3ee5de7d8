import { runSinkContract } from '../../src/testing/sink-contract.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { AgentDelivery, DELIVERY_MODES } from '../../src/mcp/delivery.js';
import { breakableChannel } from '../sinks/breakable-channel.js';

// The sink `cc2cc serve` gives the kernel, in each delivery mode. The agent has a message
// when a push carried it (push) or when check_inbox returned it (pull, auto: held until then).
for (const mode of DELIVERY_MODES) {
  runSinkContract({
    name: `AgentDelivery (${mode})`,
    async create() {
      const { channel, pushed, breakAgent } = await breakableChannel();
      const delivery = new AgentDelivery({ mode, channel, logger: silentLogger });
      const read: string[] = [];
      const messages = () => pushed.filter((notification) => notification.meta.kind !== 'system');
      const system = () => pushed.filter((notification) => notification.meta.kind === 'system');
      return {
        sink: delivery,
        received: () => (mode === 'push' ? messages().map((notification) => notification.content) : read),
        read: async () => void read.push(...(await delivery.read()).map((envelope) => envelope.text)),
        breakAgent,
        // Pushed where pushes go, and on the next tool result.
        notices: () => [...system().map((notification) => notification.content), delivery.note() ?? ''],
      };
    },
    skip:
      mode === 'pull'
        ? [
            {
              reason: 'pull mode holds every message for check_inbox: it cannot fail to reach the agent',
              tests: ['refusal'],
            },
          ]
        : [],
  });
}
