/**
 * @module test/mappings.chisquare
 * Sampled goodness of fit: 100,000 outcomes per mapping from the real derived
 * stream (fixed key and seed, nonces 0..N-1), each compared with its exact
 * distribution by a chi-square test. Seeds are fixed, so the p-values are
 * deterministic; the threshold only has to clear honest fluctuation.
 */

import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/bytes.js';
import type { Json } from '../src/canonical.js';
import { deriveStream } from '../src/derive.js';
import { dice } from '../src/mappings/dice.js';
import { draw } from '../src/mappings/draw.js';
import { float } from '../src/mappings/float.js';
import type { Mapping, Params } from '../src/mappings/mapping.js';
import { range } from '../src/mappings/range.js';
import { reels } from '../src/mappings/reels.js';
import { shuffle } from '../src/mappings/shuffle.js';
import { weighted } from '../src/mappings/weighted.js';
import { chiSquarePValue, chiSquareTest, gammaQ, lnGamma } from './stats.js';

const KEY = fromHex('c0ffee0123456789abcdef0123456789fedcba9876543210deadbeefcafef00d');
const SEED = 'chi-square';
const N = 100_000;
const MIN_P = 1e-4;

/** Calls `observe` with the result for every nonce 0..N-1. */
function sample<R extends Json>(m: Mapping<any, R>, params: Params, observe: (result: R) => void): void {
  for (let nonce = 0; nonce < N; nonce++) observe(m.run(deriveStream(KEY, SEED, nonce), params));
}

function expectFit(label: string, observed: number[], expected: number[]): void {
  const { stat, dof, p } = chiSquareTest(observed, expected);
  expect(p, `${label}: chi-square ${stat.toFixed(2)} on ${dof} dof`).toBeGreaterThan(MIN_P);
}

const zeros = (n: number) => new Array<number>(n).fill(0);

/** Expected counts for `total` samples in proportion to `weights`. */
const proportional = (weights: number[], total: number) => {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total * w) / sum);
};

describe('chi-square p-value', () => {
  it('matches published critical values', () => {
    const table: [number, number, number][] = [
      [3.841459, 1, 0.05],
      [6.634897, 1, 0.01],
      [0.4549364, 1, 0.5],
      [18.307038, 10, 0.05],
      [9.341818, 10, 0.5],
      [124.342113, 100, 0.05],
      [2, 2, Math.exp(-1)], // 2 dof: p = exp(-x/2) exactly
    ];
    for (const [stat, dof, p] of table) {
      expect(chiSquarePValue(stat, dof), `chi-square ${stat} on ${dof} dof`).toBeCloseTo(p, 6);
    }
    expect(chiSquarePValue(18.307, 10), 'rounded table value 18.307').toBeCloseTo(0.05, 4);
    expect(chiSquarePValue(0, 5), 'zero statistic').toBe(1);
  });

  it('rests on a correct gamma function', () => {
    expect(lnGamma(5), 'ln Γ(5) = ln 24').toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5), 'ln Γ(1/2) = ln √π').toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(gammaQ(1, 3), 'Q(1, x) = exp(-x)').toBeCloseTo(Math.exp(-3), 12);
  });
});

describe('mappings fit their exact distributions', () => {
  it('range@1 over -3..7: every value 1/11', () => {
    const counts = zeros(11);
    sample(range as Mapping<any, number>, { min: -3, max: 7 }, (v) => counts[v + 3]!++);
    expectFit('range@1 -3..7', counts, proportional(zeros(11).fill(1), N));
  });

  it('dice@1 3d6: every face 1/6 over all 300,000 rolls', () => {
    const counts = zeros(6);
    sample(dice as Mapping<any, number[]>, { count: 3, sides: 6 }, (roll) => roll.forEach((v) => counts[v - 1]!++));
    expectFit('dice@1 3d6 faces', counts, proportional(zeros(6).fill(1), 3 * N));
  });

  it('draw@1 20 of 80: first value uniform; membership 1/4 each', () => {
    const first = zeros(80);
    const member = zeros(80);
    sample(draw as Mapping<any, number[]>, { n: 80, k: 20 }, (picked) => {
      first[picked[0]! - 1]!++;
      for (const v of picked) member[v - 1]!++;
    });
    expectFit('draw@1 20 of 80, position 0', first, proportional(zeros(80).fill(1), N));
    // Membership counts are not multinomial: each draw holds exactly k of n
    // values, which makes them negatively correlated. Pearson's statistic
    // then follows (n-k)/(n-1) times chi-square(n-1), so it is rescaled.
    const { stat } = chiSquareTest(member, proportional(zeros(80).fill(1), 20 * N));
    const scaled = (stat * 79) / 60;
    expect(chiSquarePValue(scaled, 79), `draw@1 20 of 80, membership: scaled chi-square ${scaled.toFixed(2)}`).toBeGreaterThan(MIN_P);
  });

  it('shuffle@1 n=4: all 24 permutations 1/24', () => {
    const index = new Map<string, number>();
    permutations([0, 1, 2, 3]).forEach((p, i) => index.set(p.join(), i));
    const counts = zeros(24);
    sample(shuffle as Mapping<any, number[]>, { n: 4 }, (perm) => counts[index.get(perm.join())!]!++);
    expectFit('shuffle@1 n=4 permutations', counts, proportional(zeros(24).fill(1), N));
  });

  it('weighted@1 [1,2,3,4]: index i with probability w_i / 10', () => {
    const weights = [1, 2, 3, 4];
    const counts = zeros(4);
    sample(weighted as Mapping<any, number>, { weights }, (i) => counts[i]!++);
    expectFit('weighted@1 [1,2,3,4]', counts, proportional(weights, N));
  });

  it('reels@1: each reel in proportion to its weights', () => {
    const params = { reels: [[1, 1, 1], [5, 0, 2, 1], [3, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] };
    const counts = params.reels.map((r) => zeros(r.length));
    sample(reels as Mapping<any, number[]>, params, (stops) => stops.forEach((s, r) => counts[r]![s]!++));
    for (const [r, weights] of params.reels.entries()) {
      expectFit(`reels@1 reel ${r} ${JSON.stringify(weights)}`, counts[r]!, proportional(weights, N));
    }
  });

  it('float@1: k uniform over 16 equal bins, and in its low 4 bits', () => {
    const high = zeros(16);
    const low = zeros(16);
    sample(float as Mapping<any, number>, {}, (k) => {
      high[Math.floor(k / 2 ** 48)]!++;
      low[k % 16]!++;
    });
    expectFit('float@1 top 4 bits', high, proportional(zeros(16).fill(1), N));
    expectFit('float@1 low 4 bits', low, proportional(zeros(16).fill(1), N));
  });
});

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}
