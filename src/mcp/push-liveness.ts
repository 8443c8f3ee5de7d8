/** Whether this session's channel pushes reach the conversation (DESIGN §4, delivery paths). */
export type PushLiveness = 'unknown' | 'live' | 'not reaching';

/**
 * What a session knows about its pushes. `unknown` until a hook brings evidence: a pushed
 * id found in the client's transcript (live), or the self-wake missing from it after the
 * grace time, or a client that has no channel push at all (not reaching). Once not
 * reaching, it stays so for the session: the server stops pushing and the agent is told
 * once, in the next hook context or tool result.
 */
export class PushState {
  private current: PushLiveness = 'unknown';
  private noticePending = false;

  constructor(private readonly onChange: (liveness: PushLiveness, why: string) => void) {}

  get liveness(): PushLiveness {
    return this.current;
  }

  /** Pushes are worth writing: not known to go nowhere. */
  get pushing(): boolean {
    return this.current !== 'not reaching';
  }

  confirm(why: string): void {
    if (this.current !== 'unknown') return;
    this.current = 'live';
    this.onChange('live', why);
  }

  notReaching(why: string): boolean {
    if (this.current === 'not reaching') return false;
    this.current = 'not reaching';
    this.noticePending = true;
    this.onChange('not reaching', why);
    return true;
  }

  /** The one-time line that tells the agent pushes stopped, or undefined once it was said. */
  takeNotice(): string | undefined {
    if (!this.noticePending) return undefined;
    this.noticePending = false;
    return (
      'cc2cc: channel pushes do not reach this conversation, so cc2cc stopped pushing: ' +
      'messages now come in hook context and through check_inbox.'
    );
  }
}
