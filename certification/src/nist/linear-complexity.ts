/**
 * @module nist/linear-complexity
 * Linear complexity test — NIST SP 800-22 rev1a §2.10.
 *
 * N = ⌊n/M⌋ blocks of M bits (default M = 500); L_i = linear complexity of
 * block i (Berlekamp–Massey, here on 32-bit packed words);
 * μ = M/2 + (9 + s₁)/36 − (M/3 + 2/9)/2^M, T_i = s₂(L_i − μ) + 2/9, binned
 * at ≤ −2.5, (−2.5, −1.5], …, (1.5, 2.5], > 2.5;
 * χ² = Σ (ν_i − Nπ_i)²/(Nπ_i), P-value = igamc(3, χ²/2).
 *
 * Where this follows sts-2.1.2 rather than the spec text:
 * - π_0 = 0.01047 (sts's constant; the spec has 0.010417); the others are
 *   0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833.
 * - The sign in μ: sts uses s₁ = −1 for odd M and +1 for even M, the
 *   opposite of the spec's (−1)^{M+1}; s₂ = (−1)^M as in the spec.
 * - N = 0 (n < M): sts prints "nan"; here the result is not applicable.
 * The spec's §2.10.8 example (e, M = 1000: χ² = 2.700348, P = 0.845406)
 * was evidently computed with sts's π_0 = 0.01047 (0.010417 would give
 * χ² ≈ 2.7062); it is reproduced exactly.
 */

import { BerlekampMassey } from '../math/gf2.js';
import { igamc } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';

export const NAME = 'LinearComplexity';

export interface LinearComplexityParams {
  /** Block length M (default 500). */
  M?: number;
}

const PI = [0.01047, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833];
const K = 6;

export function linearComplexityTest(bits: Uint8Array, params: LinearComplexityParams = {}): TestResult {
  const M = intParam('LinearComplexity M', params.M ?? 500, 1, 1 << 24);
  const n = bits.length;
  const N = Math.floor(n / M);
  if (N === 0) return notApplicable(NAME, 1);
  const sign1 = (M + 1) % 2 === 0 ? -1 : 1;
  const mean = M / 2.0 + (9.0 + sign1) / 36.0 - (1.0 / Math.pow(2, M)) * (M / 3.0 + 2.0 / 9.0);
  const sign2 = M % 2 === 0 ? 1 : -1;
  const nu = new Array<number>(K + 1).fill(0);
  const bm = new BerlekampMassey(M);
  for (let i = 0; i < N; i++) {
    const L = bm.run(bits, i * M, M);
    const T = sign2 * (L - mean) + 2.0 / 9.0;
    let cls: number;
    if (T <= -2.5) cls = 0;
    else if (T <= -1.5) cls = 1;
    else if (T <= -0.5) cls = 2;
    else if (T <= 0.5) cls = 3;
    else if (T <= 1.5) cls = 4;
    else if (T <= 2.5) cls = 5;
    else cls = 6;
    nu[cls]!++;
  }
  let chi2 = 0;
  for (let i = 0; i <= K; i++) chi2 += Math.pow(nu[i]! - N * PI[i]!, 2) / (N * PI[i]!);
  return applicableResult(NAME, [igamc(K / 2.0, chi2 / 2.0)]);
}
