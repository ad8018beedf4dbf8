/**
 * @module health/cutoffs
 * Cutoff values for the SP 800-90B §4.4 continuous health tests, from the
 * claimed min-entropy per sample H and the false-positive probability α
 * (§4.4 recommends 2^-20 ≤ α ≤ 2^-40; 2^-20 is the default here as in the
 * standard's Table 2).
 *
 * Repetition Count Test, §4.4.1: C = 1 + ⌈−log2(α) / H⌉. The test fails when
 * a value repeats C times in a row (B ≥ C); the standard's own example,
 * H = 7.3 and α = 2^-30, gives C = 6.
 *
 * Adaptive Proportion Test, §4.4.2: the window is W = 1024 for binary and
 * W = 512 for non-binary samples, and C = 1 + CRITBINOM(W, 2^-H, 1 − α): the
 * smallest c with P[X ≥ c] ≤ α for X ~ Binomial(W, 2^-H). The test sets the
 * counter B = 1 for the window's first sample A, adds one per later sample
 * equal to A, and fails when B ≥ C.
 *
 * The off-by-one, on purpose: §4.4.2 takes all W samples of the window,
 * the reference sample A included, as Binomial(W, p) trials. Two other
 * readings are in circulation and are NOT what this module returns:
 * - "smallest c with P[X ≥ c] ≤ α for X ~ Binomial(W − 1, p)" counts only the
 *   W − 1 samples after A but then compares c with B = X + 1: one lower than
 *   Table 2 (W = 512, H = 1: 310 instead of 311), with a real false-alarm
 *   rate of 1.33α there;
 * - conditioning exactly on A (B = 1 + Binomial(W − 1, p)) gives
 *   2 + CRITBINOM(W − 1, p, 1 − α), one higher than Table 2 for some H
 *   (W = 512, H = 2: 178 instead of 177, where Table 2's value really alarms
 *   at 1.26α).
 * Table 2 and CMVP testing labs use the §4.4.2 formula, so that is the one
 * implemented; it reproduces the Table 2 values pinned in
 * test/health-cutoffs.test.ts.
 */

import { binomialUpperCritical } from './binomial.js';

/** The false-positive probability Table 2 of SP 800-90B is computed for. */
export const DEFAULT_ALPHA = 2 ** -20;

/** Repetition Count Test cutoff C = 1 + ⌈−log2(α) / H⌉ (§4.4.1). */
export function rctCutoff(H: number, alpha: number = DEFAULT_ALPHA): number {
  checkEntropy(H);
  checkAlpha(alpha);
  let quotient = -Math.log2(alpha) / H;
  // H usually arrives as a decimal (0.1, 0.2, …) whose double is one ulp
  // off; an exactly integral quotient such as 20 / 0.2 = 100 must not be
  // pushed to 101 by that rounding noise.
  const nearest = Math.round(quotient);
  if (Math.abs(quotient - nearest) <= 1e-9 * Math.max(1, quotient)) quotient = nearest;
  return 1 + Math.ceil(quotient);
}

/** Adaptive Proportion Test window W (§4.4.2): 1024 for binary samples, 512 otherwise. */
export function aptWindow(sampleBits: number): number {
  if (!Number.isSafeInteger(sampleBits) || sampleBits < 1) {
    throw new RangeError(`sampleBits: must be a positive integer, got ${sampleBits}`);
  }
  return sampleBits === 1 ? 1024 : 512;
}

/**
 * Adaptive Proportion Test cutoff C = 1 + CRITBINOM(W, 2^-H, 1 − α)
 * (§4.4.2), computed exactly (see {@link binomialUpperCritical}). May be
 * W + 1 for tiny H, where no window can fail.
 */
export function aptCutoff(H: number, W: number, alpha: number = DEFAULT_ALPHA): number {
  checkEntropy(H);
  checkAlpha(alpha);
  if (!Number.isSafeInteger(W) || W < 2) throw new RangeError(`W: must be an integer ≥ 2, got ${W}`);
  return binomialUpperCritical(W, 2 ** -H, alpha);
}

function checkEntropy(H: number): void {
  if (typeof H !== 'number' || !Number.isFinite(H) || H <= 0) {
    throw new RangeError(`H: min-entropy per sample must be a finite number > 0, got ${H}`);
  }
}

function checkAlpha(alpha: number): void {
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) {
    throw new RangeError(`alpha: false-positive probability must be in (0, 1), got ${alpha}`);
  }
}
