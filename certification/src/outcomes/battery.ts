/**
 * @module outcomes/battery
 * Runs the outcome-level tests that apply to a game on a captured outcome
 * CSV (csv.ts). For each game there is a sequence of independent, exactly
 * known outcomes to test:
 *
 * | game     | χ² (exact distribution)                 | Knuth §3.3.2 tests on            |
 * |----------|-----------------------------------------|----------------------------------|
 * | dice     | faces; sums when count > 1              | the faces                        |
 * | range    | values (binned when the range is wide)  | the values                       |
 * | float    | k in 64 equal bins                      | k (poker/coupon on its top bits) |
 * | weighted | indices vs w_i/Σw                       | the indices (gap on the heaviest)|
 * | reels    | each reel's stops vs its weights        | reel 1                           |
 * | draw     | first drawn; all numbers (see below)    | the first number drawn           |
 * | shuffle  | card in position 0; position × card     | the card in position 0           |
 *
 * Values within one draw/shuffle are dependent (no replacement), so the
 * all-positions χ² statistics are scaled to their exact asymptotic law:
 * for k of n drawn without replacement, each number's count over R draws
 * has Pearson χ² ≈ (n−k)/(n−1) · χ²(n−1); for random permutations the
 * position × card table has χ² ≈ n/(n−1) · χ²((n−1)²) (the covariance of
 * a random permutation matrix is (I − J/n) ⊗ (I − J/n) / (n−1)).
 *
 * The runs tests assume no ties; discrete outcomes are packed m at a time
 * into one number in base d (uniform on 0 … d^m − 1, still independent)
 * with m chosen so that two packed numbers tie with probability ≤ 2^-32.
 *
 * A test that cannot run on the data (too few values, alphabet too large)
 * is listed as skipped with the reason, never silently left out.
 */

import { chiSquareSurvival } from '../math/special.js';
import { COUPON_MAX_D, couponCollectorTest } from './coupon-collector.js';
import type { OutcomeCsv } from './csv.js';
import { diceSum, MAX_CATEGORIES, uniformBins, uniformInts, weightedIndex, type Distribution } from './distributions.js';
import { frequencyTest } from './frequency.js';
import { gapTest } from './gap.js';
import { pokerTest } from './poker.js';
import type { OutcomeTestResult } from './result.js';
import { runsUpTest } from './runs-up.js';
import { runsUpDownTest } from './runs-up-down.js';
import { serialCorrelationTest } from './serial-correlation.js';

export interface BatteryEntry {
  /** What was tested and how: `faces: chi-square`. */
  label: string;
  result?: OutcomeTestResult;
  /** Why the test was not run. */
  skipped?: string;
}

export interface BatteryReport {
  mapping: string;
  outcomes: number;
  entries: BatteryEntry[];
}

const FLOAT_SCALE = 2 ** 52;

