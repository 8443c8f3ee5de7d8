/**
 * Group commit: callers that each need "a flush that started after my change" share one.
 * A request while no flush runs starts one at once; requests that arrive while a flush
 * runs (it may have started before their change) all wait for the one next flush, which
 * starts when the running one ends. So each request resolves only after a flush that
 * began after it was made, and N concurrent requests cost at most two flushes, not N.
 * A failed flush rejects every request that shared it.
 */
export class GroupCommit {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly flush: () => Promise<void>) {}

  /** Call after the change (a rename) is made; resolves once a flush has covered it. */
  request(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return this.begin();
    this.next = this.running
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.begin();
      });
    return this.next;
  }

  /** No flush running or waiting: the owner may drop this object. */
  get idle(): boolean {
    return this.running === undefined && this.next === undefined;
  }

  private begin(): Promise<void> {
    const run = this.flush().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
