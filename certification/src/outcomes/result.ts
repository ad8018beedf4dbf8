/**
 * @module outcomes/result
 * The result every outcome-level test returns, and the chi-square machinery
 * they share: pooling of sparse categories and the p-value from
 * math/special's incomplete gamma function.
 */

import { chiSquareSurvival, erfc } from '../math/special.js';

export interface OutcomeTestResult {
  /** Test name: `chi-square`, `serial-correlation`, `runs-up-down`, `runs-up`, `gap`, `poker`, `coupon-collector`. */
  readonly name: string;
  /** The test statistic: χ² for chi-square tests, the coefficient or run count for the normal ones. */
  readonly statistic: number;
  /** Degrees of freedom of the χ² reference distribution; null when the reference is the normal distribution. */
  readonly df: number | null;
  /** Upper-tail χ² p-value, or the two-sided normal p-value. 0 for an impossible observation. */
  readonly pValue: number;
  /** Observations (values, gaps, groups, segments …) the statistic was computed from. */
  readonly n: number;
  readonly reference: 'chi-square' | 'normal';
  /** z-score, for the normal-reference tests. */
  readonly z?: number;
  /** Categories after pooling, for the chi-square tests. */
  readonly bins?: readonly ChiSquareBin[];
  /** Anything that weakens the result: pooled categories, ties, impossible values. */
  readonly warnings: readonly string[];
}

export interface ChiSquareBin {
  /** The original category labels pooled into this bin. */
  readonly labels: readonly string[];
  readonly observed: number;
  readonly expected: number;
}

export interface ChiSquareOptions {
  /** Adjacent categories are pooled until every bin expects at least this many. Default 5 (Knuth §3.3.1). */
  minExpected?: number;
  /** Category labels, for the bins in the result. Default the category index. */
  labels?: readonly string[];
}

/**
 * Pearson's χ² of observed counts against category probabilities
 * (Knuth, TAOCP vol. 2, 3rd ed., §3.3.1 A: V = Σ (Y_s − n·p_s)² / (n·p_s)),
 * with df = bins − 1.
 *
 * Categories are taken in order and pooled with their neighbours until each
 * bin expects at least `minExpected` (a trailing short bin joins the one
 * before), because the χ² approximation needs it; the pooling is reported
 * in `warnings`. A count in a category of probability 0 is impossible under
 * the hypothesis: the result is then χ² = ∞, p = 0.
 *
 * @throws RangeError when the probabilities do not sum to 1, or fewer than
 *   two bins remain after pooling (too few observations).
 */
export function chiSquareCounts(name: string, observed: readonly number[], probabilities: readonly number[], options: ChiSquareOptions = {}): OutcomeTestResult {
  if (observed.length !== probabilities.length) throw new RangeError(`${name}: ${observed.length} counts for ${probabilities.length} probabilities`);
  const total = probabilities.reduce((a, b) => a + b, 0);
  if (!(Math.abs(total - 1) < 1e-9)) throw new RangeError(`${name}: probabilities sum to ${total}, not 1`);
  const minExpected = options.minExpected ?? 5;
  const label = (i: number) => options.labels?.[i] ?? String(i);
  const n = observed.reduce((a, b) => a + b, 0);
  const warnings: string[] = [];

  const impossible = observed.flatMap((o, i) => (o > 0 && probabilities[i] === 0 ? [label(i)] : []));
  if (impossible.length > 0) {
    warnings.push(`observed values the hypothesis rules out (probability 0): ${impossible.slice(0, 10).join(', ')}${impossible.length > 10 ? ' …' : ''}`);
    return { name, statistic: Infinity, df: Math.max(1, observed.length - 1), pValue: 0, n, reference: 'chi-square', warnings };
  }

  const bins: { labels: string[]; observed: number; expected: number }[] = [];
  let open: { labels: string[]; observed: number; expected: number } | null = null;
  for (let i = 0; i < observed.length; i++) {
    open ??= { labels: [], observed: 0, expected: 0 };
    open.labels.push(label(i));
    open.observed += observed[i]!;
    open.expected += n * probabilities[i]!;
    if (open.expected >= minExpected) {
      bins.push(open);
      open = null;
    }
  }
  if (open) {
    const last = bins[bins.length - 1];
    if (last) {
      last.labels.push(...open.labels);
      last.observed += open.observed;
      last.expected += open.expected;
    } else {
      bins.push(open);
    }
  }
  if (bins.length < 2) {
    throw new RangeError(`${name}: too few observations (${n}) for a χ² test: fewer than two categories expect ${minExpected} or more`);
  }
  if (bins.length < observed.length) warnings.push(`${observed.length} categories pooled into ${bins.length} so that each expects ≥ ${minExpected}`);

  let statistic = 0;
  for (const b of bins) statistic += b.expected > 0 ? (b.observed - b.expected) ** 2 / b.expected : 0;
  const df = bins.length - 1;
  return { name, statistic, df, pValue: chiSquareSurvival(statistic, df), n, reference: 'chi-square', bins, warnings };
}

/** Two-sided p-value of a standard normal z: P(|Z| ≥ |z|) = erfc(|z|/√2). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Throws unless `values` is an array of finite numbers with at least `min` entries. */
export function checkValues(name: string, values: readonly number[], min: number): void {
  if (!Array.isArray(values)) throw new TypeError(`${name}: values must be an array of numbers`);
  if (values.length < min) throw new RangeError(`${name}: needs at least ${min} values, got ${values.length}`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}: values[${i}] = ${values[i]} is not a finite number`);
  }
}
