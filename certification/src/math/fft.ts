/**
 * @module math/fft
 * Discrete Fourier transforms of any length, for the SP 800-22 spectral test.
 *
 * - `ComplexFft`: forward DFT X_k = Σ_j x_j e^{−2πijk/N} of any N ≥ 1. N is
 *   factored into 4, 2, 3, 5 and other small primes and transformed by a
 *   self-sorting (Stockham) mixed-radix algorithm; when N has a prime factor
 *   above `MAX_DIRECT_RADIX` the transform is done with Bluestein's chirp-z
 *   algorithm as a convolution of power-of-two length.
 * - `realDftMagnitudes`: |X_k| of a real sequence for the first `count`
 *   frequencies. Even lengths use one complex transform of half the length.
 *
 * Twiddle factors are taken from a table computed directly with Math.cos /
 * Math.sin (no recurrences), so results are accurate to ~1e-13 relative for
 * N ≈ 10^6. Plans (tables, factorisations) are cached per length.
 */

const MAX_DIRECT_RADIX = 13;

function factorize(n: number): number[] {
  const f: number[] = [];
  while (n % 4 === 0) {
    f.push(4);
    n /= 4;
  }
  while (n % 2 === 0) {
    f.push(2);
    n /= 2;
  }
  for (let p = 3; p * p <= n; p += 2) {
    while (n % p === 0) {
      f.push(p);
      n /= p;
    }
  }
  if (n > 1) f.push(n);
  return f;
}

