/**
 * @module test/report-geometry
 * The lab report's plot geometry: p-value histograms binned as sts bins
 * them (from known p-values, through summarise() and the report model),
 * bar heights proportional to the counts; the proportion chart's band from
 * SP 800-22 §4.2.1's formula, its y scale, and points outside the band.
 */

import { describe, expect, it } from 'vitest';
import type { TestResult } from '../src/nist/bits.js';
import { acceptableProportion } from '../src/nist/analysis.js';
import { summarise } from '../src/nist/summary.js';
import { buildLabReport, HISTOGRAM_FRAME, histogramGeometry, PROPORTION_FRAME, proportionChartGeometry, type ProportionInput } from '../src/report/index.js';

/** The report model of a summary of one test whose sequence s gave the p-values perSequence[s]. */
function reportOf(name: string, perSequence: number[][]) {
  const results: TestResult[][] = perSequence.map((pvalues) => [{ name, pvalues, applicable: pvalues.map(() => true) }]);
  const json = JSON.parse(JSON.stringify(summarise(results, { bits: 1000 }))) as unknown; // as read back from the file
  return buildLabReport({ generated: '2025-01-01T00:00:00Z', documents: [{ kind: 'nist', path: 'nist.json', sha256: '0'.repeat(64), json }] });
}

const plotHeight = HISTOGRAM_FRAME.height - HISTOGRAM_FRAME.top - HISTOGRAM_FRAME.bottom;

describe('p-value histogram', () => {
  // Edges as sts sees them: p = 1 goes to the last bin; 0.1 (a float just above 0.1) to the second.
  const pvalues = [0.05, 0.15, 0.15, 0.95, 1, 0, 0.1, 0.999, 0.55, 0.55, 0.55, 0.25];
  const bins = [2, 3, 1, 0, 0, 3, 0, 0, 0, 3];

  it("bins known p-values in sts's ten bins", () => {
    const test = reportOf('Frequency', pvalues.map((p) => [p])).nist[0]!.tests[0]!;
    expect(test.histogram).toEqual(bins);
    expect(test.subtests[0]!.uniformity).not.toBeNull(); // 12 sequences: uniformity applies
  });

  it('pools the sub-tests of a test', () => {
    const test = reportOf('CumulativeSums', pvalues.map((p, s) => [p, pvalues[(s + 5) % pvalues.length]! / 2])).nist[0]!.tests[0]!;
    const halves = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const p of pvalues) halves[Math.min(9, Math.floor((p / 2) * 10))]!++;
    expect(test.subtests.map((s) => s.histogram)).toEqual([bins, halves]);
    expect(test.histogram).toEqual(bins.map((c, i) => c + halves[i]!));
  });

  it('draws ten bars on one baseline, heights proportional to the counts, the tallest filling the plot', () => {
    const g = histogramGeometry(bins);
    expect(g.bars).toHaveLength(10);
    expect(g.yMax).toBe(3);
    expect(g.baseline).toBe(HISTOGRAM_FRAME.top + plotHeight);
    g.bars.forEach((b, i) => {
      expect(b.count).toBe(bins[i]);
      expect(b.height).toBeCloseTo((bins[i]! / 3) * plotHeight, 10);
      expect(b.y + b.height).toBeCloseTo(g.baseline, 10);
      if (i > 0) expect(b.x - g.bars[i - 1]!.x).toBeCloseTo(g.bars[1]!.x - g.bars[0]!.x, 10);
    });
    expect(g.bars[1]!.height).toBeCloseTo(plotHeight, 10);
    expect(g.bars[0]!.height / g.bars[2]!.height).toBeCloseTo(2, 10);
    expect(g.expected).toBeCloseTo(1.2, 12); // 12 p-values / 10 bins
    expect(g.expectedY).toBeCloseTo(g.baseline - (1.2 / 3) * plotHeight, 10);
    const last = g.bars[9]!;
    expect(last.x + last.width).toBeLessThanOrEqual(HISTOGRAM_FRAME.width - HISTOGRAM_FRAME.right);
    expect(g.bars[0]!.x).toBeGreaterThanOrEqual(HISTOGRAM_FRAME.left);
  });

  it('keeps an empty histogram on the axis', () => {
    const g = histogramGeometry(new Array(10).fill(0));
    expect(g.yMax).toBe(1);
    expect(g.bars.every((b) => b.height === 0 && b.y === g.baseline)).toBe(true);
  });
});

