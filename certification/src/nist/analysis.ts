/**
 * @module nist/analysis
 * Second-level ("final analysis") statistics over many sequences, computed
 * the way sts-2.1.2 writes finalAnalysisReport.txt (SP 800-22 rev1a §4.2).
 *
 * For every p-value position of every test (e.g. each of the 148
 * NonOverlappingTemplate templates, each RandomExcursions state):
 *
 * - Each p-value is taken as sts sees it: printed with "%f" (6 decimals)
 *   into results.txt and read back with fscanf("%f") into a C float.
 *   So 0.0099996 becomes 0.010000f = 0.00999999977… < 0.01 and counts as a
 *   failure, and 0.7000001 falls in bin C7 only if its float is ≥ 0.7.
 * - Which sequences count: for RandomExcursions and RandomExcursionsVariant
 *   only values > 0 after that rounding (sts's `c > 0.000000`): not
 *   applicable results are left out — and so, as in sts, are applicable
 *   p-values below 5e-7. For every other test every applicable result
 *   counts (a p-value of 0, e.g. Runs' failed prerequisite, is a failure).
 *   Not applicable results of other tests are left out; sts, which prints
 *   0.000000, "nan" or nothing for those (tiny n only), would count or
 *   misalign them.
 * - Proportion: passed = #{p ≥ α} of the m counted values; the acceptable
 *   range is p̂ ± 3√(p̂(1−p̂)/m) with p̂ = 1 − α, and sts compares the pass
 *   count with the bounds multiplied by m and truncated to integers.
 * - Uniformity: histogram of ⌊10p⌋ (p = 1 in the last bin), expected count
 *   ⌊m/10⌋ (integer division, as sts), χ² = Σ (F_i − ⌊m/10⌋)²/⌊m/10⌋,
 *   P-value = igamc(9/2, χ²/2). sts's minimum sample size: it reports no
 *   uniformity P-value when ⌊m/10⌋ = 0, i.e. m < 10 (the spec asks for at
 *   least 55 sequences; sts does not enforce it). sts flags P < 0.0001.
 */

import { igamc } from '../math/special.js';
import type { TestResult } from './bits.js';

export interface ProportionResult {
  /** Sequences with p ≥ α. */
  passed: number;
  /** Sequences counted (m). */
  total: number;
  /** Lower bound of the acceptable proportion: p̂ − 3√(p̂(1−p̂)/m), p̂ = 1 − α (NaN if m = 0). */
  min: number;
  /** Upper bound p̂ + 3√(p̂(1−p̂)/m). */
  max: number;
  /** sts's integer thresholds: ⌊min·m⌋ and ⌊max·m⌋ (truncated as C does). */
  minPassCount: number;
  maxPassCount: number;
  /** minPassCount ≤ passed ≤ maxPassCount (sts marks the row with '*' otherwise). */
  ok: boolean;
  /** false when no sequence counts (sts prints "------"). */
  applicable: boolean;
}

export interface UniformityResult {
  /** igamc(9/2, χ²/2); NaN when not applicable. */
  pvalue: number;
  /** The 10 bin counts C1 … C10. */
  bins: number[];
  /** false when ⌊m/10⌋ = 0 (sts prints "----"). */
  applicable: boolean;
  /** pvalue ≥ 0.0001 (sts marks the P-value with '*' otherwise). */
  ok: boolean;
}

export interface SubtestAnalysis {
  proportion: ProportionResult;
  uniformity: UniformityResult;
}

export interface TestAnalysis {
  name: string;
  subtests: SubtestAnalysis[];
}

const EXCURSION_TESTS = new Set(['RandomExcursions', 'RandomExcursionsVariant']);

/** A p-value as sts's final analysis sees it: "%f" then fscanf("%f") into a float. */
export function stsRoundTrip(p: number): number {
  return Math.fround(Number(p.toFixed(6)));
}

/**
 * SP 800-22 §4.2.1's range of acceptable proportions of passing sequences
 * for m sequences: p̂ ± 3√(p̂(1−p̂)/m), p̂ = 1 − α.
 */
export function acceptableProportion(m: number, alpha: number): { pHat: number; min: number; max: number } {
  const pHat = 1 - alpha;
  const half = 3 * Math.sqrt((pHat * alpha) / m);
  return { pHat, min: pHat - half, max: pHat + half };
}

function analyseValues(values: number[], alpha: number): SubtestAnalysis {
  const m = values.length;
  let fails = 0;
  const bins = new Array<number>(10).fill(0);
  for (const c of values) {
    if (c < alpha) fails++;
    let pos = Math.floor(c * 10);
    if (pos === 10) pos--;
    if (pos < 0) pos = 0;
    if (pos > 9) pos = 9;
    bins[pos]!++;
  }
  let proportion: ProportionResult;
  if (m === 0) {
    proportion = {
      passed: 0,
      total: 0,
      min: NaN,
      max: NaN,
      minPassCount: 0,
      maxPassCount: 0,
      ok: false,
      applicable: false,
    };
  } else {
    const { min, max } = acceptableProportion(m, alpha);
    const passed = m - fails;
    const minPassCount = Math.trunc(min * m);
    const maxPassCount = Math.trunc(max * m);
    proportion = {
      passed,
      total: m,
      min,
      max,
      minPassCount,
      maxPassCount,
      ok: passed >= minPassCount && passed <= maxPassCount,
      applicable: true,
    };
  }
  const expCount = Math.floor(m / 10);
  let uniformity: UniformityResult;
  if (expCount === 0) {
    uniformity = { pvalue: NaN, bins, applicable: false, ok: false };
  } else {
    let chi2 = 0;
    for (const f of bins) chi2 += Math.pow(f - expCount, 2) / expCount;
    const pvalue = igamc(9.0 / 2.0, chi2 / 2.0);
    uniformity = { pvalue, bins, applicable: true, ok: pvalue >= 0.0001 };
  }
  return { proportion, uniformity };
}

