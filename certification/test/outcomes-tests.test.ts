/**
 * @module test/outcomes-tests
 * The outcome-level tests (src/outcomes) against worked examples from their
 * references or an independent computation, and against planted defects.
 */

import { describe, expect, it } from 'vitest';
import {
  chiSquareCounts, couponCollectorTest, couponLengths, couponProbabilities, diceSum, frequencyTest, gapLengths,
  gapProbabilities, gapTest, occupancyTable, pokerProbabilities, pokerTest, runsUpDownTest, runsUpLengths,
  runsUpProbabilities, runsUpTest, serialCorrelationTest, uniformBins, uniformInts, weightedIndex,
} from '../src/outcomes/index.js';
import { TestRng } from './helpers/outcomes-rng.js';

/** Values whose counts per category are `counts`, category i being `first + i`, in a shuffled order. */
function fromCounts(counts: number[], first: number, rng = new TestRng('order')): number[] {
  const values = counts.flatMap((c, i) => new Array<number>(c).fill(first + i));
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

describe('chi-square goodness of fit (Knuth §3.3.1 A, §3.3.2 A)', () => {
  it("reproduces Knuth's two-dice example: 144 throws, V = 7 7/48, 10 degrees of freedom", () => {
    // TAOCP vol. 2, 3rd ed., §3.3.1: sums 2..12 observed 2 4 10 12 22 29 21 15 14 9 6.
    const values = fromCounts([2, 4, 10, 12, 22, 29, 21, 15, 14, 9, 6], 2);
    const r = frequencyTest(values, diceSum(2, 6), { minExpected: 0 }); // Knuth does not pool the two expected-4 cells
    expect(r.statistic).toBeCloseTo(7 + 7 / 48, 12);
    expect(r.df).toBe(10);
    // Knuth: V lies between the 25% (6.737) and 50% (9.342) points of χ²(10).
    expect(r.pValue).toBeGreaterThan(0.5);
    expect(r.pValue).toBeLessThan(0.75);
    expect(r.pValue).toBeCloseTo(0.7116, 3); // 1 − pchisq(7.145833, 10)
  });

  it('has the exact dice-sum and weighted distributions', () => {
    expect(diceSum(2, 6).probabilities.map((p) => Math.round(p * 36))).toEqual([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]);
    const three = diceSum(3, 6).probabilities;
    expect(three[10 - 3]! * 216).toBeCloseTo(27, 10); // 27 of the 216 ways make 10
    expect(three.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(weightedIndex([1, 0, 3]).probabilities).toEqual([0.25, 0, 0.75]);
    const bins = uniformBins(0, 2 ** 52 - 1, 64);
    expect(bins.probabilities.every((p) => p === 1 / 64)).toBe(true);
    expect(bins.classify(2 ** 46 - 1)).toBe(0);
    expect(bins.classify(2 ** 46)).toBe(1);
    expect(bins.classify(2 ** 52 - 1)).toBe(63);
    const uneven = uniformBins(1, 10, 3); // widths 3, 3, 4
    expect(uneven.probabilities).toEqual([0.3, 0.3, 0.4]);
    expect([1, 3, 4, 6, 7, 10].map((v) => uneven.classify(v))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('pools sparse categories and says so', () => {
    const r = chiSquareCounts('x', [3, 2, 44, 50, 1], [0.03, 0.02, 0.45, 0.49, 0.01]);
    expect(r.bins!.map((b) => b.labels)).toEqual([['0', '1'], ['2'], ['3', '4']]);
    expect(r.df).toBe(2);
    expect(r.warnings.join()).toMatch(/pooled/);
    expect(() => chiSquareCounts('x', [1, 1], [0.5, 0.5])).toThrow(/too few observations/);
    expect(() => chiSquareCounts('x', [1, 1], [0.5, 0.4])).toThrow(/sum to/);
  });

  it('fails a die with a missing face, and rejects impossible values outright', () => {
    const rng = new TestRng('missing-face');
    const faces = rng.ints(6000, 1, 5); // a "d6" that never shows 6
    const r = frequencyTest(faces, uniformInts(1, 6));
    expect(r.pValue).toBeLessThan(1e-100);
    const good = frequencyTest(rng.ints(6000, 1, 6), uniformInts(1, 6));
    expect(good.pValue).toBeGreaterThan(0.001);
    const seven = frequencyTest([...rng.ints(100, 1, 6), 7], uniformInts(1, 6));
    expect(seven.pValue).toBe(0);
    expect(seven.warnings[0]).toMatch(/outside uniform 1..6: 7/);
    const zeroWeight = frequencyTest([0, 2, 1], weightedIndex([1, 0, 1]));
    expect(zeroWeight.pValue).toBe(0);
  });
});

describe('serial correlation (Knuth §3.3.2 K)', () => {
  /** Knuth's formula exactly as printed, uncentred, as an independent computation. */
  function knuthC(u: number[]): number {
    const n = u.length;
    let s1 = 0;
    let s2 = 0;
    let s11 = 0;
    for (let j = 0; j < n; j++) {
      s1 += u[j]!;
      s2 += u[j]! * u[j]!;
      s11 += u[j]! * u[(j + 1) % n]!;
    }
    return (n * s11 - s1 * s1) / (n * s2 - s1 * s1);
  }

  it('matches the printed formula, with μ_n and σ_n as Knuth gives them', () => {
    const rng = new TestRng('serial');
    for (const n of [5, 10, 1000]) {
      const u = Array.from({ length: n }, () => rng.float());
      const r = serialCorrelationTest(u);
      expect(r.statistic).toBeCloseTo(knuthC(u), 12);
      const mu = -1 / (n - 1);
      const sigma = Math.sqrt((n * (n - 3)) / (n + 1)) / (n - 1);
      expect(r.z).toBeCloseTo((knuthC(u) - mu) / sigma, 10);
    }
    // A hand-checked case: U = 0, 1, 0, 1 has C = −1 (perfect alternation).
    expect(serialCorrelationTest([0, 1, 0, 1]).statistic).toBeCloseTo(-1, 15);
    // Centring keeps precision where the raw sums would not: float@1-sized values.
    const big = Array.from({ length: 1000 }, () => rng.below(2 ** 20) * 2 ** 32);
    expect(serialCorrelationTest(big).statistic).toBeCloseTo(knuthC(big.map((v) => v / 2 ** 52)), 12);
  });

  it('fails strong positive and negative correlation and a constant sequence', () => {
    const rng = new TestRng('ar1');
    const ar: number[] = [rng.float()];
    for (let i = 1; i < 5000; i++) ar.push(0.6 * ar[i - 1]! + 0.4 * rng.float());
    expect(serialCorrelationTest(ar).pValue).toBeLessThan(1e-50);
    const alternating = Array.from({ length: 5000 }, (_, i) => (i % 2) * 0.5 + 0.5 * rng.float());
    const neg = serialCorrelationTest(alternating);
    expect(neg.statistic).toBeLessThan(-0.5);
    expect(neg.pValue).toBeLessThan(1e-50);
    expect(serialCorrelationTest([3, 3, 3, 3, 3]).pValue).toBe(0);
  });
});

describe('runs up and down (Levene & Wolfowitz 1944)', () => {
  it('counts runs and standardises with μ = (2n−1)/3, σ² = (16n−29)/90', () => {
    // Differences + − + + − : runs (+)(−)(+ +)(−) = 4.
    const r = runsUpDownTest([0.1, 0.5, 0.3, 0.4, 0.9, 0.2]);
    expect(r.statistic).toBe(4);
    expect(r.z).toBeCloseTo((4 - 11 / 3) / Math.sqrt(67 / 90), 12);
    const tied = runsUpDownTest([0.1, 0.5, 0.5, 0.3, 0.4, 0.9, 0.2]);
    expect(tied.statistic).toBe(4);
    expect(tied.warnings[0]).toMatch(/1 tie/);
  });

  it('fails too few runs (trends) and too many (zig-zag)', () => {
    const rng = new TestRng('trend');
    const saw = Array.from({ length: 4000 }, (_, i) => (i % 40) + 0.5 * rng.float());
    expect(runsUpDownTest(saw).pValue).toBeLessThan(1e-50);
    const zigzag = Array.from({ length: 4000 }, (_, i) => (i % 2) + 0.5 * rng.float());
    expect(runsUpDownTest(zigzag).pValue).toBeLessThan(1e-50);
  });
});

describe('runs up with the element after each run discarded (Knuth §3.3.2 G)', () => {
  it("splits Knuth's example sequence 1 2 9 8 5 3 6 7 0 4", () => {
    expect(runsUpLengths([1, 2, 9, 8, 5, 3, 6, 7, 0, 4])).toEqual({ lengths: [3, 1, 2], ties: 0 });
  });

  it('uses P(length = r) = 1/r! − 1/(r+1)!, P(≥ t) = 1/t!', () => {
    const p = runsUpProbabilities(6);
    const expected = [1 / 2, 1 / 3, 1 / 8, 1 / 30, 1 / 144, 1 / 720];
    p.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 15));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('fails long ascending runs', () => {
    const rng = new TestRng('ascending');
    // Each value is a little above the previous one most of the time.
    const values: number[] = [0];
    for (let i = 1; i < 10000; i++) values.push(rng.float() < 0.8 ? values[i - 1]! + rng.float() : rng.float() * values[i - 1]!);
    expect(runsUpTest(values).pValue).toBeLessThan(1e-50);
    expect(runsUpTest(Array.from({ length: 10000 }, () => rng.float())).pValue).toBeGreaterThan(0.001);
  });
});

describe('gap test (Knuth §3.3.2 C)', () => {
  it('counts the non-hits before each hit and uses p(1−p)^r', () => {
    // M M H H M H M M M H M: gaps 2, 0, 1, 3; the trailing M is incomplete.
    expect(gapLengths([0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0], (v) => v === 1)).toEqual([2, 0, 1, 3]);
    expect(gapProbabilities(0.5, 3)).toEqual([0.5, 0.25, 0.125, 0.125]);
    expect(gapProbabilities(0.1, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it('fails a sequence with no gaps of length ≠ 1, and clustered hits', () => {
    const rng = new TestRng('gap');
    const regular = Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? rng.below(3) : 3 + rng.below(3))); // hit every other value
    expect(gapTest(regular, (v) => v < 3, 0.5).pValue).toBeLessThan(1e-100);
    const clustered = Array.from({ length: 4000 }, (_, i) => (Math.floor(i / 8) % 2 === 0 ? 0 : 1));
    expect(gapTest(clustered, (v) => v === 0, 0.5).pValue).toBeLessThan(1e-100);
    const good = rng.ints(4000, 0, 5);
    expect(gapTest(good, (v) => v < 3, 0.5).pValue).toBeGreaterThan(0.001);
    expect(gapTest([1, 1, 1], (v) => v === 0, 0.5).pValue).toBe(0); // no hit at all
  });
});

describe('poker test (Knuth §3.3.2 D)', () => {
  it('has the classic poker-hand probabilities for d = 10, k = 5', () => {
    const p = pokerProbabilities(10, 5); // 1, 2, 3, 4, 5 distinct digits
    [0.0001, 0.0135, 0.18, 0.504, 0.3024].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 14));
  });

  it('agrees with Stirling numbers: q(m, r) = d!/(d−r)! · S(m, r) / d^m', () => {
    const S = (m: number, r: number): number => (m === 0 && r === 0 ? 1 : m === 0 || r === 0 ? 0 : r * S(m - 1, r) + S(m - 1, r - 1));
    const fall = (d: number, r: number) => Array.from({ length: r }, (_, i) => d - i).reduce((a, b) => a * b, 1);
    const q = occupancyTable(7, 9);
    for (let m = 0; m <= 9; m++) for (let r = 0; r <= 7; r++) expect(q[m]![r]).toBeCloseTo((fall(7, r) * S(m, r)) / 7 ** m, 14);
  });

  it('fails groups that are always all different', () => {
    const rng = new TestRng('poker');
    const cyclic = Array.from({ length: 5000 }, (_, i) => i % 10);
    expect(pokerTest(cyclic, 10).pValue).toBeLessThan(1e-100);
    expect(pokerTest(rng.ints(5000, 0, 9), 10).pValue).toBeGreaterThan(0.001);
    expect(() => pokerTest([0, 1, 2, 3, 10], 10)).toThrow(/not an integer in 0..9/);
  });
});

describe("coupon collector's test (Knuth §3.3.2 E)", () => {
  it('measures segments and uses d!/d^r · S(r−1, d−1)', () => {
    expect(couponLengths([0, 1, 0, 2, 1, 1, 0, 2, 2, 2, 2, 1, 0, 1], 3)).toEqual([4, 4, 5]);
    const p3 = couponProbabilities(3, 6); // r = 3, 4, 5, ≥ 6
    expect(p3[0]).toBeCloseTo(2 / 9, 15); // 3!/3^3 · S(2,2)
    expect(p3[1]).toBeCloseTo(2 / 9, 15); // 3!/3^4 · S(3,2) = 6·3/81
    expect(p3[2]).toBeCloseTo(14 / 81, 15); // 3!/3^5 · S(4,2) = 6·7/243
    expect(p3[3]).toBeCloseTo(1 - 2 / 9 - 2 / 9 - 14 / 81, 15);
    const p2 = couponProbabilities(2, 10);
    for (let r = 2; r < 10; r++) expect(p2[r - 2]).toBeCloseTo(2 ** (1 - r), 15);
    // Mean segment length d·H_d (6 · 2.45 = 14.7 for a die).
    const p6 = couponProbabilities(6, 400);
    const mean = p6.slice(0, -1).reduce((a, p, i) => a + p * (6 + i), 0);
    expect(mean).toBeCloseTo(6 * (1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6), 6);
  });

  it('fails a die that cycles through its faces', () => {
    const rng = new TestRng('coupon');
    const cycle = Array.from({ length: 6000 }, (_, i) => i % 6);
    expect(couponCollectorTest(cycle, 6).pValue).toBeLessThan(1e-100);
    expect(couponCollectorTest(rng.ints(6000, 0, 5), 6).pValue).toBeGreaterThan(0.001);
  });
});
