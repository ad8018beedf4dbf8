/**
 * @module outcomes/gap
 * Knuth's gap test, TAOCP vol. 2, 3rd ed., §3.3.2 C (Algorithm G): with a
 * set of values hit with probability p (Knuth: U_j in [α, β), p = β − α),
 * the gap before each hit is the number of non-hits since the previous hit
 * (from the start of the sequence for the first). For independent values
 *
 *   P(gap = r) = p(1 − p)^r  (0 ≤ r < t),   P(gap ≥ t) = (1 − p)^t,
 *
 * a χ² test with t degrees of freedom (t + 1 categories, before pooling).
 * The trailing non-hits after the last hit are an incomplete gap and are
 * not counted.
 */

import { chiSquareCounts, checkValues, type OutcomeTestResult } from './result.js';

export interface GapOptions {
  /** Gaps ≥ t share the last category. Default: the largest t ≤ 64 whose tail category still expects ≥ 5 gaps (at least 1). */
  t?: number;
}

/** Gap lengths before each hit; the incomplete gap at the end is dropped. */
export function gapLengths(values: readonly number[], hit: (value: number) => boolean): number[] {
  const gaps: number[] = [];
  let r = 0;
  for (const v of values) {
    if (hit(v)) {
      gaps.push(r);
      r = 0;
    } else {
      r++;
    }
  }
  return gaps;
}

export function gapProbabilities(p: number, t: number): number[] {
  const probs: number[] = [];
  for (let r = 0; r < t; r++) probs.push(p * (1 - p) ** r);
  probs.push((1 - p) ** t);
  return probs;
}

/**
 * @param hit  the hit set: true for values in it
 * @param p    the probability of a hit under the hypothesis, 0 < p < 1
 */
export function gapTest(values: readonly number[], hit: (value: number) => boolean, p: number, options: GapOptions = {}): OutcomeTestResult {
  checkValues('gap', values, 2);
  if (!(p > 0 && p < 1)) throw new RangeError(`gap: p must be in (0, 1), got ${p}`);
  const gaps = gapLengths(values, hit);
  let t = options.t;
  if (t === undefined) {
    t = 1;
    while (t < 64 && gaps.length * (1 - p) ** (t + 1) >= 5) t++;
  }
  if (!Number.isSafeInteger(t) || t < 1) throw new RangeError(`gap: t must be a positive integer, got ${t}`);
  if (gaps.length === 0) {
    return { name: 'gap', statistic: Infinity, df: t, pValue: 0, n: 0, reference: 'chi-square', warnings: [`no hit in ${values.length} values (expected ${(values.length * p).toFixed(1)})`] };
  }
  const counts = new Array<number>(t + 1).fill(0);
  for (const g of gaps) counts[Math.min(g, t)]!++;
  const labels = Array.from({ length: t + 1 }, (_, r) => (r === t ? `≥${t}` : String(r)));
  return chiSquareCounts('gap', counts, gapProbabilities(p, t), { labels });
}
