/**
 * @module nist/block-frequency
 * Frequency test within a block — NIST SP 800-22 rev1a §2.2.
 *
 * N = ⌊n/M⌋ blocks of M bits (the rest is discarded), π_i = ones/M,
 * χ² = 4M Σ (π_i − ½)², P-value = igamc(N/2, χ²/2).
 *
 * Default M = 128 (sts-2.1.2's default). Where this follows sts-2.1.2:
 * - The spec's recommendations (M ≥ 20, M > 0.01n, N < 100) are not
 *   enforced; sts does not enforce them either.
 * - N = 0 (n < M): sts computes igamc(0, 0) and prints 1.000000; here the
 *   result is reported as not applicable.
 */

import { igamc } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';

export const NAME = 'BlockFrequency';

export interface BlockFrequencyParams {
  /** Block length M (default 128). */
  M?: number;
}

export function blockFrequency(bits: Uint8Array, params: BlockFrequencyParams = {}): TestResult {
  const M = intParam('BlockFrequency M', params.M ?? 128, 1);
  const n = bits.length;
  const N = Math.floor(n / M);
  if (N === 0) return notApplicable(NAME, 1);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    let ones = 0;
    const base = i * M;
    for (let j = 0; j < M; j++) ones += bits[base + j]!;
    const v = ones / M - 0.5;
    sum += v * v;
  }
  const chi2 = 4 * M * sum;
  return applicableResult(NAME, [igamc(N / 2, chi2 / 2)]);
}
