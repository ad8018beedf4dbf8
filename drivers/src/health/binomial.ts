/**
 * @module health/binomial
 * The binomial upper-tail critical value behind the SP 800-90B §4.4.2
 * Adaptive Proportion Test cutoff: the smallest c with P[X ≥ c] ≤ α for
 * X ~ Binomial(n, p).
 *
 * It equals 1 + CRITBINOM(n, p, 1 − α), the spreadsheet form §4.4.2 quotes:
 * CRITBINOM(n, p, q) is the smallest k with P[X ≤ k] ≥ q, and
 * P[X ≤ k] ≥ 1 − α ⇔ P[X ≥ k + 1] ≤ α, so c = k + 1. Working with α directly
 * (instead of 1 − α) keeps α = 2^-40 from losing digits to 1 − α rounding.
 *
 * The tail is summed exactly enough in log space: every pmf term comes from
 * a ratio recurrence (no factorials, no overflow at n = 1024) and terms are
 * added with log-sum-exp from the top of the support down. No normal
 * approximation: at these tails (α ≈ 1e-6 … 1e-12) it is off by several
 * counts.
 */

/**
 * Smallest c in 0..n+1 with P[X ≥ c] ≤ alpha, X ~ Binomial(n, p).
 * Returns n + 1 when even P[X = n] = p^n exceeds alpha (the test can then
 * never fail, which is what 1 + CRITBINOM gives as well).
 */
export function binomialUpperCritical(n: number, p: number, alpha: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n: must be a positive integer, got ${n}`);
  if (!(p > 0 && p < 1)) throw new RangeError(`p: must be in (0, 1), got ${p}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha: must be in (0, 1), got ${alpha}`);
  const logPmf = binomialLogPmf(n, p);
  const logAlpha = Math.log(alpha);
  let logTail = -Infinity; // log P[X ≥ c], starting with the empty tail c = n + 1
  let c = n + 1;
  for (let k = n; k >= 0; k--) {
    logTail = logAddExp(logTail, logPmf[k]!);
    if (logTail > logAlpha) break; // P[X ≥ k] > α: k is too small, c = k + 1 stands
    c = k;
  }
  return c;
}

/** log P[X = k] for k = 0..n, by the ratio P[k]/P[k−1] = (n−k+1)/k · p/(1−p). */
function binomialLogPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  const logOdds = Math.log(p) - Math.log1p(-p);
  out[0] = n * Math.log1p(-p);
  for (let k = 1; k <= n; k++) out[k] = out[k - 1]! + Math.log((n - k + 1) / k) + logOdds;
  return out;
}

/** log(e^a + e^b) without overflow or underflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}