export function analyseOutcomes(csv: OutcomeCsv): BatteryReport {
  const entries: BatteryEntry[] = [];
  const run = (label: string, test: () => OutcomeTestResult) => {
    try {
      entries.push({ label, result: test() });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      entries.push({ label, skipped: err.message });
    }
  };
  const p = csv.params;
  const rows = csv.rows;
  switch (csv.game) {
    case 'dice': {
      const sides = int(p.sides, 'sides');
      const count = int(p.count, 'count');
      checkWidth(rows, count, csv.mapping);
      const faces = rows.flat();
      if (count > 1) run('sums: chi-square', () => frequencyTest(rows.map((r) => r.reduce((a, b) => a + b, 0)), diceSum(count, sides)));
      uniformSuite('faces', faces, 1, sides, run);
      break;
    }
    case 'range': {
      checkWidth(rows, 1, csv.mapping);
      uniformSuite('values', rows.flat(), int(p.min, 'min'), int(p.max, 'max'), run);
      break;
    }
    case 'float': {
      checkWidth(rows, 1, csv.mapping);
      const k = rows.flat();
      run('k: chi-square', () => frequencyTest(k, uniformBins(0, FLOAT_SCALE - 1, 64)));
      run('k/2^52: serial-correlation', () => serialCorrelationTest(k.map((v) => v / FLOAT_SCALE)));
      run('k: gap (k < 2^51)', () => gapTest(k, (v) => v < FLOAT_SCALE / 2, 0.5));
      run('top 4 bits of k: poker', () => pokerTest(k.map((v) => Math.floor(v / 2 ** 48)), 16));
      run('top 3 bits of k: coupon-collector', () => couponCollectorTest(k.map((v) => Math.floor(v / 2 ** 49)), 8));
      run('k: runs-up-down', () => runsUpDownTest(k));
      run('k: runs-up', () => runsUpTest(k));
      break;
    }
    case 'weighted': {
      checkWidth(rows, 1, csv.mapping);
      const weights = p.weights as number[];
      weightedSuite('indices', rows.flat(), weightedIndex(weights), weights, run);
      break;
    }
    case 'reels': {
      const reels = p.reels as number[][];
      checkWidth(rows, reels.length, csv.mapping);
      reels.forEach((weights, i) => run(`reel ${i + 1}: chi-square`, () => frequencyTest(rows.map((r) => r[i]!), weightedIndex(weights))));
      if (reels[0]) weightedSuite('reel 1', rows.map((r) => r[0]!), weightedIndex(reels[0]), reels[0], run, false);
      break;
    }
    case 'draw': {
      const n = int(p.n, 'n');
      const k = int(p.k, 'k');
      checkWidth(rows, k, csv.mapping);
      run('all numbers: chi-square (without replacement)', () => drawOccurrence(rows, n, k));
      uniformSuite('first drawn', rows.map((r) => r[0]!), 1, n, run);
      break;
    }
    case 'shuffle': {
      const n = int(p.n, 'n');
      checkWidth(rows, n, csv.mapping);
      run('position × card: chi-square', () => permutationTable(rows, n));
      uniformSuite('position 0', rows.map((r) => r[0]!), 0, n - 1, run);
      break;
    }
    default:
      throw new RangeError(`no outcome tests for game ${csv.mapping}`);
  }
  return { mapping: csv.mapping, outcomes: rows.length, entries };
}

type Run = (label: string, test: () => OutcomeTestResult) => void;

/** The full set for independent uniform integers min..max. */
function uniformSuite(what: string, values: number[], min: number, max: number, run: Run): void {
  const d = max - min + 1;
  const perValue = d <= MAX_CATEGORIES && values.length >= 5 * d;
  const dist: Distribution = perValue || d < 2 ? uniformInts(min, max) : uniformBins(min, max, Math.max(2, Math.min(d, 1000, Math.floor(values.length / 20))));
  run(`${what}: chi-square`, () => frequencyTest(values, dist));
  run(`${what}: serial-correlation`, () => serialCorrelationTest(values));
  const half = Math.floor(d / 2);
  run(`${what}: gap (values < ${min + half})`, () => gapTest(values, (v) => v - min < half, half / d));
  const shifted = values.map((v) => v - min);
  run(`${what}: poker`, () => pokerTest(shifted, d));
  run(`${what}: coupon-collector`, () => {
    if (d > COUPON_MAX_D) throw new RangeError(`coupon-collector: ${d} values is more than ${COUPON_MAX_D}`);
    return couponCollectorTest(shifted, d);
  });
  const packed = pack(shifted, Array.from({ length: d }, () => 1 / d), d);
  run(`${what}: runs-up-down${packed.m > 1 ? ` (${packed.m} packed per number)` : ''}`, () => runsUpDownTest(packed.values));
  run(`${what}: runs-up${packed.m > 1 ? ` (${packed.m} packed per number)` : ''}`, () => runsUpTest(packed.values));
}

/** Tests for independent indices with a known non-uniform law. */
function weightedSuite(what: string, values: number[], dist: Distribution, weights: number[], run: Run, chi = true): void {
  if (chi) run(`${what}: chi-square`, () => frequencyTest(values, dist));
  run(`${what}: serial-correlation`, () => serialCorrelationTest(values));
  const heaviest = weights.indexOf(Math.max(...weights));
  const pHit = dist.probabilities[heaviest]!;
  run(`${what}: gap (index ${heaviest})`, () => {
    if (pHit >= 1) throw new RangeError('gap: a single possible index has no gaps');
    return gapTest(values, (v) => v === heaviest, pHit);
  });
  if (weights.every((w) => w === weights[0])) {
    run(`${what}: poker`, () => pokerTest(values, weights.length));
    run(`${what}: coupon-collector`, () => couponCollectorTest(values, weights.length));
  } else {
    entriesNote(run, `${what}: poker, coupon-collector`, 'need equally likely values; these weights differ');
  }
  const packed = pack(values, dist.probabilities, weights.length);
  run(`${what}: runs-up-down${packed.m > 1 ? ` (${packed.m} packed per number)` : ''}`, () => runsUpDownTest(packed.values));
  run(`${what}: runs-up${packed.m > 1 ? ` (${packed.m} packed per number)` : ''}`, () => runsUpTest(packed.values));
}

