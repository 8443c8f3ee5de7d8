import { DEFAULT_MAX_PUSH_CHARS } from '../../src/sinks/channel-limits.js';
import { ChannelSink, type ChannelNotification } from '../../src/sinks/channel-sink.js';

/** A started channel sink whose pushes are recorded, until `breakAgent()` makes them fail. */
export async function breakableChannel(): Promise<{
  channel: ChannelSink;
  pushed: ChannelNotification[];
  breakAgent(): void;
}> {
  const pushed: ChannelNotification[] = [];
  let broken = false;
  const channel = new ChannelSink(
    async (notification) => {
      if (broken) throw new Error('the MCP connection failed');
      pushed.push(notification);
    },
    { maxTextChars: DEFAULT_MAX_PUSH_CHARS },
  );
  await channel.start();
  return { channel, pushed, breakAgent: () => (broken = true) };
}
