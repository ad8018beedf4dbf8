/**
 * @module nist/runs
 * Runs test — NIST SP 800-22 rev1a §2.3.
 *
 * π = ones/n; if |π − ½| ≥ τ = 2/√n the frequency prerequisite fails and the
 * P-value is 0; otherwise V_n = number of runs and
 * P-value = erfc(|V_n − 2nπ(1−π)| / (2√(2n) π(1−π))).
 *
 * Where this follows sts-2.1.2: the prerequisite fails when
 * |π − ½| > 2/√n (strictly greater; the spec says "≥ τ"), and the P-value is
 * then 0.0 — an applicable result that counts as a failure, as in sts's
 * final analysis. An empty sequence is not applicable.
 */

import { erfc } from '../math/special.js';
import { applicableResult, notApplicable, type TestResult } from './bits.js';

export const NAME = 'Runs';

export type RunsParams = Record<string, never>;

export function runs(bits: Uint8Array, _params?: RunsParams): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 1);
  let ones = 0;
  for (let k = 0; k < n; k++) ones += bits[k]!;
  const pi = ones / n;
  if (Math.abs(pi - 0.5) > 2 / Math.sqrt(n)) return applicableResult(NAME, [0]);
  let V = 1;
  for (let k = 1; k < n; k++) if (bits[k] !== bits[k - 1]) V++;
  const arg = Math.abs(V - 2 * n * pi * (1 - pi)) / (2 * pi * (1 - pi) * Math.sqrt(2 * n));
  return applicableResult(NAME, [erfc(arg)]);
}
