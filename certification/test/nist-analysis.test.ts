/**
 * @module test/nist-analysis
 * Final analysis (proportion of passing sequences, uniformity of p-values)
 * against finalAnalysisReport.txt files written by sts-2.1.2
 * (fixtures/sts-multi.json): 10 SHA-256 sequences of 10^6 bits (several
 * with too few random-excursion cycles) and 20 of 10^5 bits (random
 * excursions never applicable, Universal not applicable).
 */

import { describe, expect, it } from 'vitest';
import {
  analyse,
  formatFinalAnalysisReport,
  runBattery,
  stsRoundTrip,
  TEST_NAMES,
  type TestResult,
} from '../src/nist/index.js';
import { loadFixture, sha256Bits } from './helpers/reference.js';

interface MultiCase {
  name: string;
  input: { kind: 'sha256'; seeds: string[] };
  n: number;
  sequences: number;
  generator: string;
  results: Record<string, string[]>;
  finalAnalysisReport: string;
}
const fixture = loadFixture<{ reference: string; cases: MultiCase[] }>('sts-multi.json');
const multi10 = fixture.cases.find((c) => c.name === 'multi10')!;
const multi20 = fixture.cases.find((c) => c.name === 'multi20')!;

/** p-values per sequence for each test (the count sts writes when the test runs). */
const PER_SEQUENCE: Record<string, number> = { CumulativeSums: 2, NonOverlappingTemplate: 148, RandomExcursions: 8, RandomExcursionsVariant: 18, Serial: 2 };

/**
 * The per-sequence p-values as sts's final analysis reads them back from its
 * results.txt files: sequentially, a fixed count per sequence, and — when a
 * test wrote nothing for some sequence (RandomExcursions aborted, Universal
 * too short) — fscanf hits the end of the file and leaves the previous value
 * (initially 0) in place. Every value is presented as applicable, so this
 * exercises only the arithmetic of `analyse`.
 */
function stsReadBack(c: MultiCase): TestResult[][] {
  const per: TestResult[][] = Array.from({ length: c.sequences }, () => []);
  for (const name of TEST_NAMES) {
    const lines = c.results[name]!.map(Number);
    const k = PER_SEQUENCE[name] ?? 1;
    let pos = 0;
    let last = 0;
    for (let s = 0; s < c.sequences; s++) {
      const pvalues: number[] = [];
      for (let i = 0; i < k; i++) {
        if (pos < lines.length) last = lines[pos++]!;
        pvalues.push(last);
      }
      per[s]!.push({ name, pvalues, applicable: pvalues.map(() => true) });
    }
  }
  return per;
}

/**
 * sts reads a missing Universal results file as zeros: it reports
 * "0/20 *" for a test that was never applicable. This implementation
 * reports no counted sequence ("------") instead.
 */
function withoutUniversalGarbage(report: string): string {
  const sts = ' 20   0   0   0   0   0   0   0   0   0  0.000000 *    0/20   *  Universal\n';
  const ours = '  0   0   0   0   0   0   0   0   0   0     ----     ------     Universal\n';
  return report.replace(sts, ours);
}

describe(`final analysis vs ${fixture.reference} finalAnalysisReport.txt`, () => {
  it('10 × 10^6 bits: own p-values → identical report', () => {
    const per = multi10.input.seeds.map((seed) => runBattery(sha256Bits(seed, multi10.n)));
    expect(formatFinalAnalysisReport(analyse(per), multi10.generator)).toBe(multi10.finalAnalysisReport);
  });

  it('10 × 10^6 bits: sts’s printed p-values → identical report', () => {
    expect(formatFinalAnalysisReport(analyse(stsReadBack(multi10)), multi10.generator)).toBe(
      multi10.finalAnalysisReport,
    );
  });

  it('20 × 10^5 bits: identical report except sts’s garbage line for the never-applicable Universal test', () => {
    const per = multi20.input.seeds.map((seed) => runBattery(sha256Bits(seed, multi20.n)));
    const expected = withoutUniversalGarbage(multi20.finalAnalysisReport);
    expect(expected).not.toBe(multi20.finalAnalysisReport);
    expect(formatFinalAnalysisReport(analyse(per), multi20.generator)).toBe(expected);
    // sts's own numbers, read back the way sts reads them (here: sequence 6 has 1,186 cycles,
    // so sts aborted RandomExcursions for it and the later sequences' values shift by one)
    expect(formatFinalAnalysisReport(analyse(stsReadBack(multi20)), multi20.generator)).toBe(
      multi20.finalAnalysisReport,
    );
  });

  it('random excursions count only sequences with a p-value > 0 as printed', () => {
    const a = analyse(stsReadBack(multi10));
    const re = a.find((t) => t.name === 'RandomExcursions')!;
    const applicableSeqs = multi10.results['RandomExcursions']!.filter((p, i) => i % 8 === 0 && Number(p) > 0).length;
    expect(re.subtests).toHaveLength(8);
    expect(re.subtests[0]!.proportion.total).toBe(applicableSeqs);
    expect(applicableSeqs).toBeLessThan(10);
    const rev = a.find((t) => t.name === 'RandomExcursionsVariant')!;
    expect(rev.subtests).toHaveLength(18);
    const a20 = analyse(stsReadBack(multi20)).find((t) => t.name === 'RandomExcursions')!;
    expect(a20.subtests[0]!.proportion.total).toBe(2);
    const own20 = analyse(multi20.input.seeds.map((seed) => runBattery(sha256Bits(seed, multi20.n), { tests: ['RandomExcursions'] })));
    expect(own20[0]!.subtests.map((t) => t.proportion.total)).toEqual(new Array(8).fill(2));
  });
});