/** A forward complex DFT of one fixed length. */
export class ComplexFft {
  readonly n: number;
  private readonly factors: number[];
  private readonly cosT: Float64Array; // cos(2πj/n)
  private readonly sinT: Float64Array; // sin(2πj/n)
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  private readonly bluestein: Bluestein | null;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
    this.n = n;
    const factors = factorize(n);
    const largest = factors.length ? Math.max(...factors) : 1;
    if (largest > MAX_DIRECT_RADIX) {
      this.factors = [];
      this.cosT = new Float64Array(0);
      this.sinT = new Float64Array(0);
      this.wr = new Float64Array(0);
      this.wi = new Float64Array(0);
      this.bluestein = new Bluestein(n);
      return;
    }
    this.bluestein = null;
    this.factors = factors;
    this.cosT = new Float64Array(n);
    this.sinT = new Float64Array(n);
    const step = (2 * Math.PI) / n;
    for (let j = 0; j < n; j++) {
      this.cosT[j] = Math.cos(step * j);
      this.sinT[j] = Math.sin(step * j);
    }
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
  }

  /**
   * Transforms (re, im) in place: on return they hold X_k.
   */
  transform(re: Float64Array, im: Float64Array): void {
    if (this.bluestein) {
      this.bluestein.transform(re, im);
      return;
    }
    const n = this.n;
    let xr = re;
    let xi = im;
    let yr = this.wr;
    let yi = this.wi;
    let L = n; // current sub-transform length
    let s = 1; // stride (= n / L)
    for (const p of this.factors) {
      const m = L / p;
      switch (p) {
        case 2:
          this.radix2(xr, xi, yr, yi, m, s);
          break;
        case 3:
          this.radix3(xr, xi, yr, yi, m, s);
          break;
        case 4:
          this.radix4(xr, xi, yr, yi, m, s);
          break;
        case 5:
          this.radix5(xr, xi, yr, yi, m, s);
          break;
        default:
          this.radixGeneric(p, xr, xi, yr, yi, m, s);
      }
      const tr = xr;
      const ti = xi;
      xr = yr;
      xi = yi;
      yr = tr;
      yi = ti;
      L = m;
      s *= p;
    }
    if (xr !== re) {
      re.set(xr);
      im.set(xi);
    }
  }

  // One Stockham stage: a_r = x[j + s(k + r m)], y[j + s(p k + t)] = (Σ_r a_r ω_p^{rt}) · w^{kt},
  // with w = e^{−2πi/L}, so w^{kt} = table[k t s].

  private radix2(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, m: number, s: number): void {
    const C = this.cosT;
    const S = this.sinT;
    const ms = m * s;
    for (let k = 0; k < m; k++) {
      const c1 = C[k * s]!;
      const s1 = -S[k * s]!;
      const base = k * s;
      const out = 2 * k * s;
      for (let j = 0; j < s; j++) {
        const i0 = base + j;
        const i1 = i0 + ms;
        const ar = xr[i0]!;
        const ai = xi[i0]!;
        const br = xr[i1]!;
        const bi = xi[i1]!;
        const o = out + j;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        yr[o + s] = dr * c1 - di * s1;
        yi[o + s] = dr * s1 + di * c1;
      }
    }
  }

  private radix3(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, m: number, s: number): void {
    const C = this.cosT;
    const S = this.sinT;
    const ms = m * s;
    const h = Math.sqrt(3) / 2;
    const n = this.n;
    for (let k = 0; k < m; k++) {
      const t1 = k * s;
      const t2 = (2 * k * s) % n;
      const c1 = C[t1]!;
      const s1 = -S[t1]!;
      const c2 = C[t2]!;
      const s2 = -S[t2]!;
      const base = k * s;
      const out = 3 * k * s;
      for (let j = 0; j < s; j++) {
        const i0 = base + j;
        const a0r = xr[i0]!;
        const a0i = xi[i0]!;
        const a1r = xr[i0 + ms]!;
        const a1i = xi[i0 + ms]!;
        const a2r = xr[i0 + 2 * ms]!;
        const a2i = xi[i0 + 2 * ms]!;
        const sr = a1r + a2r;
        const si = a1i + a2i;
        const dr = a1r - a2r;
        const di = a1i - a2i;
        const mr = a0r - 0.5 * sr;
        const mi = a0i - 0.5 * si;
        const b1r = mr + h * di;
        const b1i = mi - h * dr;
        const b2r = mr - h * di;
        const b2i = mi + h * dr;
        const o = out + j;
        yr[o] = a0r + sr;
        yi[o] = a0i + si;
        yr[o + s] = b1r * c1 - b1i * s1;
        yi[o + s] = b1r * s1 + b1i * c1;
        yr[o + 2 * s] = b2r * c2 - b2i * s2;
        yi[o + 2 * s] = b2r * s2 + b2i * c2;
      }
    }
  }

  private radix4(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, m: number, s: number): void {
    const C = this.cosT;
    const S = this.sinT;
    const ms = m * s;
    const n = this.n;
    for (let k = 0; k < m; k++) {
      const t1 = k * s;
      const t2 = (2 * t1) % n;
      const t3 = (3 * t1) % n;
      const c1 = C[t1]!;
      const s1 = -S[t1]!;
      const c2 = C[t2]!;
      const s2 = -S[t2]!;
      const c3 = C[t3]!;
      const s3 = -S[t3]!;
      const base = k * s;
      const out = 4 * k * s;
      for (let j = 0; j < s; j++) {
        const i0 = base + j;
        const a0r = xr[i0]!;
        const a0i = xi[i0]!;
        const a1r = xr[i0 + ms]!;
        const a1i = xi[i0 + ms]!;
        const a2r = xr[i0 + 2 * ms]!;
        const a2i = xi[i0 + 2 * ms]!;
        const a3r = xr[i0 + 3 * ms]!;
        const a3i = xi[i0 + 3 * ms]!;
        const t0r = a0r + a2r;
        const t0i = a0i + a2i;
        const u1r = a0r - a2r;
        const u1i = a0i - a2i;
        const t2r = a1r + a3r;
        const t2i = a1i + a3i;
        const t3r = a1r - a3r;
        const t3i = a1i - a3i;
        // b1 = u1 − i t3, b3 = u1 + i t3
        const b1r = u1r + t3i;
        const b1i = u1i - t3r;
        const b2r = t0r - t2r;
        const b2i = t0i - t2i;
        const b3r = u1r - t3i;
        const b3i = u1i + t3r;
        const o = out + j;
        yr[o] = t0r + t2r;
        yi[o] = t0i + t2i;
        yr[o + s] = b1r * c1 - b1i * s1;
        yi[o + s] = b1r * s1 + b1i * c1;
        yr[o + 2 * s] = b2r * c2 - b2i * s2;
        yi[o + 2 * s] = b2r * s2 + b2i * c2;
        yr[o + 3 * s] = b3r * c3 - b3i * s3;
        yi[o + 3 * s] = b3r * s3 + b3i * c3;
      }
    }
  }

  private radix5(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, m: number, s: number): void {
    const C = this.cosT;
    const S = this.sinT;
    const ms = m * s;
    const n = this.n;
    const k1 = Math.cos((2 * Math.PI) / 5);
    const k2 = Math.cos((4 * Math.PI) / 5);
    const q1 = Math.sin((2 * Math.PI) / 5);
    const q2 = Math.sin((4 * Math.PI) / 5);
    for (let k = 0; k < m; k++) {
      const t1 = k * s;
      const c1 = C[t1]!;
      const s1 = -S[t1]!;
      const c2 = C[(2 * t1) % n]!;
      const s2 = -S[(2 * t1) % n]!;
      const c3 = C[(3 * t1) % n]!;
      const s3 = -S[(3 * t1) % n]!;
      const c4 = C[(4 * t1) % n]!;
      const s4 = -S[(4 * t1) % n]!;
      const base = k * s;
      const out = 5 * k * s;
      for (let j = 0; j < s; j++) {
        const i0 = base + j;
        const a0r = xr[i0]!;
        const a0i = xi[i0]!;
        const a1r = xr[i0 + ms]!;
        const a1i = xi[i0 + ms]!;
        const a2r = xr[i0 + 2 * ms]!;
        const a2i = xi[i0 + 2 * ms]!;
        const a3r = xr[i0 + 3 * ms]!;
        const a3i = xi[i0 + 3 * ms]!;
        const a4r = xr[i0 + 4 * ms]!;
        const a4i = xi[i0 + 4 * ms]!;
        const s14r = a1r + a4r;
        const s14i = a1i + a4i;
        const d14r = a1r - a4r;
        const d14i = a1i - a4i;
        const s23r = a2r + a3r;
        const s23i = a2i + a3i;
        const d23r = a2r - a3r;
        const d23i = a2i - a3i;
        const m1r = a0r + k1 * s14r + k2 * s23r;
        const m1i = a0i + k1 * s14i + k2 * s23i;
        const m2r = a0r + k2 * s14r + k1 * s23r;
        const m2i = a0i + k2 * s14i + k1 * s23i;
        // e1 = q1 d14 + q2 d23, e2 = q2 d14 − q1 d23; b1 = m1 − i e1, b4 = m1 + i e1, b2 = m2 − i e2, b3 = m2 + i e2
        const e1r = q1 * d14r + q2 * d23r;
        const e1i = q1 * d14i + q2 * d23i;
        const e2r = q2 * d14r - q1 * d23r;
        const e2i = q2 * d14i - q1 * d23i;
        const b1r = m1r + e1i;
        const b1i = m1i - e1r;
        const b4r = m1r - e1i;
        const b4i = m1i + e1r;
        const b2r = m2r + e2i;
        const b2i = m2i - e2r;
        const b3r = m2r - e2i;
        const b3i = m2i + e2r;
        const o = out + j;
        yr[o] = a0r + s14r + s23r;
        yi[o] = a0i + s14i + s23i;
        yr[o + s] = b1r * c1 - b1i * s1;
        yi[o + s] = b1r * s1 + b1i * c1;
        yr[o + 2 * s] = b2r * c2 - b2i * s2;
        yi[o + 2 * s] = b2r * s2 + b2i * c2;
        yr[o + 3 * s] = b3r * c3 - b3i * s3;
        yi[o + 3 * s] = b3r * s3 + b3i * c3;
        yr[o + 4 * s] = b4r * c4 - b4i * s4;
        yi[o + 4 * s] = b4r * s4 + b4i * c4;
      }
    }
  }

  private radixGeneric(
    p: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
  ): void {
    const C = this.cosT;
    const S = this.sinT;
    const n = this.n;
    const ms = m * s;
    // ω_p^{q} = e^{−2πi q/p} = table[q · n/p]
    const stepP = n / p;
    const ar = new Float64Array(p);
    const ai = new Float64Array(p);
    for (let k = 0; k < m; k++) {
      const base = k * s;
      const out = p * k * s;
      for (let j = 0; j < s; j++) {
        for (let r = 0; r < p; r++) {
          ar[r] = xr[base + j + r * ms]!;
          ai[r] = xi[base + j + r * ms]!;
        }
        for (let t = 0; t < p; t++) {
          let br = 0;
          let bi = 0;
          for (let r = 0; r < p; r++) {
            const idx = ((r * t) % p) * stepP;
            const c = C[idx]!;
            const sn = -S[idx]!;
            br += ar[r]! * c - ai[r]! * sn;
            bi += ar[r]! * sn + ai[r]! * c;
          }
          const tw = (k * t * s) % n;
          const c = C[tw]!;
          const sn = -S[tw]!;
          const o = out + j + t * s;
          yr[o] = br * c - bi * sn;
          yi[o] = br * sn + bi * c;
        }
      }
    }
  }
}

