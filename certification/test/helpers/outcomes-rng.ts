/**
 * Deterministic random numbers for the outcome-test suites: AES-256-CTR
 * keyed by SHA-256(seed), read as 32-bit words; integers by rejection (so
 * exactly uniform, like the service's mappings).
 */

import { createCipheriv, createHash } from 'node:crypto';

export class TestRng {
  #cipher;
  #buf = new Uint32Array(0);
  #at = 0;

  constructor(seed: string) {
    const key = createHash('sha256').update(`outcomes-test/${seed}`).digest();
    this.#cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    if (this.#at === this.#buf.length) {
      const bytes = this.#cipher.update(Buffer.alloc(1 << 16));
      this.#buf = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      this.#at = 0;
    }
    return this.#buf[this.#at++]!;
  }

  /** Uniform in [0, 1) with 53-bit resolution. */
  float(): number {
    return (this.u32() * 2 ** 21 + (this.u32() >>> 11)) / 2 ** 53;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, by rejection. */
  below(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  ints(count: number, min: number, max: number): number[] {
    return Array.from({ length: count }, () => min + this.below(max - min + 1));
  }
}

/**
 * Kolmogorov–Smirnov distance of p-values from the uniform distribution,
 * and whether it is below the asymptotic 0.1% critical value 1.949/√n.
 */
export function ksUniform(pvalues: number[]): { d: number; ok: boolean; critical: number } {
  const s = [...pvalues].sort((a, b) => a - b);
  const n = s.length;
  let d = 0;
  s.forEach((p, i) => (d = Math.max(d, (i + 1) / n - p, p - i / n)));
  const critical = 1.949 / Math.sqrt(n);
  return { d, ok: d < critical, critical };
}
