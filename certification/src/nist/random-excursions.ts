/**
 * @module nist/random-excursions
 * Random excursions test — NIST SP 800-22 rev1a §2.14.
 *
 * S_k = partial sums of the ±1 sequence; a cycle ends at each S_k = 0 (and
 * at the end of the sequence if S_n ≠ 0); J = number of cycles. For each
 * state x ∈ {−4, …, −1, 1, …, 4}, ν_k(x) = number of cycles visiting x
 * exactly k times (k = 0 … 4) or ≥ 5 times (k = 5);
 * χ²(x) = Σ_k (ν_k(x) − Jπ_k(x))²/(Jπ_k(x)), P-value = igamc(5/2, χ²/2).
 * Eight p-values, states −4 … −1, 1 … 4 (sts's order).
 *
 * Where this follows sts-2.1.2:
 * - π_k(x) are sts's 10-digit constants (e.g. 0.8333333333, 0.02777777778).
 *   The spec's §2.14.4 example rounds π_4(1) = π_5(1) = 0.03125 to 0.0312
 *   (χ² = 4.333033, P = 0.502529); with sts's constants χ² = 4.333333 and
 *   P = 0.502488. Its §2.14.8 table (10^6 bits of e) matches sts for
 *   x < 0 but not for x = +1 … +4 (spec χ² = 2.485906, 5.429381, 2.404171,
 *   2.393928; sts 2.430872, 4.798906, 2.357041, 2.488767): sts's values
 *   are reproduced.
 * - Not applicable when J < max(0.005·√n, 500) (sts prints 0.000000 for all
 *   eight; those are reported here as not applicable, never as p = 0).
 * - Not applicable either when more than max(1000, ⌊n/100⌋) zero crossings
 *   occur: sts then aborts the test ("EXCEEDING THE MAX NUMBER OF CYCLES")
 *   and writes no result at all.
 * Extension: `minCycles` overrides the J threshold (the spec's §2.14.4
 * example has J = 3).
 */

import { igamc } from '../math/special.js';
import { notApplicable, type TestResult } from './bits.js';

export const NAME = 'RandomExcursions';

export interface RandomExcursionsParams {
  /** Minimum number of cycles J (default max(0.005·√n, 500), as in sts). */
  minCycles?: number;
}

export const STATES = [-4, -3, -2, -1, 1, 2, 3, 4] as const;

// π_k(|x|), k = 0 … 5, as in sts
const PI: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 0, 0],
  [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125],
  [0.75, 0.0625, 0.046875, 0.03515625, 0.0263671875, 0.0791015625],
  [0.8333333333, 0.02777777778, 0.02314814815, 0.01929012346, 0.01607510288, 0.0803755143],
  [0.875, 0.015625, 0.013671875, 0.01196289063, 0.0104675293, 0.0732727051],
];

export function randomExcursions(bits: Uint8Array, params: RandomExcursionsParams = {}): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 8);
  // nu[k*8 + s]: cycles with k (capped at 5) visits to state s
  const nu = new Float64Array(6 * 8);
  const counter = new Int32Array(9); // index S+4 for S in −4 … 4
  const maxZeros = Math.max(1000, Math.floor(n / 100));
  let zeros = 0;
  let J = 0;
  let S = 0;
  const flush = (): void => {
    for (let s = 0; s < 8; s++) {
      const x = STATES[s]!;
      const c = counter[x + 4]!;
      nu[(c >= 5 ? 5 : c) * 8 + s]!++;
    }
    counter.fill(0);
    J++;
  };
  for (let i = 0; i < n; i++) {
    S += bits[i] ? 1 : -1;
    if (S === 0) {
      if (i > 0) {
        zeros++;
        if (zeros > maxZeros) return notApplicable(NAME, 8);
      }
      flush();
    } else if (S >= -4 && S <= 4) counter[S + 4]!++;
  }
  if (S !== 0) flush();
  const constraint = Math.max(0.005 * Math.sqrt(n), 500);
  const minCycles = params.minCycles ?? constraint;
  if (J < minCycles) return notApplicable(NAME, 8);
  const pvalues: number[] = [];
  for (let s = 0; s < 8; s++) {
    const pi = PI[Math.abs(STATES[s]!)]!;
    let chi2 = 0;
    for (let k = 0; k < 6; k++) {
      const e = J * pi[k]!;
      chi2 += Math.pow(nu[k * 8 + s]! - e, 2) / e;
    }
    pvalues.push(igamc(2.5, chi2 / 2.0));
  }
  return { name: NAME, pvalues, applicable: pvalues.map(() => true) };
}
