/**
 * @module test/helpers/constants
 * Binary expansions of e, π, √2 and √3 with BigInt arithmetic — the inputs of
 * SP 800-22 Appendix B. The sequence is the binary representation of the
 * number, integer part included, most significant bit first (e = 10.1011…,
 * π = 11.0010…, √2 = 1.0110…, √3 = 1.1011…), which is how sts-2.1.2's
 * data/data.e etc. are laid out. Each takes well under a second for 10^6 bits.
 */

const GUARD = 64;

/** ⌊√n⌋ for n ≥ 0, by recursion on the top half of the bits and a Newton correction. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt of a negative number');
  if (n < 1n << 52n) return BigInt(Math.floor(Math.sqrt(Number(n))));
  const bits = n.toString(16).length * 4;
  const k = BigInt(Math.floor((bits - 2) / 4));
  const s = (isqrt(n >> (2n * k)) + 1n) << k; // ≥ √n up to rounding
  let x = (s + n / s) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** e·2^prec, truncated, from Σ 1/k! by binary splitting. */
function eScaled(prec: number): bigint {
  // Σ_{k=a+1}^{b} a!/k! = P/Q with Q = (a+1)(a+2)…b
  const split = (a: number, b: number): [bigint, bigint] => {
    if (b - a === 1) return [1n, BigInt(b)];
    const m = (a + b) >> 1;
    const [p1, q1] = split(a, m);
    const [p2, q2] = split(m, b);
    return [p1 * q2 + p2, q1 * q2];
  };
  let K = 1;
  let lg = 0;
  while (lg < prec + GUARD) {
    K++;
    lg += Math.log2(K);
  }
  const [P, Q] = split(0, K);
  return ((P + Q) << BigInt(prec)) / Q;
}

/** π·2^prec, truncated, by the Chudnovsky series with binary splitting. */
function piScaled(prec: number): bigint {
  const C3_24 = 640320n ** 3n / 24n;
  const split = (a: number, b: number): [bigint, bigint, bigint] => {
    if (b - a === 1) {
      const A = BigInt(a);
      const P = a === 0 ? 1n : (6n * A - 5n) * (2n * A - 1n) * (6n * A - 1n);
      const Q = a === 0 ? 1n : A * A * A * C3_24;
      let T = P * (13591409n + 545140134n * A);
      if (a & 1) T = -T;
      return [P, Q, T];
    }
    const m = (a + b) >> 1;
    const [P1, Q1, T1] = split(a, m);
    const [P2, Q2, T2] = split(m, b);
    return [P1 * P2, Q1 * Q2, T1 * Q2 + P1 * T2];
  };
  const terms = Math.ceil((prec + GUARD) / 47.11) + 2;
  const [, Q, T] = split(0, terms);
  const p = BigInt(prec);
  return (426880n * isqrt(10005n << (2n * p)) * Q) / T;
}

function leadingBits(x: bigint, nBits: number): Uint8Array {
  const s = x.toString(2);
  if (s.length < nBits) throw new Error('not enough precision');
  const out = new Uint8Array(nBits);
  for (let i = 0; i < nBits; i++) out[i] = s.charCodeAt(i) - 48;
  return out;
}

export type Constant = 'e' | 'pi' | 'sqrt2' | 'sqrt3';

/** The first nBits bits of the binary expansion of the constant (integer part included). */
export function constantBits(c: Constant, nBits: number): Uint8Array {
  const prec = nBits + GUARD;
  switch (c) {
    case 'e':
      return leadingBits(eScaled(prec), nBits);
    case 'pi':
      return leadingBits(piScaled(prec), nBits);
    case 'sqrt2':
      return leadingBits(isqrt(2n << (2n * BigInt(prec))), nBits);
    case 'sqrt3':
      return leadingBits(isqrt(3n << (2n * BigInt(prec))), nBits);
  }
}
