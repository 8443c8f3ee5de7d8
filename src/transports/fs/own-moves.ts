/** Past this many names waiting for their event, the oldest are forgotten (events can be lost). */
const MAX_WAITING = 4096;

/**
 * The watch events a receiver causes itself. Its claim renames a file out of `inbox/`, and
 * the watch on `inbox/` reports that rename like any other: looking at the folder again for
 * it would list `inbox/` twice per message. So each move out is noted before it is made,
 * and the one event named after it is passed over. Events arrive in the order the moves
 * happened, so a file that comes back under the same name later (a retry) still wakes the
 * receiver. A note whose event never came (the system dropped events) passes over at most
 * one later event of that name, and the owner clears them all on each rescan, which looks
 * at the whole folder anyway.
 */
export class OwnMoves {
  private readonly waiting = new Map<string, number>();

  /** Call right before moving `name` out of the watched folder. */
  expect(name: string): void {
    this.waiting.set(name, (this.waiting.get(name) ?? 0) + 1);
    if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** True (and the note is used up) when this event is one this receiver caused. */
  seen(name: string): boolean {
    const count = this.waiting.get(name);
    if (count === undefined) return false;
    if (count > 1) this.waiting.set(name, count - 1);
    else this.waiting.delete(name);
    return true;
  }

  clear(): void {
    this.waiting.clear();
  }
}