/** Bluestein's algorithm: a length-N DFT as a circular convolution of power-of-two length. */
class Bluestein {
  private readonly n: number;
  private readonly m: number;
  private readonly inner: ComplexFft;
  private readonly chirpR: Float64Array; // e^{−πi j²/N}
  private readonly chirpI: Float64Array;
  private readonly filtR: Float64Array; // FFT of the conjugate chirp, wrapped
  private readonly filtI: Float64Array;
  private readonly bufR: Float64Array;
  private readonly bufI: Float64Array;

  constructor(n: number) {
    this.n = n;
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.inner = new ComplexFft(m);
    this.chirpR = new Float64Array(n);
    this.chirpI = new Float64Array(n);
    const twoN = 2 * n;
    for (let j = 0; j < n; j++) {
      // j² mod 2N keeps the angle small and exact (j² < 2^53 for N < ~9e7).
      const q = (j * j) % twoN;
      const a = (Math.PI * q) / n;
      this.chirpR[j] = Math.cos(a);
      this.chirpI[j] = -Math.sin(a);
    }
    this.filtR = new Float64Array(m);
    this.filtI = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      this.filtR[j] = this.chirpR[j]!;
      this.filtI[j] = -this.chirpI[j]!;
      if (j > 0) {
        this.filtR[m - j] = this.chirpR[j]!;
        this.filtI[m - j] = -this.chirpI[j]!;
      }
    }
    this.inner.transform(this.filtR, this.filtI);
    this.bufR = new Float64Array(m);
    this.bufI = new Float64Array(m);
  }

  transform(re: Float64Array, im: Float64Array): void {
    const { n, m, chirpR, chirpI, bufR, bufI, filtR, filtI } = this;
    bufR.fill(0);
    bufI.fill(0);
    for (let j = 0; j < n; j++) {
      const xr = re[j]!;
      const xi = im[j]!;
      bufR[j] = xr * chirpR[j]! - xi * chirpI[j]!;
      bufI[j] = xr * chirpI[j]! + xi * chirpR[j]!;
    }
    this.inner.transform(bufR, bufI);
    // multiply by the filter spectrum and conjugate (inverse via forward transform)
    for (let k = 0; k < m; k++) {
      const ar = bufR[k]!;
      const ai = bufI[k]!;
      const br = filtR[k]!;
      const bi = filtI[k]!;
      bufR[k] = ar * br - ai * bi;
      bufI[k] = -(ar * bi + ai * br);
    }
    this.inner.transform(bufR, bufI);
    const inv = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = bufR[k]! * inv;
      const ci = -bufI[k]! * inv;
      re[k] = cr * chirpR[k]! - ci * chirpI[k]!;
      im[k] = cr * chirpI[k]! + ci * chirpR[k]!;
    }
  }
}

