/**
 * @module nist/serial
 * Serial test — NIST SP 800-22 rev1a §2.11.
 *
 * ψ²_m = (2^m/n) Σ ν_m(v)² − n over the overlapping m-bit patterns of the
 * sequence wrapped around (ψ²_0 = ψ²_{−1} = 0), ∇ψ²_m = ψ²_m − ψ²_{m−1},
 * ∇²ψ²_m = ψ²_m − 2ψ²_{m−1} + ψ²_{m−2};
 * P-value1 = igamc(2^{m−2}, ∇ψ²_m/2), P-value2 = igamc(2^{m−3}, ∇²ψ²_m/2).
 * Two p-values, in sts's order. Default m = 16 (sts's default).
 *
 * Where this follows sts-2.1.2: the gamma shape parameters are computed as
 * 2^{m−1}/2 and 2^{m−2}/2 (the same numbers). The spec's §2.11.4 example
 * (ε = 0011011101, m = 3) prints P-values 0.9057 and 0.8805, which are not
 * igamc(2, 0.8) and igamc(1, 0.4); sts and this implementation give
 * 0.808792 and 0.670320. An empty sequence is not applicable.
 */

import { igamc } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';
import { circularWindowCounts, foldCounts } from './windows.js';

export const NAME = 'Serial';

export interface SerialParams {
  /** Block length m (default 16). */
  m?: number;
}

function psi2(counts: Uint32Array, m: number, n: number): number {
  if (m <= 0) return 0;
  let sum = 0;
  for (let v = 0; v < counts.length; v++) sum += counts[v]! * counts[v]!;
  return (sum * Math.pow(2, m)) / n - n;
}

export function serial(bits: Uint8Array, params: SerialParams = {}): TestResult {
  const m = intParam('Serial m', params.m ?? 16, 1, 25);
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 2);
  const c0 = circularWindowCounts(bits, m);
  const c1 = foldCounts(c0);
  const c2 = foldCounts(c1);
  const psim0 = psi2(c0, m, n);
  const psim1 = psi2(c1, m - 1, n);
  const psim2 = psi2(c2, m - 2, n);
  const del1 = psim0 - psim1;
  const del2 = psim0 - 2.0 * psim1 + psim2;
  return applicableResult(NAME, [igamc(Math.pow(2, m - 1) / 2, del1 / 2.0), igamc(Math.pow(2, m - 2) / 2, del2 / 2.0)]);
}
