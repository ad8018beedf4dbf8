/**
 * @module test/outcomes-battery
 * p-values of the outcome tests are uniform on good data (50 independent
 * runs each, Kolmogorov–Smirnov at the 0.1% level, fixed seeds), the
 * outcome CSV parses, and the battery passes simulated good games and fails
 * planted defects (a missing face, the classic biased "swap with any card"
 * shuffle, a draw that repeats numbers).
 */

import { describe, expect, it } from 'vitest';
import {
  analyseOutcomes, couponCollectorTest, frequencyTest, gapTest, parseOutcomeCsv, pokerTest, runsUpDownTest, runsUpTest,
  serialCorrelationTest, uniformInts, type BatteryReport, type OutcomeTestResult,
} from '../src/outcomes/index.js';
import { ksUniform, TestRng } from './helpers/outcomes-rng.js';

const RUNS = 50;

function pvaluesOf(name: string, test: (rng: TestRng) => OutcomeTestResult): number[] {
  return Array.from({ length: RUNS }, (_, i) => test(new TestRng(`${name}/${i}`)).pValue);
}

describe('p-values are uniform on good data', () => {
  const cases: [string, (rng: TestRng) => OutcomeTestResult][] = [
    ['chi-square d6', (r) => frequencyTest(r.ints(3000, 1, 6), uniformInts(1, 6))],
    ['chi-square 1..100', (r) => frequencyTest(r.ints(5000, 1, 100), uniformInts(1, 100))],
    ['serial correlation', (r) => serialCorrelationTest(Array.from({ length: 2000 }, () => r.float()))],
    ['runs up and down', (r) => runsUpDownTest(Array.from({ length: 2000 }, () => r.float()))],
    ['runs up', (r) => runsUpTest(Array.from({ length: 4000 }, () => r.float()))],
    ['gap', (r) => gapTest(r.ints(3000, 0, 9), (v) => v < 3, 0.3)],
    ['poker', (r) => pokerTest(r.ints(5000, 0, 9), 10)],
    ['coupon collector', (r) => couponCollectorTest(r.ints(4000, 0, 5), 6)],
  ];
  for (const [name, test] of cases) {
    it(name, () => {
      const p = pvaluesOf(name, test);
      const ks = ksUniform(p);
      expect(ks.d, `KS distance ${ks.d.toFixed(3)} ≥ ${ks.critical.toFixed(3)}; p-values ${p.map((x) => x.toFixed(2)).join(' ')}`).toBeLessThan(ks.critical);
      expect(Math.min(...p)).toBeGreaterThan(1e-4);
    });
  }
});

/** A CSV as `rngseal capture --stage outcomes` writes it. */
function csv(header: string, rows: (number | number[])[]): string {
  return [header, ...rows.map((r) => (Array.isArray(r) ? r.join(' ') : String(r)))].join('\n') + '\n';
}

