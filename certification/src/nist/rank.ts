/**
 * @module nist/rank
 * Binary matrix rank test — NIST SP 800-22 rev1a §2.5.
 *
 * N = ⌊n/(MQ)⌋ disjoint M×Q matrices filled row by row; F_M, F_{M−1} and
 * the rest count ranks M, M−1 and lower;
 * χ² = Σ (F − Np)²/(Np), P-value = e^{−χ²/2} (= igamc(1, χ²/2)).
 *
 * Where this follows sts-2.1.2:
 * - M = Q = 32 by default (sts fixes them).
 * - The class probabilities are computed by sts's formula
 *   p_r = 2^{r(Q+M−r)−MQ} Π_{i<r} (1−2^{i−Q})(1−2^{i−M})/(1−2^{i−r})
 *   for r = M, M−1 and 1 − p_M − p_{M−1} for the rest (for 32×32:
 *   0.2887880951, 0.5775761902, 0.1336357147), not the spec's rounded
 *   0.2888, 0.5776, 0.1336. (The §2.5.4 example applies those rounded 32×32
 *   values to 3×3 matrices; pass them through `probabilities` to reproduce
 *   it.)
 * - N = 0: sts prints 0.000000; here the result is not applicable. The
 *   spec's n ≥ 38MQ recommendation is not enforced (sts does not either).
 * - Ranks: sts's own elimination; it equals the true GF(2) rank for square
 *   matrices, which is what is computed here.
 */

import { gf2Rank } from '../math/gf2.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';

export const NAME = 'Rank';

export interface RankParams {
  /** Rows M (default 32). */
  M?: number;
  /** Columns Q (default 32). */
  Q?: number;
  /** Override the probabilities of rank M, M−1 and lower (for the spec's example). */
  probabilities?: [number, number, number];
}

/** sts's probabilities of full rank, rank − 1 and lower for a random M×Q matrix. */
export function rankProbabilities(M: number, Q: number): [number, number, number] {
  const m = Math.min(M, Q);
  const p = (r: number): number => {
    let product = 1;
    for (let i = 0; i <= r - 1; i++) {
      product *= ((1 - Math.pow(2, i - Q)) * (1 - Math.pow(2, i - M))) / (1 - Math.pow(2, i - r));
    }
    return Math.pow(2, r * (Q + M - r) - M * Q) * product;
  };
  const pM = p(m);
  const pM1 = p(m - 1);
  return [pM, pM1, 1 - (pM + pM1)];
}

export function rank(bits: Uint8Array, params: RankParams = {}): TestResult {
  const M = intParam('Rank M', params.M ?? 32, 1, 4096);
  const Q = intParam('Rank Q', params.Q ?? 32, 1, 4096);
  const n = bits.length;
  const N = Math.floor(n / (M * Q));
  if (N === 0) return notApplicable(NAME, 1);
  const [p0, p1, p2] = params.probabilities ?? rankProbabilities(M, Q);
  const full = Math.min(M, Q);
  const w = Math.ceil(Q / 32);
  const rows = new Uint32Array(M * w);
  let F0 = 0;
  let F1 = 0;
  for (let k = 0; k < N; k++) {
    rows.fill(0);
    const base = k * M * Q;
    for (let i = 0; i < M; i++) {
      const rb = base + i * Q;
      for (let j = 0; j < Q; j++) {
        if (bits[rb + j]) rows[i * w + (j >>> 5)] = rows[i * w + (j >>> 5)]! | (1 << (j & 31));
      }
    }
    const r = gf2Rank(rows, M, Q);
    if (r === full) F0++;
    else if (r === full - 1) F1++;
  }
  const F2 = N - (F0 + F1);
  const chi2 =
    Math.pow(F0 - N * p0, 2) / (N * p0) + Math.pow(F1 - N * p1, 2) / (N * p1) + Math.pow(F2 - N * p2, 2) / (N * p2);
  return applicableResult(NAME, [Math.exp(-chi2 / 2)]);
}
