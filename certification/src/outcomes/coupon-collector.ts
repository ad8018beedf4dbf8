/**
 * @module outcomes/coupon-collector
 * Knuth's coupon collector's test, TAOCP vol. 2, 3rd ed., §3.3.2 E
 * (Algorithm C): reading integers in 0 … d−1, each segment is as long as it
 * takes to see all d values; the next segment starts with the next value.
 * For independent uniform values the length r of a segment has
 *
 *   P(r) = d!/d^r · S(r−1, d−1)   (d ≤ r < t),
 *   P(r ≥ t) = 1 − d!/d^(t−1) · S(t−1, d),
 *
 * (S: Stirling numbers of the second kind), a χ² test with t − d degrees of
 * freedom (before pooling). Here P(r) = q(r−1, d−1)/d, with q the occupancy
 * probabilities of occupancy.ts: r − 1 draws show d − 1 values and draw r
 * is the missing one. The trailing incomplete segment is not counted.
 */

import { occupancyTable } from './occupancy.js';
import { chiSquareCounts, checkValues, type OutcomeTestResult } from './result.js';

export interface CouponOptions {
  /** Lengths ≥ t share the last category. Default: the smallest t whose tail P(r ≥ t) is below 1% (at least d + 1). */
  t?: number;
}

/** Largest alphabet the test accepts: segments grow like d·ln d and the categories with them. */
export const COUPON_MAX_D = 64;

/** P(r) for r = d … t−1, then P(r ≥ t). */
export function couponProbabilities(d: number, t: number): number[] {
  if (!Number.isSafeInteger(d) || d < 2 || d > COUPON_MAX_D) throw new RangeError(`coupon-collector: d must be an integer from 2 to ${COUPON_MAX_D}, got ${d}`);
  if (!Number.isSafeInteger(t) || t <= d) throw new RangeError(`coupon-collector: t must be an integer > d = ${d}, got ${t}`);
  const q = occupancyTable(d, t - 1);
  const probs: number[] = [];
  for (let r = d; r < t; r++) probs.push(q[r - 1]![d - 1]! / d);
  probs.push(1 - q[t - 1]![d]!); // fewer than d values seen after t − 1 draws
  return probs;
}

/** Segment lengths; the trailing incomplete segment is dropped. */
export function couponLengths(values: readonly number[], d: number): number[] {
  const lengths: number[] = [];
  const seen = new Uint8Array(d);
  let distinct = 0;
  let length = 0;
  for (const v of values) {
    length++;
    if (!seen[v]) {
      seen[v] = 1;
      if (++distinct === d) {
        lengths.push(length);
        seen.fill(0);
        distinct = 0;
        length = 0;
      }
    }
  }
  return lengths;
}

/** `values` must be integers in 0 … d−1 (shift them first). */
export function couponCollectorTest(values: readonly number[], d: number, options: CouponOptions = {}): OutcomeTestResult {
  checkValues('coupon-collector', values, d);
  const bad = values.find((v) => !Number.isInteger(v) || v < 0 || v >= d);
  if (bad !== undefined) throw new RangeError(`coupon-collector: value ${bad} is not an integer in 0..${d - 1}`);
  let t = options.t;
  if (t === undefined) {
    t = d + 1;
    const q = occupancyTable(d, 64 * d);
    while (t < 64 * d && 1 - q[t - 1]![d]! >= 0.01) t++;
  }
  const lengths = couponLengths(values, d);
  if (lengths.length === 0) {
    return { name: 'coupon-collector', statistic: Infinity, df: t - d, pValue: 0, n: 0, reference: 'chi-square', warnings: [`not one complete segment of all ${d} values in ${values.length} values`] };
  }
  const counts = new Array<number>(t - d + 1).fill(0);
  for (const l of lengths) counts[Math.min(l, t) - d]!++;
  const labels = Array.from({ length: t - d + 1 }, (_, i) => (i === t - d ? `≥${t}` : String(d + i)));
  return chiSquareCounts('coupon-collector', counts, couponProbabilities(d, t), { labels });
}
