/**
 * Stops two agents from answering each other forever. An exchange is a send to a peer
 * that answers something the peer sent; after `maxTurns` exchanges without a human
 * message or `quietMs` of silence, the next send to that peer is held back.
 */
export class PingPongGuard {
  private readonly turns = new Map<string, { count: number; last: number; awaitingAnswer: boolean }>();

  constructor(
    private readonly maxTurns: number,
    private readonly quietMs: number,
  ) {}

  received(peer: string, fromHuman: boolean, now: number): void {
    if (fromHuman) {
      this.turns.clear();
      return;
    }
    const state = this.fresh(peer, now);
    state.awaitingAnswer = true;
    state.last = now;
  }

  /** A notice when this send is held back, else undefined. */
  sending(peer: string, now: number): string | undefined {
    const state = this.fresh(peer, now);
    if (!state.awaitingAnswer) return undefined;
    if (state.count >= this.maxTurns) {
      return (
        `held back: ${state.count} back-and-forth exchanges with ${peer} without a human ` +
        `turn (filters.pingPong.maxTurns = ${this.maxTurns}); ask the user before going on`
      );
    }
    state.count++;
    state.awaitingAnswer = false;
    state.last = now;
    return undefined;
  }

  private fresh(peer: string, now: number) {
    let state = this.turns.get(peer);
    if (!state || now - state.last > this.quietMs) {
      state = { count: 0, last: now, awaitingAnswer: false };
      this.turns.set(peer, state);
    }
    return state;
  }
}
