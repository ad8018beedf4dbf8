/**
 * @module nist/cumulative-sums
 * Cumulative sums (cusum) test — NIST SP 800-22 rev1a §2.13.
 *
 * z = max_k |S_k| of the ±1 partial sums, forward (mode 0) and backward
 * (mode 1); P-value = 1 − Σ_{k} [Φ((4k+1)z/√n) − Φ((4k−1)z/√n)]
 *                     + Σ_{k} [Φ((4k+3)z/√n) − Φ((4k+1)z/√n)].
 * Two p-values, in sts's order: forward, then reverse.
 *
 * Where this follows sts-2.1.2 rather than the spec text:
 * - The summation limits use C integer arithmetic: n/z is an integer
 *   division and the quotient by 4 truncates toward zero, i.e.
 *   k = trunc((−⌊n/z⌋+1)/4) … trunc((⌊n/z⌋−1)/4) and
 *   k = trunc((−⌊n/z⌋−3)/4) … trunc((⌊n/z⌋−1)/4), where the spec has
 *   ⌊(−n/z+1)/4⌋ etc. with real division.
 * - The reverse maximum is computed from the forward walk as
 *   max(max_k S_k − S_n, S_n − min_k S_k) (with the running max/min starting
 *   at 0), which is what sts does and equals the spec's backward walk.
 * - Φ is sts's cephes_normal: ½(1 ± erf(|x|/√2)).
 * An empty sequence is not applicable.
 */

import { normalCdf } from '../math/special.js';
import { applicableResult, notApplicable, type TestResult } from './bits.js';

export const NAME = 'CumulativeSums';

export type CumulativeSumsParams = Record<string, never>;

function pvalue(n: number, z: number): number {
  const q = Math.trunc(n / z);
  const sqrtN = Math.sqrt(n);
  let sum1 = 0;
  for (let k = Math.trunc((-q + 1) / 4); k <= Math.trunc((q - 1) / 4); k++) {
    sum1 += normalCdf(((4 * k + 1) * z) / sqrtN);
    sum1 -= normalCdf(((4 * k - 1) * z) / sqrtN);
  }
  let sum2 = 0;
  for (let k = Math.trunc((-q - 3) / 4); k <= Math.trunc((q - 1) / 4); k++) {
    sum2 += normalCdf(((4 * k + 3) * z) / sqrtN);
    sum2 -= normalCdf(((4 * k + 1) * z) / sqrtN);
  }
  return 1 - sum1 + sum2;
}

export function cumulativeSums(bits: Uint8Array, _params?: CumulativeSumsParams): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 2);
  let S = 0;
  let sup = 0;
  let inf = 0;
  for (let k = 0; k < n; k++) {
    S += bits[k] ? 1 : -1;
    if (S > sup) sup = S;
    if (S < inf) inf = S;
  }
  const z = Math.max(sup, -inf);
  const zrev = Math.max(sup - S, S - inf);
  return applicableResult(NAME, [pvalue(n, z), pvalue(n, zrev)]);
}