/** Test order of the reference (first-seen order for names it does not know). */
const REFERENCE_ORDER = [
  'Frequency',
  'BlockFrequency',
  'CumulativeSums',
  'Runs',
  'LongestRun',
  'Rank',
  'FFT',
  'NonOverlappingTemplate',
  'OverlappingTemplate',
  'Universal',
  'ApproximateEntropy',
  'RandomExcursions',
  'RandomExcursionsVariant',
  'Serial',
  'LinearComplexity',
];

/**
 * Final analysis of `perSequence[s]` = the results of sequence s (as
 * returned by runBattery), at significance level α (sts: 0.01).
 */
export function analyse(perSequence: TestResult[][], alpha = 0.01): TestAnalysis[] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const collected = new Map<string, number[][]>();
  for (const results of perSequence) {
    for (const r of results) {
      let subs = collected.get(r.name);
      if (!subs) {
        subs = [];
        collected.set(r.name, subs);
      }
      const excursion = EXCURSION_TESTS.has(r.name);
      for (let i = 0; i < r.pvalues.length; i++) {
        while (subs.length <= i) subs.push([]);
        if (!r.applicable[i]) continue;
        const p = r.pvalues[i]!;
        if (Number.isNaN(p)) continue;
        const c = stsRoundTrip(p);
        if (excursion && !(c > 0)) continue;
        subs[i]!.push(c);
      }
    }
  }
  const names = [...collected.keys()].sort((a, b) => {
    const ia = REFERENCE_ORDER.indexOf(a);
    const ib = REFERENCE_ORDER.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
  });
  return names.map((name) => ({
    name,
    subtests: collected.get(name)!.map((values) => analyseValues(values, alpha)),
  }));
}

function pad(s: string, width: number, left = false): string {
  return left ? s.padEnd(width) : s.padStart(width);
}

/**
 * The text sts-2.1.2 writes to finalAnalysisReport.txt for this analysis
 * (`generator` is what sts prints as "generator is <…>"). The footer's
 * sample sizes are those of the last general and the last random-excursion
 * subtest, as in sts.
 */
export function formatFinalAnalysisReport(analysis: TestAnalysis[], generator: string, alpha = 0.01): string {
  const dash = '------------------------------------------------------------------------------\n';
  let out = '';
  out += dash;
  out += 'RESULTS FOR THE UNIFORMITY OF P-VALUES AND THE PROPORTION OF PASSING SEQUENCES\n';
  out += dash;
  out += `   generator is <${generator}>\n`;
  out += dash;
  out += ' C1  C2  C3  C4  C5  C6  C7  C8  C9 C10  P-VALUE  PROPORTION  STATISTICAL TEST\n';
  out += dash;
  let general: number | undefined;
  let excursion: number | undefined;
  for (const t of analysis) {
    for (const s of t.subtests) {
      for (const b of s.uniformity.bins) out += pad(String(b), 3) + ' ';
      const u = s.uniformity;
      if (!u.applicable) out += '    ----    ';
      else if (u.pvalue < 0.0001) out += ` ${u.pvalue.toFixed(6).padStart(8)} * `;
      else out += ` ${u.pvalue.toFixed(6).padStart(8)}   `;
      const p = s.proportion;
      if (p.total === 0) out += ` ------     ${t.name}\n`;
      else if (!p.ok) out += `${pad(String(p.passed), 4)}/${pad(String(p.total), 4, true)} *  ${t.name}\n`;
      else out += `${pad(String(p.passed), 4)}/${pad(String(p.total), 4, true)}    ${t.name}\n`;
      if (EXCURSION_TESTS.has(t.name)) excursion = p.total;
      else general = p.total;
    }
  }
  out += '\n\n- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n';
  const pHat = 1 - alpha;
  if (general !== undefined) {
    if (general === 0) {
      out += 'The minimum pass rate for each statistical test with the exception of the\n';
      out += 'random excursion (variant) test is undefined.\n\n';
    } else {
      const passRate = Math.trunc((pHat - 3.0 * Math.sqrt((pHat * alpha) / general)) * general);
      out += 'The minimum pass rate for each statistical test with the exception of the\n';
      out += `random excursion (variant) test is approximately = ${passRate} for a\n`;
      out += `sample size = ${general} binary sequences.\n\n`;
    }
  }
  if (excursion !== undefined) {
    if (excursion === 0) out += 'The minimum pass rate for the random excursion (variant) test is undefined.\n\n';
    else {
      const passRate = Math.trunc((pHat - 3.0 * Math.sqrt((pHat * alpha) / excursion)) * excursion);
      out += 'The minimum pass rate for the random excursion (variant) test\n';
      out += `is approximately = ${passRate} for a sample size = ${excursion} binary sequences.\n\n`;
    }
  }
  out += 'For further guidelines construct a probability table using the MAPLE program\n';
  out += 'provided in the addendum section of the documentation.\n';
  out += '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n';
  return out;
}