function entriesNote(run: Run, label: string, reason: string): void {
  run(label, () => {
    throw new RangeError(reason);
  });
}

/**
 * Packs m consecutive values of a d-letter alphabet into one base-d number,
 * m the least with tie probability (Σ p_i²)^m ≤ 2^-32, keeping d^m ≤ 2^53.
 * Throws RangeError (→ skipped) when no such m exists.
 */
function pack(values: number[], probabilities: readonly number[], d: number): { values: number[]; m: number } {
  const tie = probabilities.reduce((a, q) => a + q * q, 0);
  if (tie <= 2 ** -32) return { values, m: 1 };
  const m = Math.ceil(-32 / Math.log2(tie));
  if (!(tie < 1) || m * Math.log2(d) > 53) {
    return { values: [], m: Infinity }; // the runs tests then report too few values
  }
  const out: number[] = [];
  for (let i = 0; i + m <= values.length; i += m) {
    let x = 0;
    for (let j = 0; j < m; j++) x = x * d + values[i + j]!;
    out.push(x);
  }
  return { values: out, m };
}

/** k of 1..n without replacement per row: counts of each number, Pearson χ² scaled by (n−1)/(n−k). */
function drawOccurrence(rows: number[][], n: number, k: number): OutcomeTestResult {
  if (k === n) throw new RangeError('draw: with k = n every number appears in every draw; nothing to test');
  const counts = new Array<number>(n).fill(0);
  for (const row of rows) {
    for (const v of row) {
      if (!Number.isInteger(v) || v < 1 || v > n) return impossible('chi-square', rows.length * k, `value ${v} outside 1..${n}`);
      counts[v - 1]!++;
    }
    if (new Set(row).size !== row.length) return impossible('chi-square', rows.length * k, `a draw repeats a number: ${row.join(' ')}`);
  }
  const expected = (rows.length * k) / n;
  if (expected < 5) throw new RangeError(`draw: ${rows.length} draws give each number ${expected.toFixed(2)} expected occurrences; need ≥ 5`);
  let pearson = 0;
  for (const c of counts) pearson += (c - expected) ** 2 / expected;
  const statistic = (pearson * (n - 1)) / (n - k);
  return { name: 'chi-square', statistic, df: n - 1, pValue: chiSquareSurvival(statistic, n - 1), n: rows.length * k, reference: 'chi-square', warnings: [] };
}

/** Random permutations of 0..n−1: the n × n position × card counts, Pearson χ² scaled by (n−1)/n, df (n−1)². */
function permutationTable(rows: number[][], n: number): OutcomeTestResult {
  if (n < 2) throw new RangeError('shuffle: n = 1 has a single permutation');
  const expected = rows.length / n;
  if (expected < 5) throw new RangeError(`shuffle: ${rows.length} shuffles give each position × card cell ${expected.toFixed(2)} expected; need ≥ 5`);
  const table = new Float64Array(n * n);
  for (const row of rows) {
    if (new Set(row).size !== n || row.some((v) => !Number.isInteger(v) || v < 0 || v >= n)) return impossible('chi-square', rows.length, `not a permutation of 0..${n - 1}: ${row.slice(0, 12).join(' ')}`);
    row.forEach((card, pos) => table[pos * n + card]!++);
  }
  let pearson = 0;
  for (const c of table) pearson += (c - expected) ** 2 / expected;
  const statistic = (pearson * (n - 1)) / n;
  const df = (n - 1) ** 2;
  return { name: 'chi-square', statistic, df, pValue: chiSquareSurvival(statistic, df), n: rows.length, reference: 'chi-square', warnings: [] };
}

function impossible(name: string, n: number, why: string): OutcomeTestResult {
  return { name, statistic: Infinity, df: null, pValue: 0, n, reference: 'chi-square', warnings: [why] };
}

function int(v: unknown, key: string): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`outcome CSV: parameter ${key} must be an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function checkWidth(rows: number[][], width: number, mapping: string): void {
  const bad = rows.findIndex((r) => r.length !== width);
  if (bad >= 0) throw new RangeError(`outcome CSV: ${mapping} rows hold ${width} value(s); row ${bad + 1} has ${rows[bad]!.length}`);
}