describe('analyse: sts arithmetic', () => {
  const one = (pvalues: number[], name = 'Frequency') =>
    analyse(pvalues.map((p) => [{ name, pvalues: [p], applicable: [true] }]))[0]!.subtests[0]!;

  it('p-values are rounded to 6 decimals and read as C floats: 0.0099996 fails, 0.7 lands in C7', () => {
    expect(stsRoundTrip(0.0099996)).toBeLessThan(0.01);
    expect(one([0.0099996]).proportion.passed).toBe(0);
    expect(one([0.0100006]).proportion.passed).toBe(1);
    expect(one([0.7]).uniformity.bins).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(one([0.3]).uniformity.bins).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(one([1]).uniformity.bins).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('proportion bounds p̂ ± 3√(p̂(1−p̂)/m), compared as truncated counts', () => {
    const s = one(new Array(10).fill(0.5));
    expect(s.proportion.min).toBeCloseTo(0.99 - 3 * Math.sqrt((0.99 * 0.01) / 10), 12);
    expect(s.proportion.minPassCount).toBe(8);
    expect(s.proportion.maxPassCount).toBe(10);
    expect(one([...new Array(8).fill(0.5), 0.001, 0.001]).proportion.ok).toBe(true);
    expect(one([...new Array(7).fill(0.5), 0.001, 0.001, 0.001]).proportion.ok).toBe(false);
    const big = one(new Array(100).fill(0.5));
    expect(big.proportion.minPassCount).toBe(96); // sts: "approximately = 96 for a sample size = 100"
  });

  it('uniformity needs ⌊m/10⌋ ≥ 1 and uses the integer expected count', () => {
    expect(one(new Array(9).fill(0.55)).uniformity).toMatchObject({ applicable: false });
    const u = one([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5]).uniformity;
    // expected count ⌊15/10⌋ = 1: χ² = 9·0 + (6 − 1)² = 25
    expect(u.bins).toEqual([1, 1, 1, 1, 1, 6, 1, 1, 1, 1]);
    expect(u.applicable).toBe(true);
    expect(u.pvalue).toBeCloseTo(0.0029712, 6); // P(χ²₉ > 25)
  });

  it('not applicable results are left out; RandomExcursions also leaves out p < 5e-7', () => {
    const per: TestResult[][] = [
      [{ name: 'Universal', pvalues: [NaN], applicable: [false] }],
      [{ name: 'Universal', pvalues: [0.4], applicable: [true] }],
      [{ name: 'RandomExcursions', pvalues: [1e-7, 0.3], applicable: [true, true] }],
      [{ name: 'RandomExcursions', pvalues: [NaN, NaN], applicable: [false, false] }],
      [{ name: 'Runs', pvalues: [0], applicable: [true] }],
    ];
    const a = analyse(per);
    expect(a.map((t) => t.name)).toEqual(['Runs', 'Universal', 'RandomExcursions']);
    expect(a[0]!.subtests[0]!.proportion).toMatchObject({ passed: 0, total: 1 });
    expect(a[1]!.subtests[0]!.proportion).toMatchObject({ passed: 1, total: 1 });
    expect(a[2]!.subtests.map((s) => s.proportion.total)).toEqual([0, 1]);
    expect(a[2]!.subtests[0]!.proportion).toMatchObject({ applicable: false, ok: false });
    expect(a[2]!.subtests[0]!.uniformity.applicable).toBe(false);
  });
});
