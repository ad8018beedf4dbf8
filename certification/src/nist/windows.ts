/**
 * @module nist/windows
 * Frequencies of overlapping m-bit patterns on the sequence wrapped around
 * (the "augmented" sequence of SP 800-22 §2.11 and §2.12): for each start
 * i = 0 … n−1 the pattern ε_i … ε_{i+m−1} with indices taken mod n, first
 * bit most significant. One pass; coarser widths are obtained by folding
 * (the (m−1)-bit pattern at i is the m-bit pattern at i without its last bit).
 */

import { intParam } from './bits.js';

/** ν_m(v) for every m-bit value v (length 2^m). m = 0 gives [n]. */
export function circularWindowCounts(bits: Uint8Array, m: number): Uint32Array {
  intParam('pattern length', m, 0, 26);
  const n = bits.length;
  const counts = new Uint32Array(2 ** m);
  if (m === 0) {
    counts[0] = n;
    return counts;
  }
  if (n === 0) return counts;
  const mask = (1 << m) - 1;
  // pattern starting at 0
  let v = 0;
  for (let j = 0; j < m; j++) v = (v << 1) | bits[j % n]!;
  v &= mask;
  counts[v]!++;
  for (let i = 1; i < n; i++) {
    const k = i + m - 1;
    v = ((v << 1) | bits[k < n ? k : k % n]!) & mask;
    counts[v]!++;
  }
  return counts;
}

/** Folds m-bit pattern counts into (m−1)-bit counts. */
export function foldCounts(counts: Uint32Array): Uint32Array {
  const half = counts.length >>> 1;
  const out = new Uint32Array(Math.max(half, 1));
  if (half === 0) {
    out[0] = counts[0]!;
    return out;
  }
  for (let v = 0; v < half; v++) out[v] = counts[2 * v]! + counts[2 * v + 1]!;
  return out;
}
