/**
 * @module nist/frequency
 * Frequency (monobit) test — NIST SP 800-22 rev1a §2.1.
 *
 * S_n = Σ (2ε_i − 1), s_obs = |S_n|/√n, P-value = erfc(s_obs/√2).
 *
 * Follows sts-2.1.2 (no deviation from the spec text in this test). An empty
 * sequence is not applicable.
 */

import { erfc } from '../math/special.js';
import { applicableResult, notApplicable, type TestResult } from './bits.js';

export const NAME = 'Frequency';

/** No parameters; the type exists for registry symmetry. */
export type FrequencyParams = Record<string, never>;

export function frequency(bits: Uint8Array, _params?: FrequencyParams): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 1);
  let ones = 0;
  for (let i = 0; i < n; i++) ones += bits[i]!;
  const sum = 2 * ones - n;
  const sObs = Math.abs(sum) / Math.sqrt(n);
  return applicableResult(NAME, [erfc(sObs / Math.SQRT2)]);
}
