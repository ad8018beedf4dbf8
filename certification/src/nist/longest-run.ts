/**
 * @module nist/longest-run
 * Test for the longest run of ones in a block — NIST SP 800-22 rev1a §2.4.
 *
 * Block length M and categories by n, as in the spec's table:
 * n ≥ 128: M = 8, classes ≤1, 2, 3, ≥4;
 * n ≥ 6272: M = 128, classes ≤4, 5, …, 8, ≥9;
 * n ≥ 750,000: M = 10^4, classes ≤10, 11, …, 15, ≥16.
 * χ² = Σ (ν_i − Nπ_i)²/(Nπ_i), P-value = igamc(K/2, χ²/2).
 *
 * Where this follows sts-2.1.2:
 * - The class probabilities are sts's: M = 8: 0.21484375, 0.3671875,
 *   0.23046875, 0.1875 (exact); M = 128: 0.1174035788, 0.242955959,
 *   0.249363483, 0.17517706, 0.102701071, 0.112398847; M = 10^4: 0.0882,
 *   0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727. For the 128-bit
 *   example the spec's §2.4.4 works with the rounded M = 8 probabilities
 *   (χ² = 4.882605, P = 0.180598); sts's exact ones give χ² = 4.882457 and
 *   P = 0.180609 — the value §2.4.8 prints and sts outputs.
 * - n < 128: sts writes no result; here it is not applicable.
 */

import { igamc } from '../math/special.js';
import { applicableResult, notApplicable, type TestResult } from './bits.js';

export const NAME = 'LongestRun';

export type LongestRunParams = Record<string, never>;

interface Table {
  M: number;
  K: number;
  V: number[];
  pi: number[];
}

const T8: Table = { M: 8, K: 3, V: [1, 2, 3, 4], pi: [0.21484375, 0.3671875, 0.23046875, 0.1875] };
const T128: Table = {
  M: 128,
  K: 5,
  V: [4, 5, 6, 7, 8, 9],
  pi: [0.1174035788, 0.242955959, 0.249363483, 0.17517706, 0.102701071, 0.112398847],
};
const T10000: Table = {
  M: 10000,
  K: 6,
  V: [10, 11, 12, 13, 14, 15, 16],
  pi: [0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727],
};

export function longestRun(bits: Uint8Array, _params?: LongestRunParams): TestResult {
  const n = bits.length;
  if (n < 128) return notApplicable(NAME, 1);
  const t = n < 6272 ? T8 : n < 750000 ? T128 : T10000;
  const { M, K, V, pi } = t;
  const N = Math.floor(n / M);
  const nu = new Array<number>(K + 1).fill(0);
  const lo = V[0]!;
  const hi = V[K]!;
  for (let i = 0; i < N; i++) {
    let run = 0;
    let longest = 0;
    const base = i * M;
    for (let j = 0; j < M; j++) {
      if (bits[base + j]) {
        run++;
        if (run > longest) longest = run;
      } else run = 0;
    }
    const cls = longest <= lo ? 0 : longest >= hi ? K : longest - lo;
    nu[cls]!++;
  }
  let chi2 = 0;
  for (let i = 0; i <= K; i++) {
    const e = N * pi[i]!;
    chi2 += ((nu[i]! - e) * (nu[i]! - e)) / e;
  }
  return applicableResult(NAME, [igamc(K / 2, chi2 / 2)]);
}
