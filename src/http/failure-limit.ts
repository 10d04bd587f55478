/**
 * Counts failed attempts per key in a sliding window and says when to refuse further attempts: a
 * brake on guessing credentials such as ECD push keys. The caller picks the key (the ECD push uses
 * the organisation named and the client address). A success does not wipe the count: an attacker who
 * shares an address with the real client would otherwise get a fresh set of guesses after each of
 * its successes. Per instance; several instances each apply it, which bounds guessing all the same.
 */
export class FailureLimit {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const recent = this.#recent(key);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  /** Failures of the key within the window. */
  count(key: string): number {
    return this.#recent(key).length;
  }

  fail(key: string): void {
    const recent = this.#recent(key);
    recent.push(this.now());
    this.#failures.set(key, recent);
    // Keeps the map from growing without bound under a spray of addresses.
    if (this.#failures.size > 10_000) {
      for (const [k] of this.#failures) {
        if (this.#recent(k).length === 0) this.#failures.delete(k);
      }
    }
  }

  #recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}