function fisherYates(rng: TestRng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i >= 1; i--) {
    const j = rng.below(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function draw(rng: TestRng, n: number, k: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(n - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

function failures(report: BatteryReport): string[] {
  return report.entries.filter((e) => e.result && e.result.pValue < 1e-6).map((e) => `${e.label} p=${e.result!.pValue.toExponential(2)}`);
}

function ran(report: BatteryReport): string[] {
  return report.entries.filter((e) => e.result).map((e) => e.label);
}

describe('outcome CSV and the battery', () => {
  it('parses the header and rows', () => {
    const parsed = parseOutcomeCsv('game=reels@1,reels=1 2|3 4 5\n0 2\n1 0\n');
    expect(parsed).toEqual({ mapping: 'reels@1', game: 'reels', params: { reels: [[1, 2], [3, 4, 5]] }, rows: [[0, 2], [1, 0]] });
    expect(parseOutcomeCsv('game=weighted@1,weights=5\n0\n').params).toEqual({ weights: [5] });
    expect(() => parseOutcomeCsv('dice@1,count=1\n1\n')).toThrow(/game=/);
    expect(() => parseOutcomeCsv('game=dice@1,count=1,sides=6\n1.5\n')).toThrow(/line 2/);
  });

  it('passes simulated good games of every kind', () => {
    const rng = new TestRng('battery');
    const games: [string, (number | number[])[]][] = [
      ['game=dice@1,count=2,sides=6', Array.from({ length: 6000 }, () => rng.ints(2, 1, 6))],
      ['game=range@1,min=1,max=100', rng.ints(20000, 1, 100)],
      ['game=range@1,min=-5,max=1000000', rng.ints(20000, -5, 1_000_000)],
      ['game=float@1', Array.from({ length: 20000 }, () => rng.below(2 ** 26) * 2 ** 26 + rng.below(2 ** 26))],
      ['game=weighted@1,weights=1 2 3 4', Array.from({ length: 10000 }, () => [0, 1, 1, 2, 2, 2, 3, 3, 3, 3][rng.below(10)]!)],
      ['game=reels@1,reels=1 1 2|3 1', Array.from({ length: 4000 }, () => [[0, 1, 2, 2][rng.below(4)]!, [0, 0, 0, 1][rng.below(4)]!])],
      ['game=draw@1,n=80,k=20', Array.from({ length: 2000 }, () => draw(rng, 80, 20))],
      ['game=shuffle@1,n=5', Array.from({ length: 2000 }, () => fisherYates(rng, 5))],
    ];
    for (const [header, rows] of games) {
      const report = analyseOutcomes(parseOutcomeCsv(csv(header, rows)));
      expect(failures(report), header).toEqual([]);
      expect(report.entries.length, header).toBeGreaterThanOrEqual(3);
    }
    const dice = analyseOutcomes(parseOutcomeCsv(csv(games[0]![0], games[0]![1])));
    expect(ran(dice)).toEqual([
      'sums: chi-square', 'faces: chi-square', 'faces: serial-correlation', 'faces: gap (values < 4)', 'faces: poker',
      'faces: coupon-collector', 'faces: runs-up-down (13 packed per number)', 'faces: runs-up (13 packed per number)',
    ]);
    const weighted = analyseOutcomes(parseOutcomeCsv(csv(games[4]![0], games[4]![1])));
    expect(weighted.entries.find((e) => e.label.includes('poker'))?.skipped).toMatch(/equally likely/);
  });

  it('fails planted defects', () => {
    const rng = new TestRng('defects');
    const noSix = analyseOutcomes(parseOutcomeCsv(csv('game=dice@1,count=1,sides=6', rng.ints(6000, 1, 5))));
    expect(failures(noSix).join()).toMatch(/faces: chi-square/);
    // The textbook biased shuffle: swap each position with ANY position (n^n paths for n! permutations).
    const naive = Array.from({ length: 6000 }, () => {
      const a = [0, 1, 2, 3, 4];
      for (let i = 0; i < 5; i++) {
        const j = rng.below(5);
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    });
    expect(failures(analyseOutcomes(parseOutcomeCsv(csv('game=shuffle@1,n=5', naive)))).join()).toMatch(/position × card/);
    const repeats = Array.from({ length: 500 }, () => [...draw(rng, 80, 19), 1]);
    expect(failures(analyseOutcomes(parseOutcomeCsv(csv('game=draw@1,n=80,k=20', repeats)))).join()).toMatch(/all numbers/);
    const sticky: number[] = [rng.below(100) + 1];
    for (let i = 1; i < 20000; i++) sticky.push(rng.float() < 0.3 ? sticky[i - 1]! : rng.below(100) + 1);
    const stickyReport = failures(analyseOutcomes(parseOutcomeCsv(csv('game=range@1,min=1,max=100', sticky))));
    expect(stickyReport.join()).toMatch(/serial-correlation/);
  });

  it('scales the without-replacement statistics right (uniform p-values over 50 runs)', () => {
    const drawP = Array.from({ length: RUNS }, (_, i) => {
      const rng = new TestRng(`draw-scale/${i}`);
      const report = analyseOutcomes(parseOutcomeCsv(csv('game=draw@1,n=20,k=8', Array.from({ length: 300 }, () => draw(rng, 20, 8)))));
      return report.entries.find((e) => e.label.startsWith('all numbers'))!.result!.pValue;
    });
    expect(ksUniform(drawP).ok, drawP.join(' ')).toBe(true);
    const shuffleP = Array.from({ length: RUNS }, (_, i) => {
      const rng = new TestRng(`shuffle-scale/${i}`);
      const report = analyseOutcomes(parseOutcomeCsv(csv('game=shuffle@1,n=6', Array.from({ length: 300 }, () => fisherYates(rng, 6)))));
      return report.entries.find((e) => e.label.startsWith('position ×'))!.result!.pValue;
    });
    expect(ksUniform(shuffleP).ok, shuffleP.join(' ')).toBe(true);
  });
});
