/**
 * @module outcomes/runs-up
 * Knuth's run test in its simpler form, TAOCP vol. 2, 3rd ed., §3.3.2 G
 * and exercise 3.3.2–14 (with its answer): lengths of runs up ("ascending
 * runs"), where the element that ends a run (the first one smaller than its
 * predecessor) is thrown away and the next run starts with the element
 * after it. Runs then start afresh on independent values, their lengths
 * are independent, and
 *
 *   P(length ≥ r) = 1/r!,   P(length = r) = 1/r! − 1/(r+1)! = r/(r+1)!,
 *
 * so the counts of lengths 1 … t−1 and ≥ t go to an ordinary χ² test with
 * t − 1 degrees of freedom (before pooling). Without the discard, run
 * lengths are correlated and Knuth's covariance-matrix statistic would be
 * needed instead.
 *
 * Example (Knuth's §3.3.2 G sequence 1 2 9 8 5 3 6 7 0 4, whose runs up
 * without the discard are |1 2 9|8|5|3 6 7|0 4|): runs [1 2 9], 8 dropped,
 * [5], 3 dropped, [6 7], 0 dropped, [4 …] incomplete — lengths 3, 1, 2.
 *
 * Ties (an element equal to its predecessor) end a run like a descent and
 * are counted in `warnings`: the probabilities assume none, and with few
 * distinct values (dice faces) they are badly wrong — pack such values into
 * wide numbers first, as battery.ts does.
 */

import { chiSquareCounts, checkValues, type OutcomeTestResult } from './result.js';

export interface RunsUpOptions {
  /** Lengths ≥ t share the last category. Default 6 (Knuth's choice). */
  t?: number;
}

/** The complete run lengths, the element after each run discarded; the trailing incomplete run is not included. */
export function runsUpLengths(values: readonly number[]): { lengths: number[]; ties: number } {
  const lengths: number[] = [];
  let ties = 0;
  let i = 0;
  while (i < values.length) {
    let length = 1;
    while (i + length < values.length && values[i + length]! > values[i + length - 1]!) length++;
    if (i + length >= values.length) break; // ran off the end: incomplete
    if (values[i + length] === values[i + length - 1]) ties++;
    lengths.push(length);
    i += length + 1; // skip the element that ended the run
  }
  return { lengths, ties };
}

/** Probabilities of run lengths 1 … t−1 and ≥ t. */
export function runsUpProbabilities(t: number): number[] {
  const p: number[] = [];
  let invFact = 1; // 1/r!
  for (let r = 1; r < t; r++) {
    invFact /= r;
    p.push(invFact - invFact / (r + 1));
  }
  p.push(invFact / t); // 1/t!
  return p;
}

export function runsUpTest(values: readonly number[], options: RunsUpOptions = {}): OutcomeTestResult {
  checkValues('runs-up', values, 2);
  const t = options.t ?? 6;
  if (!Number.isSafeInteger(t) || t < 2) throw new RangeError(`runs-up: t must be an integer ≥ 2, got ${t}`);
  const { lengths, ties } = runsUpLengths(values);
  const counts = new Array<number>(t).fill(0);
  for (const l of lengths) counts[Math.min(l, t) - 1]!++;
  const labels = Array.from({ length: t }, (_, i) => (i === t - 1 ? `≥${t}` : String(i + 1)));
  const result = chiSquareCounts('runs-up', counts, runsUpProbabilities(t), { labels });
  return ties > 0 ? { ...result, warnings: [...result.warnings, `${ties} run(s) ended by a tie; the reference distribution assumes none`] } : result;
}
