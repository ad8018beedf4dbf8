/**
 * @module test/stats
 * Test helpers: scripted byte streams, exhaustive enumeration of a mapping
 * over every short byte input, and the chi-square goodness-of-fit p-value
 * (regularised upper incomplete gamma, Numerical Recipes §6.2).
 */

import type { ByteStream } from '../src/derive.js';

/** Thrown by a scripted stream asked for more bytes than it holds. */
export class Exhausted extends Error {}

/** A stream that yields exactly `bytes`, then throws Exhausted. */
export function scriptedStream(bytes: readonly number[]): ByteStream {
  let used = 0;
  return {
    next() {
      if (used >= bytes.length) throw new Exhausted('stream exhausted');
      return bytes[used++]!;
    },
    get used() {
      return used;
    },
  };
}

/**
 * Runs `run` on every one of the 256^length byte strings and counts results
 * (keyed by JSON) among the runs that finish within those bytes. With
 * `length` equal to the bytes an all-accepted run needs, the finished runs
 * are exactly those with no rejection, so the counts give the exact
 * distribution rather than a sample of it. A run that finishes early means
 * `length` was chosen wrong, and throws.
 */
export function enumerateOutcomes(length: number, run: (stream: ByteStream) => unknown): Map<string, number> {
  const counts = new Map<string, number>();
  const bytes = new Array<number>(length).fill(0);
  for (let code = 0; code < 256 ** length; code++) {
    for (let i = 0, rest = code; i < length; i++, rest = Math.floor(rest / 256)) bytes[length - 1 - i] = rest % 256;
    const stream = scriptedStream(bytes);
    let key: string;
    try {
      key = JSON.stringify(run(stream));
    } catch (e) {
      if (e instanceof Exhausted) continue;
      throw e;
    }
    if (stream.used !== length) throw new Error(`run finished after ${stream.used} of ${length} bytes`);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface ChiSquare {
  stat: number;
  dof: number;
  p: number;
}

/**
 * Pearson's goodness-of-fit test of counts against expected counts (bins
 * with expectation 0 must be empty and are left out).
 */
export function chiSquareTest(observed: readonly number[], expected: readonly number[]): ChiSquare {
  if (observed.length !== expected.length) throw new Error('observed and expected differ in length');
  let stat = 0;
  let bins = 0;
  for (const [i, e] of expected.entries()) {
    const o = observed[i]!;
    if (e === 0) {
      if (o !== 0) return { stat: Infinity, dof: 0, p: 0 };
      continue;
    }
    stat += (o - e) ** 2 / e;
    bins++;
  }
  return { stat, dof: bins - 1, p: chiSquarePValue(stat, bins - 1) };
}

/** P(X ≥ stat) for X chi-square with `dof` degrees of freedom. */
export function chiSquarePValue(stat: number, dof: number): number {
  return gammaQ(dof / 2, stat / 2);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError('gammaQ: need a > 0, x >= 0');
  if (x === 0) return 1;
  // The series converges fast below a + 1, the continued fraction above it.
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQFraction(a, x);
}

const EPS = 1e-15;
const MAX_ITER = 10_000;

function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITER && Math.abs(term) > Math.abs(sum) * EPS; n++) {
    term *= x / (a + n);
    sum += term;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

// Modified Lentz evaluation of the continued fraction for Γ(a, x).
function gammaQFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

// Lanczos approximation (g = 7, n = 9), about 15 significant digits.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const x = z - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
