/**
 * @module test/nist-math
 * Building blocks of the SP 800-22 battery: special functions, FFT,
 * GF(2) rank, Berlekamp–Massey, aperiodic templates (vs sts-2.1.2's template
 * files, fixtures/sts-templates.json), bit helpers and the battery API.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fft, realDftMagnitudes } from '../src/math/fft.js';
import { gf2Rank, linearComplexity } from '../src/math/gf2.js';
import { erf, erfc, igam, igamc, lgamma, normalCdf } from '../src/math/special.js';
import {
  aperiodicTemplates,
  frequency,
  packBits,
  parseAsciiBits,
  runBattery,
  stsBinaryBitstreams,
  stsTemplates,
  TEST_NAMES,
  TESTS,
  templateToString,
  unpackBits,
} from '../src/nist/index.js';
import { loadFixture, sha256Bits, sha256Stream, TOLERANCE } from './helpers/reference.js';

/** Deterministic pseudo-random numbers in [0, 1) for the cross-checks. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('special functions', () => {
  it('erf / erfc vs glibc (relative error < 1e-12)', () => {
    const cases: [number, number][] = [
      // values of glibc's erfc, which sts calls
      [0.1, 0.88753708398171516],
      [0.5, 0.47950012218695348],
      [1, 0.15729920705028513],
      [2, 0.0046777349810472654],
      [3, 2.2090496998585438e-5],
      [5, 1.5374597944280351e-12],
      [10, 2.0884875837625449e-45],
      [-1, 1.842700792949715],
    ];
    for (const [x, v] of cases) expect(Math.abs(erfc(x) - v) / v, `erfc(${x})`).toBeLessThan(1e-12);
    expect(erf(0.1)).toBeCloseTo(0.1124629160182849, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
  });
  it('normal CDF', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 14);
  });
  it('lgamma', () => {
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lgamma(100.5)).toBeCloseTo(361.43554046777763, 11);
  });
  it('igamc / igam: identities and cephes conventions', () => {
    for (const x of [0.1, 0.7, 1, 2.5, 10, 50]) {
      expect(igamc(1, x)).toBeCloseTo(Math.exp(-x), 14);
      expect(igamc(0.5, x)).toBeCloseTo(erfc(Math.sqrt(x)), 14);
      for (const a of [0.5, 2.5, 74, 512, 16384]) expect(igam(a, x) + igamc(a, x)).toBeCloseTo(1, 14);
    }
    expect(igamc(3, 0)).toBe(1); // x ≤ 0 → 1
    expect(igamc(0, 3)).toBe(1); // a ≤ 0 → 1
    expect(igamc(1, 800)).toBe(0); // underflow → 0, as cephes
    expect(igamc(4.5, 12.5)).toBeCloseTo(0.0029711804859176, 14); // P(χ²₉ > 25)
  });
});

describe('FFT', () => {
  function naive(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
    const n = re.length;
    const R = new Float64Array(n);
    const I = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * ((j * k) % n)) / n;
        R[k]! += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
        I[k]! += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
      }
    }
    return [R, I];
  }
  it('matches the naive DFT for mixed-radix, odd and Bluestein lengths', () => {
    const rnd = lcg(1);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 25, 30, 31, 60, 64, 97, 100, 125, 128, 243, 254, 1000]) {
      const re = new Float64Array(n).map(() => rnd() - 0.5);
      const im = new Float64Array(n).map(() => rnd() - 0.5);
      const [R, I] = naive(re, im);
      fft(re, im);
      for (let k = 0; k < n; k++) expect(Math.hypot(re[k]! - R[k]!, im[k]! - I[k]!), `n=${n} k=${k}`).toBeLessThan(1e-10);
    }
  });
  it('realDftMagnitudes matches |naive DFT| for even and odd n', () => {
    const rnd = lcg(2);
    for (const n of [10, 11, 100, 101, 262, 998]) {
      const x = new Float64Array(n).map(() => (rnd() < 0.5 ? -1 : 1));
      const [R, I] = naive(x, new Float64Array(n));
      const count = Math.floor(n / 2) + 1;
      const m = realDftMagnitudes(x, count);
      for (let k = 0; k < count; k++) expect(Math.abs(m[k]! - Math.hypot(R[k]!, I[k]!))).toBeLessThan(1e-10);
    }
  });
});

describe('GF(2)', () => {
  it('rank of packed matrices vs a plain elimination', () => {
    const rnd = lcg(3);
    const plainRank = (rows: number[][]): number => {
      const a = rows.map((r) => r.slice());
      let r = 0;
      for (let c = 0; c < (a[0]?.length ?? 0) && r < a.length; c++) {
        const p = a.findIndex((row, i) => i >= r && row[c] === 1);
        if (p < 0) continue;
        [a[p], a[r]] = [a[r]!, a[p]!];
        for (let i = 0; i < a.length; i++) if (i !== r && a[i]![c]) a[i] = a[i]!.map((v, j) => v ^ a[r]![j]!);
        r++;
      }
      return r;
    };
    for (const [M, Q] of [
      [32, 32],
      [3, 3],
      [6, 8],
      [40, 70],
    ] as const) {
      for (let t = 0; t < 200; t++) {
        const dens = rnd();
        const rows: number[][] = Array.from({ length: M }, () => Array.from({ length: Q }, () => (rnd() < dens ? 1 : 0)));
        if (t % 3 === 0 && M > 2) rows[M - 1] = rows[0]!.map((v, j) => v ^ rows[1]![j]!);
        const w = Math.ceil(Q / 32);
        const packed = new Uint32Array(M * w);
        rows.forEach((row, i) => row.forEach((v, j) => v && (packed[i * w + (j >>> 5)]! |= 1 << (j & 31))));
        expect(gf2Rank(packed, M, Q)).toBe(plainRank(rows));
      }
    }
    const id = new Uint32Array(32).map((_, i) => (1 << i) >>> 0);
    expect(gf2Rank(id, 32, 32)).toBe(32);
  });
  it('Berlekamp–Massey vs the textbook algorithm', () => {
    const rnd = lcg(4);
    const textbook = (s: number[]): number => {
      const n = s.length;
      let C = new Array<number>(n + 1).fill(0);
      let B = new Array<number>(n + 1).fill(0);
      C[0] = B[0] = 1;
      let L = 0;
      let m = -1;
      for (let N = 0; N < n; N++) {
        let d = s[N]!;
        for (let i = 1; i <= L; i++) d ^= C[i]! & s[N - i]!;
        if (d) {
          const T = C.slice();
          for (let j = 0; j + N - m <= n; j++) if (B[j]) C[j + N - m] = C[j + N - m]! ^ 1;
          if (L <= N >> 1) {
            L = N + 1 - L;
            m = N;
            B = T;
          }
        }
      }
      return L;
    };
    for (let t = 0; t < 400; t++) {
      const len = 1 + Math.floor(rnd() * 700);
      const p = rnd();
      const s: number[] = Array.from({ length: len }, () => (rnd() < p ? 1 : 0));
      if (t % 4 === 0) for (let i = 7; i < len; i++) s[i] = s[i - 7]! ^ s[i - 2]!; // an LFSR tail
      expect(linearComplexity(Uint8Array.from(s))).toBe(textbook(s));
    }
  });
});

describe('aperiodic templates', () => {
  const fixture = loadFixture<{ templates: Record<string, { inFile: number; used: number; sha256: string }> }>(
    'sts-templates.json',
  );
  it('counts: 2, 4, 6, 12, 20, 40, 74, 148, 284, 568, … (sts’s numOfTemplates)', () => {
    const counts = [2, 4, 6, 12, 20, 40, 74, 148, 284, 568, 1116, 2232, 4424, 8848, 17622, 35244, 70340, 140680];
    counts.forEach((c, i) => expect(aperiodicTemplates(i + 2).length, `m=${i + 2}`).toBe(c));
  });
  it('m = 2 … 16: the templates sts uses, in its order (digests of its template files’ selection)', () => {
    for (let m = 2; m <= 16; m++) {
      const ref = fixture.templates[String(m)]!;
      expect(aperiodicTemplates(m).length, `m=${m}`).toBe(ref.inFile);
      const used = stsTemplates(m).map((t) => templateToString(t, m));
      expect(used.length, `m=${m}`).toBe(ref.used);
      expect(createHash('sha256').update(used.join('\n')).digest('hex'), `m=${m}`).toBe(ref.sha256);
    }
    expect(stsTemplates(9)).toHaveLength(148);
    expect(templateToString(stsTemplates(9)[0]!, 9)).toBe('000000001');
    expect(templateToString(stsTemplates(9)[147]!, 9)).toBe('111111110');
  });
});

describe('bits', () => {
  it('unpackBits reads MSB first and truncates; packBits inverts it', () => {
    expect([...unpackBits(Uint8Array.of(0xa5, 0x80), 10)]).toEqual([1, 0, 1, 0, 0, 1, 0, 1, 1, 0]);
    const b = sha256Bits('pack', 1001);
    expect(unpackBits(packBits(b), 1001)).toEqual(b);
    expect(() => unpackBits(Uint8Array.of(1), 9)).toThrow(RangeError);
  });
  it('stsBinaryBitstreams splits a binary file as sts does (each bitstream starts on a 4-byte word)', () => {
    // sts-2.1.2, binary input = the 500 bytes below, n = 1000, 3 bitstreams: Frequency printed
    // 0.899343, 0.375921, 0.066636 (contiguous 1000-bit pieces would give 0.042985 for the third).
    const bytes = sha256Stream('odd-split', 500);
    const streams = stsBinaryBitstreams(bytes, 1000);
    expect(streams).toHaveLength(3);
    const p = streams.map((b) => frequency(b).pvalues[0]!);
    [0.899343, 0.375921, 0.066636].forEach((v, i) => expect(Math.abs(p[i]! - v)).toBeLessThan(TOLERANCE));
    // n a multiple of 32: plain consecutive pieces
    const whole = sha256Stream('y', 384);
    expect(stsBinaryBitstreams(whole, 1024).map((b) => [...packBits(b)])).toEqual(
      [0, 1, 2].map((k) => [...whole.subarray(128 * k, 128 * (k + 1))]),
    );
  });
  it('parseAsciiBits skips whitespace and rejects other characters', () => {
    expect([...parseAsciiBits(' 10\n1 1\t0')]).toEqual([1, 0, 1, 1, 0]);
    expect([...parseAsciiBits('10110', 3)]).toEqual([1, 0, 1]);
    expect(() => parseAsciiBits('1012')).toThrow(SyntaxError);
  });
});

describe('battery API', () => {
  const bits = sha256Bits('api', 1_000_000);
  it('runs all 15 tests in the reference order with the reference shapes', () => {
    const t0 = performance.now();
    const results = runBattery(bits);
    const ms = performance.now() - t0;
    expect(results.map((r) => r.name)).toEqual(TEST_NAMES);
    expect(Object.keys(TESTS)).toEqual([
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
    ]);
    expect(results.map((r) => r.pvalues.length)).toEqual([1, 1, 2, 1, 1, 1, 1, 148, 1, 1, 1, 8, 18, 2, 1]);
    for (const r of results) expect(r.applicable).toHaveLength(r.pvalues.length);
    // generous bound (shared CI cores); a 10^6-bit sequence takes ~0.15 s
    expect(ms).toBeLessThan(5000);
  });
  it('selects tests and passes parameters', () => {
    const r = runBattery(bits, { tests: ['Serial', 'Frequency'], params: { Serial: { m: 5 } } });
    expect(r.map((x) => x.name)).toEqual(['Frequency', 'Serial']);
    expect(runBattery(bits, { tests: ['NonOverlappingTemplate'], params: { NonOverlappingTemplate: { m: 4 } } })[0]!
      .pvalues).toHaveLength(6);
    expect(() => runBattery(bits, { tests: ['Nope'] })).toThrow(RangeError);
    expect(() => runBattery(Uint8Array.of(0, 1, 2))).toThrow(RangeError);
  });
});