describe('proportion chart', () => {
  it('has the acceptable range p̂ ± 3√(p̂(1−p̂)/m) (SP 800-22 §4.2.1: m = 1000, α = 0.01 gives 0.99 ± 0.0094392)', () => {
    const r = acceptableProportion(1000, 0.01);
    expect(r.pHat).toBe(0.99);
    expect(r.min).toBeCloseTo(0.9805607, 6); // the spec prints 7 truncated digits
    expect(r.max).toBeCloseTo(0.9994392, 6);
    const r100 = acceptableProportion(100, 0.01);
    expect(r100.min).toBeCloseTo(0.99 - 3 * Math.sqrt((0.99 * 0.01) / 100), 15);
    expect(r100.min).toBeCloseTo(0.96015, 5);
  });

  const point = (test: string, label: string, passing: number, counted: number, ok = true): ProportionInput => ({ test, label, passing, counted, ok });
  const inputs = [
    point('Frequency', 'Frequency', 99, 100),
    point('CumulativeSums', 'CumulativeSums #1', 100, 100),
    point('CumulativeSums', 'CumulativeSums #2', 95, 100, false),
    point('RandomExcursions', 'RandomExcursions #1', 990, 1000),
    point('RandomExcursions', 'RandomExcursions #2', 61, 62),
  ];

  it('draws each band from the formula for its m, merged where consecutive points share m', () => {
    const g = proportionChartGeometry(inputs, 0.01);
    expect(g.bands.map((b) => b.m)).toEqual([100, 100, 1000, 62]);
    for (const b of g.bands) {
      const r = acceptableProportion(b.m, 0.01);
      expect(b.min).toBe(r.min);
      expect(b.max).toBe(r.max);
      expect(b.y).toBeCloseTo(g.y(r.max), 10);
      expect(b.y + b.height).toBeCloseTo(g.y(r.min), 10);
    }
    const cusum = g.points.filter((p) => p.test === 'CumulativeSums');
    const band = g.bands[1]!;
    expect(band.x).toBeLessThan(cusum[0]!.cx);
    expect(band.x + band.width).toBeGreaterThan(cusum[1]!.cx);
  });

  it('maps proportions linearly, top = domain high; p̂ and the points where they belong', () => {
    const g = proportionChartGeometry(inputs, 0.01);
    const [lo, hi] = g.domain;
    const f = PROPORTION_FRAME;
    expect(g.y(hi)).toBeCloseTo(f.top, 10);
    expect(g.y(lo)).toBeCloseTo(f.height - f.bottom, 10);
    expect(g.y((lo + hi) / 2)).toBeCloseTo((g.y(lo) + g.y(hi)) / 2, 10);
    expect(lo).toBeLessThanOrEqual(0.95); // the lowest point and band fit
    expect(hi).toBeGreaterThanOrEqual(acceptableProportion(62, 0.01).max);
    expect(g.pHatY).toBeCloseTo(g.y(0.99), 10);
    expect(g.points.map((p) => p.proportion)).toEqual([0.99, 1, 0.95, 0.99, 61 / 62]);
    g.points.forEach((p) => expect(p.cy).toBeCloseTo(g.y(p.proportion), 10));
    const xs = g.points.map((p) => p.cx);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(g.groups.map((s) => s.test)).toEqual(['Frequency', 'CumulativeSums', 'RandomExcursions']);
    // 95/100 lies below its band (0.9602 …); the verdict comes with the point.
    const low = g.points[2]!;
    expect(low.cy).toBeGreaterThan(g.bands[1]!.y + g.bands[1]!.height);
    expect(low.ok).toBe(false);
  });

  it('refuses a sub-test with no counted sequence (no proportion to draw)', () => {
    expect(() => proportionChartGeometry([point('Universal', 'Universal', 0, 0)], 0.01)).toThrow(/Universal has no counted sequences/);
  });

  it("flags a sub-test outside sts's integer bounds, from the summary", () => {
    // 20 sequences: sts accepts 18 … 21 passing (⌊(0.99 ∓ 3·√(0.0099/20))·20⌋).
    const seqs = Array.from({ length: 20 }, (_, s) => [s < 3 ? 0.001 : 0.5, s < 2 ? 0.001 : 0.5]);
    const [a, b] = reportOf('CumulativeSums', seqs).nist[0]!.tests[0]!.subtests;
    expect(a).toMatchObject({ passing: 17, counted: 20, minPassing: 18, maxPassing: 21, proportionOk: false, verdict: 'FAILED' });
    expect(b).toMatchObject({ passing: 18, proportionOk: true });
    // 18/20 = 0.9 is below the band's 0.9233 yet within sts's truncated bound: the verdict follows sts.
    expect(18 / 20).toBeLessThan(b!.range!.min);
  });
});
