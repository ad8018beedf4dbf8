/**
 * @module nist/universal
 * Maurer's "universal statistical" test — NIST SP 800-22 rev1a §2.9.
 *
 * L-bit blocks; the first Q initialise a table of last positions, the next
 * K = ⌊n/L⌋ − Q are tested: f_n = (1/K) Σ log2(i − T[block_i]).
 * c = 0.7 − 0.8/L + (4 + 32/L)·K^{−3/L}/15, σ = c·√(variance(L)/K),
 * P-value = erfc(|f_n − expectedValue(L)| / (√2 σ)).
 *
 * Where this follows sts-2.1.2:
 * - L is chosen from n by sts's thresholds: L = 6 from n ≥ 387,840, 7 from
 *   904,960, 8 from 2,068,480, 9 from 4,654,080, 10 from 10,342,400, 11 from
 *   22,753,280, 12 from 49,643,520, 13 from 107,560,960, 14 from
 *   231,669,760, 15 from 496,435,200, 16 from 1,059,061,760; Q = 10·2^L.
 * - n < 387,840 (L would be < 6): sts writes no result; here it is not
 *   applicable.
 * - log2 is computed as ln(x)/ln(2) and the expected values / variances are
 *   sts's table (L = 6 … 16), which is the spec's.
 * Extensions: `L` and `Q` may be given (L = 1 … 16, Q ≥ 1; sts refuses
 * L < 6 and Q < 10·2^L); for L < 6 the spec's table values are used. The
 * spec's §2.9.4 toy example (L = 2, Q = 4) computes its P-value without the
 * c·/√K factor; this implementation always applies it, as sts does.
 */

import { erfc } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';

export const NAME = 'Universal';

export interface UniversalParams {
  /** Block length L (default: chosen from n as sts does). */
  L?: number;
  /** Initialisation blocks Q (default 10·2^L). */
  Q?: number;
}

// index L = 1 … 16; 1 … 5 from the spec's table, 6 … 16 as in sts (same values)
const EXPECTED = [
  0, 0.7326495, 1.5374383, 2.4016068, 3.3112247, 4.2534266, 5.2177052, 6.1962507, 7.1836656, 8.1764248, 9.1723243,
  10.170032, 11.168765, 12.16807, 13.167693, 14.167488, 15.167379,
];
const VARIANCE = [
  0, 0.69, 1.338, 1.901, 2.358, 2.705, 2.954, 3.125, 3.238, 3.311, 3.356, 3.384, 3.401, 3.41, 3.416, 3.419, 3.421,
];

/** sts's choice of L for a sequence of n bits (5 means "too short"). */
export function universalBlockLength(n: number): number {
  let L = 5;
  if (n >= 387840) L = 6;
  if (n >= 904960) L = 7;
  if (n >= 2068480) L = 8;
  if (n >= 4654080) L = 9;
  if (n >= 10342400) L = 10;
  if (n >= 22753280) L = 11;
  if (n >= 49643520) L = 12;
  if (n >= 107560960) L = 13;
  if (n >= 231669760) L = 14;
  if (n >= 496435200) L = 15;
  if (n >= 1059061760) L = 16;
  return L;
}

/** Intermediate quantities of the test (exported for checks against the spec's examples). */
export interface UniversalStatistics {
  L: number;
  Q: number;
  K: number;
  /** f_n = (1/K) Σ log2(distance). */
  fn: number;
  expectedValue: number;
  variance: number;
  c: number;
  sigma: number;
}

/** The test statistic, or null when the test is not applicable. */
export function universalStatistics(bits: Uint8Array, params: UniversalParams = {}): UniversalStatistics | null {
  const n = bits.length;
  let L: number;
  if (params.L === undefined) {
    L = universalBlockLength(n);
    if (L < 6) return null;
  } else {
    L = intParam('Universal L', params.L, 1, 16);
  }
  const p = 1 << L;
  const Q = params.Q === undefined ? 10 * p : intParam('Universal Q', params.Q, 1);
  const K = Math.floor(n / L) - Q;
  if (K <= 0) return null;

  const c = 0.7 - 0.8 / L + ((4 + 32 / L) * Math.pow(K, -3 / L)) / 15;
  const sigma = c * Math.sqrt(VARIANCE[L]! / K);
  const T = new Float64Array(p);
  const blockValue = (i: number): number => {
    // block i (1-based), first bit most significant
    let v = 0;
    const base = (i - 1) * L;
    for (let j = 0; j < L; j++) v = (v << 1) | bits[base + j]!;
    return v;
  };
  for (let i = 1; i <= Q; i++) T[blockValue(i)] = i;
  let sum = 0;
  const ln2 = Math.log(2);
  for (let i = Q + 1; i <= Q + K; i++) {
    const v = blockValue(i);
    sum += Math.log(i - T[v]!) / ln2;
    T[v] = i;
  }
  return { L, Q, K, fn: sum / K, expectedValue: EXPECTED[L]!, variance: VARIANCE[L]!, c, sigma };
}

export function universal(bits: Uint8Array, params: UniversalParams = {}): TestResult {
  const st = universalStatistics(bits, params);
  if (!st) return notApplicable(NAME, 1);
  const arg = Math.abs(st.fn - st.expectedValue) / (Math.SQRT2 * st.sigma);
  return applicableResult(NAME, [erfc(arg)]);
}
