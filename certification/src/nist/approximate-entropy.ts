/**
 * @module nist/approximate-entropy
 * Approximate entropy test — NIST SP 800-22 rev1a §2.12.
 *
 * With C_i^m the frequencies of the overlapping m-bit patterns of the
 * sequence wrapped around (n patterns), φ(m) = Σ (C/n)·ln(C/n),
 * ApEn(m) = φ(m) − φ(m+1), χ² = 2n(ln 2 − ApEn), P-value =
 * igamc(2^{m−1}, χ²/2). Default m = 10 (sts's default).
 *
 * Where this follows sts-2.1.2: φ is accumulated as Σ C·ln(C/n) and then
 * divided by n, and φ(0) = 0. sts only warns (in stats.txt) when
 * m > ⌊log2 n⌋ − 5; so does nothing here — the result is still computed.
 * An empty sequence is not applicable.
 */

import { igamc } from '../math/special.js';
import { applicableResult, intParam, notApplicable, type TestResult } from './bits.js';
import { circularWindowCounts, foldCounts } from './windows.js';

export const NAME = 'ApproximateEntropy';

export interface ApproximateEntropyParams {
  /** Block length m (default 10). */
  m?: number;
}

function phi(counts: Uint32Array, n: number): number {
  let sum = 0;
  for (let v = 0; v < counts.length; v++) {
    const c = counts[v]!;
    if (c > 0) sum += c * Math.log(c / n);
  }
  return sum / n;
}

export function approximateEntropy(bits: Uint8Array, params: ApproximateEntropyParams = {}): TestResult {
  const m = intParam('ApproximateEntropy m', params.m ?? 10, 0, 24);
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 1);
  const c1 = circularWindowCounts(bits, m + 1);
  const c0 = foldCounts(c1);
  const phi0 = m === 0 ? 0 : phi(c0, n);
  const phi1 = phi(c1, n);
  const apen = phi0 - phi1;
  const chi2 = 2.0 * n * (Math.log(2) - apen);
  return applicableResult(NAME, [igamc(Math.pow(2, m - 1), chi2 / 2.0)]);
}
