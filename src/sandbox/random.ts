/**
 * A small seeded pseudo-random generator (mulberry32). The sandbox must produce byte-identical data
 * for the same options on every machine and Node version, so nothing here may touch Math.random.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Folding the seed through a multiply keeps nearby seeds (1, 2, 3) from starting in nearby states.
    this.state = Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new Error('Cannot pick from an empty list');
    }
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A few distinct items, in their original order so the output reads naturally. */
  sample<T>(items: readonly T[], count: number): T[] {
    const indexes = items.map((_, i) => i);
    for (let i = indexes.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
    }
    return indexes
      .slice(0, Math.min(count, items.length))
      .sort((a, b) => a - b)
      .map((i) => items[i] as T);
  }

  /**
   * A generator of its own for one named part of the data, so that adding a client or a resource
   * kind elsewhere does not shift everything generated after it.
   */
  static derive(seed: number, label: string): Random {
    return new Random(hashString(`${seed >>> 0}:${label}`));
  }
}

/** FNV-1a, 32 bits: enough to spread labels over seeds; not for anything security related. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
