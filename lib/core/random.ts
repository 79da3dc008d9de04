/**
 * Seeded randomness. Every stochastic choice in nasbook draws from an `Rng`, so a run is
 * reproduced by its seed alone (sampling, shuffling, weight init via `rng.seed()`).
 */
export class Rng {
  private current: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError(`Rng seed must be an integer, got ${seed}`);
    this.current = seed >>> 0;
  }

  /** The generator's whole state: a checkpoint keeps it, and setting it back (or `new Rng(state)`) continues the same sequence. */
  get state(): number {
    return this.current;
  }

  set state(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`Rng state must be a 32-bit unsigned integer, got ${value}`);
    this.current = value;
  }

  /** Uniform in [0, 1) (mulberry32: small, fast and good enough for search decisions). */
  next(): number {
    this.current = (this.current + 0x6d2b79f5) >>> 0;
    let t = this.current;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A fresh 31-bit seed, e.g. for tf initializers or a child Rng. */
  seed(): number {
    return this.int(0x7fffffff);
  }

  /** An independent generator; drawing from it does not disturb this one's sequence afterwards. */
  fork(): Rng {
    return new Rng(this.seed());
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice on an empty list");
    return items[this.int(items.length)];
  }

  /** A uniform choice among the items other than `current` (mutations that must change something). */
  choiceExcept<T>(items: readonly T[], current: T): T {
    const others = items.filter((item) => item !== current);
    return others.length > 0 ? this.choice(others) : current;
  }

  /** Fisher-Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Categorical draw from unnormalised non-negative weights. */
  categorical(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new RangeError("Rng.categorical needs a positive total weight");
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}
