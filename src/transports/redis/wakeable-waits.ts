import type { RedisClient } from './connection.js';

/**
 * The waiting of one receiver: sleeps and blocking reads on its own connection, both of
 * which `wake()` cuts short when there is something to do, and `stop()` ends for good.
 */
export class WakeableWaits {
  private stopped = false;
  private wakeSleeper: (() => void) | undefined;
  private blockingId: number | undefined;
  private reading = false;
  /** Counts blocking reads, so that a wake-up cuts short the read it was meant for only. */
  private reads = 0;

  constructor(
    /** The receiver's own connection: a blocking read ties it up. */
    private readonly blocking: RedisClient,
    /** CLIENT UNBLOCK, sent on another connection: 1 when it cut a blocked command short. */
    private readonly unblock: (clientId: number) => Promise<number>,
  ) {
    // A reconnection is a new client on the server, with a new id.
    blocking.on('ready', () => {
      this.blockingId = undefined;
    });
  }

  /** A blocking read that `wake()` and `stop()` cut short. */
  async read<T>(read: (client: RedisClient) => Promise<T>): Promise<T> {
    this.blockingId ??= await this.blocking.clientId();
    this.reads++;
    this.reading = true;
    try {
      return await read(this.blocking);
    } finally {
      this.reading = false;
    }
  }

  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  wake(): void {
    this.wakeSleeper?.();
    if (this.reading && !this.stopped) void this.unblockRead(this.reads);
  }

  /** Drops the connection: a read in progress fails at once (what it had taken stays pending in Redis). */
  stop(): void {
    this.stopped = true;
    this.blocking.destroy();
    this.wakeSleeper?.();
  }

  /** The read may not have reached Redis yet (it travels on the other connection): try again briefly. */
  private async unblockRead(read: number): Promise<void> {
    for (let tries = 0; tries < 40 && this.reading && this.reads === read && !this.stopped; tries++) {
      const id = this.blockingId;
      if (id !== undefined && (await this.unblock(id).catch(() => 0)) === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
