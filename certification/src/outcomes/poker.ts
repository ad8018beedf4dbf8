/**
 * @module outcomes/poker
 * Knuth's poker test in its simpler "number of distinct values" form,
 * TAOCP vol. 2, 3rd ed., §3.3.2 D: the sequence of integers in 0 … d−1 is
 * cut into n non-overlapping groups of k; for each group r is the number of
 * distinct values in it. For independent uniform values
 *
 *   P(r) = d(d−1)…(d−r+1) / d^k · S(k, r)     (S: Stirling numbers, 2nd kind),
 *
 * and the counts of r = 1 … k go to a χ² test with k − 1 degrees of
 * freedom (before pooling). For d = 10, k = 5 these are the classic poker
 * hand probabilities: 0.0001, 0.0135, 0.18, 0.504, 0.3024.
 */

import { occupancyTable } from './occupancy.js';
import { chiSquareCounts, checkValues, type OutcomeTestResult } from './result.js';

export interface PokerOptions {
  /** Group size. Default 5 (Knuth). */
  k?: number;
}

/** P(r distinct values among k uniform draws from d), r = 1 … k. */
export function pokerProbabilities(d: number, k: number): number[] {
  const row = occupancyTable(d, k)[k]!;
  return Array.from({ length: k }, (_, i) => row[i + 1] ?? 0);
}

/** `values` must be integers in 0 … d−1 (shift them first). A trailing short group is ignored. */
export function pokerTest(values: readonly number[], d: number, options: PokerOptions = {}): OutcomeTestResult {
  const k = options.k ?? 5;
  if (!Number.isSafeInteger(k) || k < 2) throw new RangeError(`poker: k must be an integer ≥ 2, got ${k}`);
  if (!Number.isSafeInteger(d) || d < 2) throw new RangeError(`poker: d must be an integer ≥ 2, got ${d}`);
  checkValues('poker', values, k);
  const bad = values.find((v) => !Number.isInteger(v) || v < 0 || v >= d);
  if (bad !== undefined) throw new RangeError(`poker: value ${bad} is not an integer in 0..${d - 1}`);
  const groups = Math.floor(values.length / k);
  const counts = new Array<number>(k).fill(0);
  const seen = new Set<number>();
  for (let g = 0; g < groups; g++) {
    seen.clear();
    for (let i = g * k; i < (g + 1) * k; i++) seen.add(values[i]!);
    counts[seen.size - 1]!++;
  }
  const labels = Array.from({ length: k }, (_, i) => `${i + 1} distinct`);
  // With d < k some r are impossible (probability 0) and are never observed: chiSquareCounts pools them.
  return chiSquareCounts('poker', counts, pokerProbabilities(d, k), { labels });
}
