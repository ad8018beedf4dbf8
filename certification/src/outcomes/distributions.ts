/**
 * @module outcomes/distributions
 * Exact distributions of the service's outcomes under the hypothesis that
 * the mapping is fed perfect random bytes (the mappings use rejection, never
 * modulo, so these are exact, not approximations):
 *
 * - `dice@1` — each die uniform on 1..sides; the sum of `count` dice has the
 *   convolution of `count` such uniforms (Knuth §3.3.1's two-dice example is
 *   the case count = 2, sides = 6).
 * - `range@1` — uniform on min..max.
 * - `weighted@1` — index i with probability w_i / Σw.
 * - `float@1` — the recorded integer k uniform on 0..2^52 − 1.
 * - `draw@1`, `shuffle@1` — each single position uniform on its values.
 *
 * A Distribution is a list of categories (one per value, or equal-width bins
 * for wide uniform ranges) with their probabilities and a classifier.
 */

export interface Distribution {
  /** What the categories are, for reports: `uniform 1..6`, `sum of 2d6`, `uniform 0..2^52-1 in 64 bins`. */
  readonly description: string;
  readonly labels: readonly string[];
  readonly probabilities: readonly number[];
  /** The category of a value, or −1 when the value is impossible (outside the support). */
  classify(value: number): number;
}

/** Most categories a per-value distribution gets; wider uniform ranges are binned. */
export const MAX_CATEGORIES = 10_000;

/** Uniform integers min..max, one category per value (≤ MAX_CATEGORIES values) or `bins` equal bins. */
export function uniformInts(min: number, max: number, bins?: number): Distribution {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`uniform: need safe integers min ≤ max, got ${min}..${max}`);
  const span = BigInt(max) - BigInt(min) + 1n;
  if (bins === undefined && span <= BigInt(MAX_CATEGORIES)) {
    const d = Number(span);
    return {
      description: `uniform ${min}..${max}`,
      labels: Array.from({ length: d }, (_, i) => String(min + i)),
      probabilities: new Array<number>(d).fill(1 / d),
      classify: (v) => (Number.isInteger(v) && v >= min && v <= max ? v - min : -1),
    };
  }
  return uniformBins(min, max, bins ?? 100);
}

/**
 * Uniform integers min..max in `bins` bins of (nearly) equal width: bin b
 * holds min + ⌊b·span/bins⌋ … min + ⌊(b+1)·span/bins⌋ − 1, and its
 * probability is exactly its width / span (computed in BigInt: spans reach 2^53).
 */
export function uniformBins(min: number, max: number, bins: number): Distribution {
  const span = BigInt(max) - BigInt(min) + 1n;
  if (!Number.isSafeInteger(bins) || bins < 2 || BigInt(bins) > span) throw new RangeError(`bins: must be an integer from 2 to the span ${span}, got ${bins}`);
  const starts: number[] = [];
  for (let b = 0; b <= bins; b++) starts.push(Number(BigInt(min) + (BigInt(b) * span) / BigInt(bins)));
  const spanN = Number(span);
  const probabilities = Array.from({ length: bins }, (_, b) => Number(BigInt(starts[b + 1]!) - BigInt(starts[b]!)) / spanN);
  return {
    description: `uniform ${min}..${max} in ${bins} bins`,
    labels: Array.from({ length: bins }, (_, b) => `${starts[b]}..${starts[b + 1]! - 1}`),
    probabilities,
    classify(v) {
      if (!Number.isInteger(v) || v < min || v > max) return -1;
      let lo = 0;
      let hi = bins - 1; // the bin b with starts[b] ≤ v < starts[b + 1]
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= v) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}

/** The sum of `count` independent dice with `sides` sides: count..count·sides, by repeated convolution. */
export function diceSum(count: number, sides: number): Distribution {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count: must be a positive integer, got ${count}`);
  if (!Number.isSafeInteger(sides) || sides < 2) throw new RangeError(`sides: must be an integer ≥ 2, got ${sides}`);
  if (count * (sides - 1) + 1 > MAX_CATEGORIES) throw new RangeError(`dice sum: ${count}d${sides} has more than ${MAX_CATEGORIES} possible sums`);
  let dist = [1]; // sum of 0 dice: 0 with probability 1
  for (let c = 0; c < count; c++) {
    const next = new Array<number>(dist.length + sides - 1).fill(0);
    for (let s = 0; s < dist.length; s++) {
      const share = dist[s]! / sides;
      for (let f = 0; f < sides; f++) next[s + f] = next[s + f]! + share;
    }
    dist = next;
  }
  const total = dist.reduce((a, b) => a + b, 0);
  const probabilities = dist.map((p) => p / total); // renormalise away rounding
  return {
    description: `sum of ${count}d${sides}`,
    labels: probabilities.map((_, i) => String(count + i)),
    probabilities,
    classify: (v) => (Number.isInteger(v) && v >= count && v <= count * sides ? v - count : -1),
  };
}

/** `weighted@1`: index i with probability weights[i] / Σ weights. */
export function weightedIndex(weights: readonly number[]): Distribution {
  if (!Array.isArray(weights) || weights.length < 1) throw new RangeError('weights: must be a non-empty array');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('weights: must be non-negative safe integers');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new RangeError('weights: at least one must be positive');
  return {
    description: `weighted index 0..${weights.length - 1} (weights ${weights.length <= 8 ? weights.join(' ') : `${weights.slice(0, 8).join(' ')} …`})`,
    labels: weights.map((_, i) => String(i)),
    probabilities: weights.map((w) => w / sum),
    classify: (v) => (Number.isInteger(v) && v >= 0 && v < weights.length ? v : -1),
  };
}
