/**
 * @module nist/dft
 * Discrete Fourier transform (spectral) test — NIST SP 800-22 rev1a §2.6.
 *
 * X = ±1 sequence, S = DFT(X), M = |S_k| for the first ⌊n/2⌋ frequencies
 * (k = 0 … ⌊n/2⌋−1, including the DC term), T = √(ln(1/0.05)·n),
 * N_1 = #{M_k < T}, N_0 = 0.95n/2, d = (N_1 − N_0)/√(n·0.95·0.05/4),
 * P-value = erfc(|d|/√2).
 *
 * The transform is a real FFT of the full length n as given (sts does not
 * pad or truncate): mixed radix 2/3/4/5/… or Bluestein for lengths with
 * large prime factors (see math/fft).
 *
 * Where this follows sts-2.1.2:
 * - T uses the constant 2.995732274 for ln(20).
 * - For odd n the count runs over ⌊n/2⌋ frequencies while N_0 = 0.95·n/2 is
 *   computed with the real n/2 (sts does the same).
 * - The spec's worked examples disagree with sts: §2.6.4 (ε = 1001010011)
 *   counts N_1 = 4 peaks below T and prints P = 0.029523, §2.6.8 (100 bits)
 *   counts N_1 = 46 and prints 0.168669; sts (and this code) find 5 and 48
 *   of the first n/2 moduli below T, P = 0.468160 and 0.646355.
 * An empty sequence is not applicable.
 */

import { erfc } from '../math/special.js';
import { realDftMagnitudes } from '../math/fft.js';
import { applicableResult, notApplicable, type TestResult } from './bits.js';

export const NAME = 'FFT';

export type DftParams = Record<string, never>;

export function dft(bits: Uint8Array, _params?: DftParams): TestResult {
  const n = bits.length;
  if (n === 0) return notApplicable(NAME, 1);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = bits[i] ? 1 : -1;
  const half = Math.floor(n / 2);
  const mags = realDftMagnitudes(x, half);
  const upperBound = Math.sqrt(2.995732274 * n);
  let count = 0;
  for (let i = 0; i < half; i++) if (mags[i]! < upperBound) count++;
  const N0 = (0.95 * n) / 2.0;
  const d = (count - N0) / Math.sqrt((n / 4.0) * 0.95 * 0.05);
  return applicableResult(NAME, [erfc(Math.abs(d) / Math.SQRT2)]);
}
