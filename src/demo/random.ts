// A small seeded pseudo-random number generator for demo and benchmark data.
//
// Why not Math.random: demo data must be reproducible (the same seed gives byte-identical files on every
// machine), so tests, screenshots and benchmarks can be compared run to run. The generator is sfc32
// (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state, passes PractRand), seeded through splitmix32 so
// that nearby seeds (1, 2, 3...) still give unrelated streams.

const TWO_POW_32 = 4_294_967_296;

/** Finaliser from MurmurHash3: spreads every input bit over the whole 32-bit word. */
function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Folds integers (seed, stream index...) into one 32-bit word; safe integers above 2^32 keep their high bits. */
function hashIntegers(parts: readonly number[]): number {
  let hash = 0x811c_9dc5;
  for (const part of parts) {
    if (!Number.isSafeInteger(part)) throw new RangeError(`seed parts must be safe integers, got ${part}`);
    const low = part >>> 0;
    const high = Math.floor(part / TWO_POW_32) >>> 0;
    hash = mix32(Math.imul(hash ^ low, 0x0100_0193));
    hash = mix32(Math.imul(hash ^ high, 0x0100_0193));
  }
  return hash;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** One stream per list of integers: `new Random(seed)` or `new Random(seed, hazardIndex)`. */
  constructor(...seedParts: number[]) {
    if (seedParts.length === 0) throw new RangeError('a Random needs at least one seed integer');
    // splitmix32 turns the hashed seed into four well-separated state words.
    let state = hashIntegers(seedParts);
    const nextSeedWord = (): number => {
      state = (state + 0x9e37_79b9) >>> 0;
      return mix32(state);
    };
    this.a = nextSeedWord();
    this.b = nextSeedWord();
    this.c = nextSeedWord();
    this.d = nextSeedWord();
    // The first outputs of sfc32 still correlate with the seed: discard them.
    for (let i = 0; i < 12; i += 1) this.nextUint32();
  }

  /** The raw sfc32 step: an unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): bounds must be integers with min <= max`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks an item with probability proportional to its weight; weights need not sum to 1. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, weight] of choices) {
      if (!(weight >= 0)) throw new RangeError(`weights must be >= 0, got ${weight}`);
      total += weight;
    }
    if (total <= 0) throw new RangeError('weighted() needs at least one positive weight');
    let remaining = this.next() * total;
    for (const [item, weight] of choices) {
      remaining -= weight;
      if (remaining < 0) return item;
    }
    // Floating-point leftovers: fall back to the last item that can be chosen.
    for (let i = choices.length - 1; i >= 0; i -= 1) {
      const choice = choices[i] as readonly [T, number];
      if (choice[1] > 0) return choice[0];
    }
    throw new RangeError('unreachable: no positive weight');
  }

  /** Normal distribution (Box-Muller; one value per call keeps the stream position easy to reason about). */
  normal(mean = 0, standardDeviation = 1): number {
    const u1 = 1 - this.next(); // in (0, 1]: log(0) would be -Infinity
    const u2 = this.next();
    return mean + standardDeviation * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal with the given median (exp(mu)) and sigma of the underlying normal. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Fisher-Yates shuffle into a new array. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      const held = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = held;
    }
    return copy;
  }
}
