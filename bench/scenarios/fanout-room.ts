import { performance } from 'node:perf_hooks';
import { rooms } from '../../plugins/rooms/index.js';
import { fsTransports, kernel, TimingSink } from '../harness.js';
import { summarize } from '../stats.js';
import { scaled, type Scenario } from '../scenario.js';

/** One broadcast to a room of 50 agents: the time until the last member has it. */
export const fanoutRoom: Scenario = {
  name: 'fanout-room',
  async run(context) {
    const size = 50;
    const members = Array.from({ length: size }, (_, i) => `member-${i}`);
    const transports = fsTransports(context.dir);
    const plugin = () => rooms({ members: { all: members } });
    const agents = [];
    for (const name of members) {
      const sink = new TimingSink();
      const agent = await kernel(await transports(), { sink, plugins: [plugin()] });
      await agent.bus.attach(name);
      agents.push({ agent, sink });
    }
    const sender = await kernel(await transports(), { plugins: [plugin()] });
    const rounds = scaled(20, context.scale, 3);
    const samples: number[] = [];
    try {
      for (let round = 1; round <= rounds; round++) {
        const started = performance.now();
        await sender.bus.send({ from: 'broadcaster', to: 'room:all', text: `round ${round}` });
        await Promise.all(agents.map(({ sink }) => sink.until(round)));
        samples.push(Math.max(...agents.map(({ sink }) => [...sink.arrivals.values()].at(-1)!)) - started);
      }
    } finally {
      await sender.close();
      await Promise.all(agents.map(({ agent }) => agent.close()));
    }
    return {
      name: 'fanout-room',
      description: `one send to a room of ${size}, until the last member has it (${rounds} rounds)`,
      latency: summarize(samples),
      samples,
    };
  },
};
