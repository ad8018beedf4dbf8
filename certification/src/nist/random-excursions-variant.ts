/**
 * @module nist/random-excursions-variant
 * Random excursions variant test — NIST SP 800-22 rev1a §2.15.
 *
 * S_k = partial sums of the ±1 sequence, J = number of cycles (zeros of S_k
 * plus one if S_n ≠ 0), ξ(x) = number of k with S_k = x;
 * P-value = erfc(|ξ(x) − J| / √(2J(4|x| − 2))) for x = −9 … −1, 1 … 9
 * (18 p-values, sts's order).
 *
 * Where this follows sts-2.1.2:
 * - Not applicable when J < ⌊max(0.005·√n, 500)⌋ (sts truncates this bound
 *   to an integer here, unlike in RandomExcursions; sts prints 0.000000 for
 *   all 18 — reported here as not applicable, never as p = 0).
 * - Unlike RandomExcursions there is no upper limit on the number of cycles.
 * Extension: `minCycles` overrides the J threshold (the spec's §2.15.4
 * example has J = 3).
 */

import { erfc } from '../math/special.js';
import { notApplicable, type TestResult } from './bits.js';

export const NAME = 'RandomExcursionsVariant';

export interface RandomExcursionsVariantParams {
  /** Minimum number of cycles J (default ⌊max(0.005·√n, 500)⌋, as in sts). */
  minCycles?: number;
}

export const STATES = [-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export function randomExcursionsVariant(bits: Uint8Array, params: RandomExcursionsVariantParams = {}): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 18);
  const visits = new Float64Array(19); // index x+9
  let J = 0;
  let S = 0;
  for (let i = 0; i < n; i++) {
    S += bits[i] ? 1 : -1;
    if (S === 0) J++;
    else if (S >= -9 && S <= 9) visits[S + 9]!++;
  }
  if (S !== 0) J++;
  const minCycles = params.minCycles ?? Math.trunc(Math.max(0.005 * Math.sqrt(n), 500));
  if (J < minCycles) return notApplicable(NAME, 18);
  const pvalues = STATES.map((x) => erfc(Math.abs(visits[x + 9]! - J) / Math.sqrt(2.0 * J * (4.0 * Math.abs(x) - 2))));
  return { name: NAME, pvalues, applicable: pvalues.map(() => true) };
}
