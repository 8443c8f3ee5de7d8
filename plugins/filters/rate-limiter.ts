/** A sliding window per sender: at most `limit` admissions per `windowMs`. */
export class RateLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Undefined when admitted now; otherwise how long until there is room. */
  admit(sender: string, now: number): number | undefined {
    const times = (this.admitted.get(sender) ?? []).filter((time) => now - time < this.windowMs);
    if (times.length >= this.limit) {
      this.admitted.set(sender, times);
      return Math.max(1, times[0]! + this.windowMs - now);
    }
    times.push(now);
    this.admitted.set(sender, times);
    return undefined;
  }
}
