/**
 * Counts failed attempts per key (a client address) in a sliding window and says when to refuse
 * further attempts: a brake on guessing credentials such as ECD push keys. Per instance; several
 * instances each apply it, which bounds guessing all the same.
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

  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}
