/**
 * @module nist/bits
 * Input helpers and the result type shared by the SP 800-22 tests.
 *
 * A sequence is a `Uint8Array` holding one bit per element (0 or 1),
 * ε_1 … ε_n in order.
 */

/** The outcome of one SP 800-22 test on one sequence. */
export interface TestResult {
  /** The reference implementation's test name, e.g. "NonOverlappingTemplate". */
  name: string;
  /**
   * P-values in the reference's order. A result that is not applicable is
   * NaN (sts prints 0.000000, "nan" or nothing for those).
   */
  pvalues: number[];
  /** Same length as `pvalues`: false where the test could not be applied. */
  applicable: boolean[];
}

/**
 * Bits of `bytes`, most significant bit of each byte first (as sts reads
 * binary files), truncated to `nBits`.
 */
export function unpackBits(bytes: Uint8Array, nBits: number = bytes.length * 8): Uint8Array {
  if (!Number.isInteger(nBits) || nBits < 0) throw new RangeError(`nBits must be a non-negative integer, got ${nBits}`);
  if (nBits > bytes.length * 8) throw new RangeError(`asked for ${nBits} bits from ${bytes.length} bytes`);
  const out = new Uint8Array(nBits);
  const full = nBits >>> 3;
  for (let i = 0; i < full; i++) {
    const b = bytes[i]!;
    const o = i << 3;
    out[o] = b >>> 7;
    out[o + 1] = (b >>> 6) & 1;
    out[o + 2] = (b >>> 5) & 1;
    out[o + 3] = (b >>> 4) & 1;
    out[o + 4] = (b >>> 3) & 1;
    out[o + 5] = (b >>> 2) & 1;
    out[o + 6] = (b >>> 1) & 1;
    out[o + 7] = b & 1;
  }
  for (let k = full << 3; k < nBits; k++) out[k] = (bytes[k >>> 3]! >>> (7 - (k & 7))) & 1;
  return out;
}

/**
 * The bitstreams sts-2.1.2 reads from a binary file holding several of them:
 * it reads 4 bytes at a time and drops the rest of the last 4-byte word of
 * each bitstream, so bitstream k starts at byte k·4·⌈n/32⌉ (for n a multiple
 * of 32 the file is simply cut into n-bit pieces). `count` defaults to every
 * complete bitstream in `bytes`.
 */
export function stsBinaryBitstreams(bytes: Uint8Array, n: number, count?: number): Uint8Array[] {
  const stride = stsBinaryStride(n);
  const available = Math.floor(bytes.length / stride);
  const k = count ?? available;
  if (k > available) throw new RangeError(`${bytes.length} bytes hold ${available} bitstreams of ${n} bits, not ${k}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < k; i++) out.push(unpackBits(bytes.subarray(i * stride, (i + 1) * stride), n));
  return out;
}

/**
 * Bytes from the start of one bitstream to the next in a binary file read by
 * sts-2.1.2: 4·⌈n/32⌉ (see stsBinaryBitstreams).
 */
export function stsBinaryStride(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  return 4 * Math.ceil(n / 32);
}

/** Packs one-bit-per-element bits into bytes, most significant bit first. */
export function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let k = 0; k < bits.length; k++) if (bits[k]) out[k >>> 3] = out[k >>> 3]! | (0x80 >>> (k & 7));
  return out;
}

/**
 * Bits of an ASCII text of '0' and '1' characters (sts's "ASCII" input
 * format). Whitespace is skipped, as sts's fscanf("%1d") does; any other
 * character is an error (sts would silently misread it). `maxBits` stops
 * after that many bits.
 */
export function parseAsciiBits(text: string, maxBits = Infinity): Uint8Array {
  const out = new Uint8Array(Math.min(text.length, maxBits));
  let n = 0;
  for (let i = 0; i < text.length && n < maxBits; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 48) out[n++] = 0;
    else if (ch === 49) out[n++] = 1;
    else if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 11 || ch === 12) continue;
    else throw new SyntaxError(`unexpected character ${JSON.stringify(text[i])} at offset ${i}`);
  }
  return out.subarray(0, n);
}

/** Throws unless every element of `bits` is 0 or 1. */
export function checkBits(bits: Uint8Array): void {
  for (let i = 0; i < bits.length; i++) {
    if (bits[i]! > 1) throw new RangeError(`bits[${i}] = ${bits[i]}: expected one bit per element (0 or 1)`);
  }
}

/** Validates an integer parameter. */
export function intParam(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A result whose every p-value is not applicable. */
export function notApplicable(name: string, count: number): TestResult {
  return { name, pvalues: new Array<number>(count).fill(NaN), applicable: new Array<boolean>(count).fill(false) };
}

/** A result with all p-values applicable. */
export function applicableResult(name: string, pvalues: number[]): TestResult {
  return { name, pvalues, applicable: pvalues.map(() => true) };
}
