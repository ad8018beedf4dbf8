/**
 * @module nist/overlapping-template
 * Overlapping template matching test — NIST SP 800-22 rev1a §2.8.
 *
 * Template: m ones (m = 9 by default). N = ⌊n/M⌋ blocks of M = 1032 bits;
 * in each block count the (overlapping) occurrences of the template at the
 * M−m+1 window positions and tally ν_0 … ν_K (K = 5, the last class is
 * "≥ K"). λ = (M−m+1)/2^m, η = λ/2,
 * χ² = Σ (ν_i − Nπ_i)²/(Nπ_i), P-value = igamc(K/2, χ²/2).
 *
 * Where this follows sts-2.1.2 rather than the spec text:
 * - The class probabilities are not the spec's table (0.364091, 0.185659,
 *   0.139381, 0.100571, 0.070432, 0.139865) but sts's `Pr(u, η)`:
 *   π_0 = e^{−η}, π_u = Σ_{l=1}^{u} e^{−η} 2^{−u} η^l/l! · C(u−1, l−1) for
 *   1 ≤ u < K, π_K = 1 − Σ_{u<K} π_u (≈ 0.367879, 0.183940, 0.137955,
 *   0.099634, 0.069935, 0.140657 for m = 9). The spec's §2.8.8 example on e
 *   (P-value 0.110434) is sts's value.
 * - N = 0 (n < M): sts prints "nan"; here the result is not applicable.
 * Extensions (sts fixes M = 1032 and K = 5): `M` and `K` are parameters,
 * for the spec's §2.8.4 example (m = 2, M = 10, K = 2); counts ≥ K fall in
 * the last class (sts puts counts ≤ 4 in class "count", which is the same
 * for K = 5). That example prints χ² = 3.167729 and P = 0.274932, which
 * do not follow from its input: its five blocks hold 5, 1, 3, 4 and 1
 * occurrences of "11", so ν = (0, 2, 3), χ² = 3.033834 and
 * P = igamc(K/2 = 1, χ²/2) = 0.219384.
 */

import { igamc, lgamma } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';

export const NAME = 'OverlappingTemplate';

export interface OverlappingTemplateParams {
  /** Template length m: the template is m ones (default 9). */
  m?: number;
  /** Block length M (default 1032). */
  M?: number;
  /** Degrees of freedom K: classes 0 … K−1 and ≥ K (default 5). */
  K?: number;
}

/** sts's Pr(u, η): probability of u overlapping occurrences (compound Poisson). */
export function overlappingClassProbability(u: number, eta: number): number {
  if (u === 0) return Math.exp(-eta);
  let sum = 0;
  for (let l = 1; l <= u; l++) {
    sum += Math.exp(
      -eta -
        u * Math.log(2) +
        l * Math.log(eta) -
        lgamma(l + 1) +
        lgamma(u) -
        lgamma(l) -
        lgamma(u - l + 1),
    );
  }
  return sum;
}

export function overlappingTemplate(bits: Uint8Array, params: OverlappingTemplateParams = {}): TestResult {
  const m = intParam('OverlappingTemplate m', params.m ?? 9, 1, 30);
  const M = intParam('OverlappingTemplate M', params.M ?? 1032, m);
  const K = intParam('OverlappingTemplate K', params.K ?? 5, 1, 100);
  const n = bits.length;
  const N = Math.floor(n / M);
  if (N === 0) return notApplicable(NAME, 1);
  const lambda = (M - m + 1) / Math.pow(2, m);
  const eta = lambda / 2.0;
  const pi = new Array<number>(K + 1);
  let sum = 0;
  for (let i = 0; i < K; i++) {
    pi[i] = overlappingClassProbability(i, eta);
    sum += pi[i]!;
  }
  pi[K] = 1 - sum;

  const nu = new Array<number>(K + 1).fill(0);
  for (let i = 0; i < N; i++) {
    const base = i * M;
    let run = 0;
    let W = 0;
    for (let j = 0; j < M; j++) {
      if (bits[base + j]) {
        run++;
        if (run >= m) W++;
      } else run = 0;
    }
    nu[Math.min(W, K)]!++;
  }
  let chi2 = 0;
  for (let i = 0; i <= K; i++) chi2 += Math.pow(nu[i]! - N * pi[i]!, 2) / (N * pi[i]!);
  return applicableResult(NAME, [igamc(K / 2.0, chi2 / 2.0)]);
}