const planCache = new Map<number, ComplexFft>();
const realTwiddleCache = new Map<number, { c: Float64Array; s: Float64Array }>();

/** A cached plan for length n (the cache keeps the few most recent lengths). */
export function fftPlan(n: number): ComplexFft {
  let p = planCache.get(n);
  if (!p) {
    p = new ComplexFft(n);
    if (planCache.size >= 4) planCache.delete(planCache.keys().next().value as number);
    planCache.set(n, p);
  }
  return p;
}

/** In-place forward DFT of (re, im), any length. */
export function fft(re: Float64Array, im: Float64Array): void {
  if (re.length !== im.length) throw new RangeError('re and im must have the same length');
  if (re.length === 0) return;
  fftPlan(re.length).transform(re, im);
}

/**
 * |X_k| for k = 0 … count−1 of the DFT of the real sequence x (count ≤ ⌊n/2⌋ + 1).
 */
export function realDftMagnitudes(x: Float64Array, count: number): Float64Array {
  const n = x.length;
  if (count > Math.floor(n / 2) + 1) throw new RangeError('count exceeds the non-redundant half of the spectrum');
  const out = new Float64Array(count);
  if (n === 0 || count === 0) return out;
  if (n % 2 === 1) {
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft(re, im);
    for (let k = 0; k < count; k++) out[k] = Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
    return out;
  }
  // even n: z_j = x_{2j} + i x_{2j+1}, Z = DFT_h(z), X_k = E_k + e^{−2πik/n} O_k with
  // E_k = (Z_k + conj Z_{h−k})/2, O_k = (Z_k − conj Z_{h−k})/(2i).
  const h = n / 2;
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    zr[j] = x[2 * j]!;
    zi[j] = x[2 * j + 1]!;
  }
  fft(zr, zi);
  let tw = realTwiddleCache.get(n);
  if (!tw) {
    const c = new Float64Array(h + 1);
    const s = new Float64Array(h + 1);
    const step = (2 * Math.PI) / n;
    for (let k = 0; k <= h; k++) {
      c[k] = Math.cos(step * k);
      s[k] = Math.sin(step * k);
    }
    tw = { c, s };
    if (realTwiddleCache.size >= 4) realTwiddleCache.delete(realTwiddleCache.keys().next().value as number);
    realTwiddleCache.set(n, tw);
  }
  for (let k = 0; k < count; k++) {
    const k2 = k === 0 ? 0 : h - k;
    const ar = zr[k % h]!;
    const ai = zi[k % h]!;
    const br = zr[k2 % h]!;
    const bi = -zi[k2 % h]!; // conj Z_{h−k}
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai + bi);
    // (Z_k − conj Z_{h−k}) / (2i) = (d) · (−i/2)
    const dr = ar - br;
    const di = ai - bi;
    const or = 0.5 * di;
    const oi = -0.5 * dr;
    const c = tw.c[k]!;
    const s = -tw.s[k]!;
    const xr = er + (or * c - oi * s);
    const xi = ei + (or * s + oi * c);
    out[k] = Math.sqrt(xr * xr + xi * xi);
  }
  return out;
}
