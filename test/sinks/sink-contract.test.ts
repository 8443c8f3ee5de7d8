import { runSinkContract } from '../../src/testing/sink-contract.js';
import { ConsoleSink } from '../../src/sinks/console-sink.js';
import { QueueSink } from '../../src/sinks/queue-sink.js';
import { breakableChannel } from './breakable-channel.js';

const NO_NOTICE = { reason: 'it has no notice (the bus then tells nobody)', tests: ['notice'] } as const;

runSinkContract({
  name: 'channel',
  async create() {
    const { channel, pushed, breakAgent } = await breakableChannel();
    return { sink: channel, received: () => pushed.map((notification) => notification.content), breakAgent };
  },
  skip: [NO_NOTICE],
});

runSinkContract({
  name: 'channel, closed',
  async create() {
    const { channel, pushed } = await breakableChannel();
    const received = () => pushed.map((notification) => notification.content);
    return { sink: channel, received, breakAgent: () => channel.close('the test closed it') };
  },
  skip: [NO_NOTICE],
});

runSinkContract({
  name: 'console',
  create() {
    const lines: string[] = [];
    let broken = false;
    const sink = new ConsoleSink((line) => {
      if (broken) throw new Error('EPIPE: the terminal went away');
      lines.push(line);
    });
    // A line is `time from → to: text`: the agent's copy of the text is after the first ": ".
    const received = () => lines.map((line) => line.slice(line.indexOf(': ') + 2));
    return { sink, received, breakAgent: () => (broken = true) };
  },
  skip: [NO_NOTICE],
});

runSinkContract({
  name: 'queue',
  create() {
    const sink = new QueueSink();
    const read: string[] = [];
    const take = async () => void read.push(...(await sink.take()).map((envelope) => envelope.text));
    return { sink, received: () => read, read: take };
  },
  skip: [{ reason: 'the queue takes every message; the agent reads it later', tests: ['refusal'] }, NO_NOTICE],
});
