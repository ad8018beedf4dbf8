/**
 * @module math/gf2
 * Linear algebra over GF(2) on bit-packed words.
 *
 * - `gf2Rank`: rank of a binary matrix whose rows are packed into 32-bit
 *   words. (sts-2.1.2 computes the rank of its 32×32 matrices with its own
 *   forward/backward elimination; for square matrices it agrees with the
 *   true rank — checked exhaustively up to 5×5 and on 10^6 random 32×32
 *   matrices — so the true rank is what is computed here.)
 * - `linearComplexity`: Berlekamp–Massey over packed words: the length of
 *   the shortest LFSR generating a block of bits.
 */

/**
 * Rank over GF(2) of an `nRows`×`nCols` matrix. Row r occupies words
 * [r·w, (r+1)·w) of `rows`, w = ⌈nCols/32⌉, column c being bit (c mod 32) of
 * word ⌊c/32⌋. The array is modified (it is reduced in place).
 */
export function gf2Rank(rows: Uint32Array, nRows: number, nCols: number): number {
  const w = Math.ceil(nCols / 32);
  if (rows.length < nRows * w) throw new RangeError('rows array too short');
  let rank = 0;
  if (w === 1) {
    for (let c = 0; c < nCols && rank < nRows; c++) {
      const bit = 1 << c;
      let piv = -1;
      for (let r = rank; r < nRows; r++) {
        if (rows[r]! & bit) {
          piv = r;
          break;
        }
      }
      if (piv < 0) continue;
      const pr = rows[piv]!;
      rows[piv] = rows[rank]!;
      rows[rank] = pr;
      for (let r = rank + 1; r < nRows; r++) if (rows[r]! & bit) rows[r] = rows[r]! ^ pr;
      rank++;
    }
    return rank;
  }
  for (let c = 0; c < nCols && rank < nRows; c++) {
    const cw = c >>> 5;
    const bit = 1 << (c & 31);
    let piv = -1;
    for (let r = rank; r < nRows; r++) {
      if (rows[r * w + cw]! & bit) {
        piv = r;
        break;
      }
    }
    if (piv < 0) continue;
    if (piv !== rank) {
      for (let k = 0; k < w; k++) {
        const t = rows[piv * w + k]!;
        rows[piv * w + k] = rows[rank * w + k]!;
        rows[rank * w + k] = t;
      }
    }
    for (let r = rank + 1; r < nRows; r++) {
      if (rows[r * w + cw]! & bit) {
        for (let k = cw; k < w; k++) rows[r * w + k] = rows[r * w + k]! ^ rows[rank * w + k]!;
      }
    }
    rank++;
  }
  return rank;
}

/** Reusable scratch space for `linearComplexity`, sized for blocks of up to `maxLen` bits. */
export class BerlekampMassey {
  private readonly maxLen: number;
  private readonly rev: Uint32Array;
  private readonly c: Uint32Array;
  private readonly b: Uint32Array;
  private readonly t: Uint32Array;

  constructor(maxLen: number) {
    this.maxLen = maxLen;
    // generous: shifted copies of b may run a few zero words past deg ≤ maxLen
    const words = 2 * Math.ceil((maxLen + 1) / 32) + 4;
    this.rev = new Uint32Array(words);
    this.c = new Uint32Array(words);
    this.b = new Uint32Array(words);
    this.t = new Uint32Array(words);
  }

  /**
   * Linear complexity of bits[offset … offset+len−1] (one bit per element, 0/1),
   * by Berlekamp–Massey with the update rule "if L ≤ N/2 (integer division)".
   */
  run(bits: Uint8Array, offset: number, len: number): number {
    if (len > this.maxLen) throw new RangeError('block longer than this scratch space');
    const { rev, c, b, t } = this;
    rev.fill(0);
    c.fill(0);
    b.fill(0);
    // rev bit k = s_{len−1−k}; then s_{N−i} = rev bit (len−1−N+i)
    for (let k = 0; k < len; k++) {
      if (bits[offset + len - 1 - k]) rev[k >>> 5] = rev[k >>> 5]! | (1 << (k & 31));
    }
    c[0] = 1;
    b[0] = 1;
    let L = 0;
    let m = -1;
    let bWords = 1; // words of b that can be non-zero
    for (let N = 0; N < len; N++) {
      // discrepancy d = parity( Σ_{i=0..L} c_i · s_{N−i} )
      const off = len - 1 - N;
      const cw = (L >>> 5) + 1;
      let acc = 0;
      const q = off >>> 5;
      const sh = off & 31;
      if (sh === 0) {
        for (let w = 0; w < cw; w++) acc ^= c[w]! & rev[q + w]!;
      } else {
        const inv = 32 - sh;
        for (let w = 0; w < cw; w++) {
          const r = (rev[q + w]! >>> sh) | (rev[q + w + 1]! << inv);
          acc ^= c[w]! & r;
        }
      }
      // parity of acc
      acc ^= acc >>> 16;
      acc ^= acc >>> 8;
      acc ^= acc >>> 4;
      acc &= 0xf;
      if ((0x6996 >>> acc) & 1) {
        const newL = L <= N >> 1 ? N + 1 - L : L;
        const lengthens = newL !== L;
        if (lengthens) t.set(c.subarray(0, cw + 1));
        // c ^= b · x^{N−m}
        const shift = N - m;
        const ws = shift >>> 5;
        const bs = shift & 31;
        if (bs === 0) {
          for (let w = 0; w < bWords; w++) c[w + ws] = c[w + ws]! ^ b[w]!;
        } else {
          const inv = 32 - bs;
          for (let w = 0; w < bWords; w++) {
            const v = b[w]!;
            c[w + ws] = c[w + ws]! ^ (v << bs);
            c[w + ws + 1] = c[w + ws + 1]! ^ (v >>> inv);
          }
        }
        if (lengthens) {
          b.fill(0);
          b.set(t.subarray(0, cw + 1));
          bWords = cw + 1;
          L = newL;
          m = N;
        }
      }
    }
    return L;
  }
}

/** Linear complexity of bits[offset … offset+len−1]. */
export function linearComplexity(bits: Uint8Array, offset = 0, len = bits.length - offset): number {
  return new BerlekampMassey(len).run(bits, offset, len);
}
