/**
 * @module test/health-cutoffs
 * SP 800-90B §4.4.1/§4.4.2 cutoffs against (a) the standard's own example
 * and Table 2 values, (b) values other public implementations pin, and
 * (c) an independent computation here: exact rational arithmetic in BigInt
 * (the module under test works in floating-point log space).
 */

import { describe, expect, it } from 'vitest';
import { aptCutoff, aptWindow, binomialUpperCritical, rctCutoff } from '../src/health/index.js';

/** p (a double, hence a dyadic rational) as num / 2^exp exactly. */
function dyadic(p: number): { num: bigint; exp: number } {
  let x = p;
  let exp = 0;
  while (!Number.isInteger(x)) {
    x *= 2;
    exp++;
  }
  return { num: BigInt(x), exp };
}

/**
 * Smallest c with P[X ≥ c] ≤ 2^-alphaLog2, X ~ Binomial(n, p), in exact
 * integer arithmetic: every term C(n,k)·num^k·(den−num)^(n−k) is an integer
 * over den^n, and each is derived from the one above it by an exact division.
 */
function exactUpperCritical(n: number, p: number, alphaLog2: number): number {
  const { num, exp } = dyadic(p);
  const q = (1n << BigInt(exp)) - num; // den − num
  const bound = 1n << BigInt(exp * n - alphaLog2); // α·den^n
  let term = num ** BigInt(n); // k = n
  let tail = 0n;
  let c = n + 1;
  for (let k = n; k >= 0; k--) {
    tail += term;
    if (tail > bound) break;
    c = k;
    if (k > 0) term = (term * BigInt(k) * q) / (BigInt(n - k + 1) * num);
  }
  return c;
}

/** 1 + ⌈a / H⌉ with H given as a decimal string, in exact rationals. */
function exactRct(H: string, alphaLog2: number): number {
  const [whole, frac = ''] = H.split('.');
  const den = 10n ** BigInt(frac.length);
  const num = BigInt(whole! + frac);
  const scaled = BigInt(alphaLog2) * den;
  return 1 + Number((scaled + num - 1n) / num);
}

const H_GRID = ['0.1', '0.2', '0.25', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1', '1.5', '2', '3', '4', '5', '6', '7', '7.3', '8'];

describe('rctCutoff (§4.4.1)', () => {
  it("reproduces the standard's example: H = 7.3, α = 2^-30 gives C = 6", () => {
    expect(rctCutoff(7.3, 2 ** -30)).toBe(6);
  });

  it('matches 1 + ⌈20 / H⌉ computed in exact rationals over an H grid', () => {
    for (const H of H_GRID) {
      expect(rctCutoff(Number(H)), `H = ${H}`).toBe(exactRct(H, 20));
      expect(rctCutoff(Number(H), 2 ** -40), `H = ${H}, α = 2^-40`).toBe(exactRct(H, 40));
    }
  });

  it('does not round an exactly integral −log2(α)/H up (20 / 0.2 = 100 → C = 101)', () => {
    expect(rctCutoff(0.2)).toBe(101);
    expect(rctCutoff(0.1)).toBe(201);
  });

  it('matches values pinned by other implementations', () => {
    expect(rctCutoff(1, 2 ** -40), 'tock-on-titan RCT_CUTOFF_BITS').toBe(41);
    expect(rctCutoff(0.5, 2 ** -40), 'ARM TZ-TRNG repetition cutoff').toBe(81);
    expect(rctCutoff(1), 'H = 1, α = 2^-20').toBe(21);
  });

  it('rejects a bad H or α with a RangeError naming it', () => {
    expect(() => rctCutoff(0)).toThrow(/^H:/);
    expect(() => rctCutoff(Number.NaN)).toThrow(RangeError);
    expect(() => rctCutoff(1, 1)).toThrow(/^alpha:/);
  });
});

describe('aptWindow (§4.4.2)', () => {
  it('is 1024 for binary samples and 512 otherwise', () => {
    expect(aptWindow(1)).toBe(1024);
    expect(aptWindow(8)).toBe(512);
    expect(aptWindow(4)).toBe(512);
    expect(() => aptWindow(0)).toThrow(/^sampleBits:/);
  });
});

describe('aptCutoff (§4.4.2)', () => {
  it('reproduces Table 2 of SP 800-90B (α = 2^-20)', () => {
    // W = 512 column, as restated by several independent public sources.
    const table2: Array<[number, number]> = [
      [0.5, 410],
      [1, 311],
      [2, 177],
      [4, 62],
      [8, 13],
    ];
    for (const [H, C] of table2) expect(aptCutoff(H, 512), `W = 512, H = ${H}`).toBe(C);
    expect(aptCutoff(1, 1024), 'W = 1024, H = 1').toBe(589);
  });

  it('matches values pinned by other implementations at other α', () => {
    expect(aptCutoff(1, 512, 2 ** -30), 'Linux jitterentropy JENT_APT_CUTOFF, osr = 1').toBe(325);
    expect(aptCutoff(0.5, 1024, 2 ** -40), 'ARM TZ-TRNG: CRITBINOM(...) = 823, plus one').toBe(824);
  });

  it('equals the exact BigInt critical value for W = 512 and W = 1024 over an H grid', () => {
    for (const H of H_GRID.map(Number)) {
      expect(aptCutoff(H, 512), `W = 512, H = ${H}`).toBe(exactUpperCritical(512, 2 ** -H, 20));
      if (H <= 1) expect(aptCutoff(H, 1024), `W = 1024, H = ${H}`).toBe(exactUpperCritical(1024, 2 ** -H, 20));
    }
    for (const H of [0.5, 1, 4, 8]) {
      expect(aptCutoff(H, 512, 2 ** -40), `W = 512, H = ${H}, α = 2^-40`).toBe(exactUpperCritical(512, 2 ** -H, 40));
    }
  });

  it('counts all W samples of the window, not W − 1 (the off-by-one the module documents)', () => {
    // The Binomial(W − 1) reading gives 310 at W = 512, H = 1; Table 2 says 311.
    expect(exactUpperCritical(511, 0.5, 20)).toBe(310);
    expect(aptCutoff(1, 512)).toBe(311);
  });

  it('returns W + 1 (never fails) when even an all-equal window is likelier than α', () => {
    // p^W > α ⇔ W·H < 20: W = 512, H = 0.01 → 2^-5.12 > 2^-20.
    expect(aptCutoff(0.01, 512)).toBe(513);
    expect(binomialUpperCritical(10, 0.5, 2 ** -20)).toBe(11);
  });

  it('rejects bad arguments with a RangeError naming them', () => {
    expect(() => aptCutoff(-1, 512)).toThrow(/^H:/);
    expect(() => aptCutoff(1, 1)).toThrow(/^W:/);
    expect(() => aptCutoff(1, 512, 0)).toThrow(/^alpha:/);
    expect(() => binomialUpperCritical(512, 1, 0.5)).toThrow(/^p:/);
  });
});
