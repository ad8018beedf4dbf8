/**
 * @module health/failure
 * What a failed SP 800-90B §4.4 continuous health test reports, and the
 * parameters every test is configured with. §4.4 requires a failure to be
 * reported with enough detail to act on: which test, where in the sample
 * stream, and how far past the cutoff.
 */

export type HealthTestName = 'RCT' | 'APT';

export interface HealthFailure {
  /** RCT: Repetition Count Test (§4.4.1); APT: Adaptive Proportion Test (§4.4.2). */
  readonly test: HealthTestName;
  /**
   * Samples this test had processed when it failed, the failing sample
   * included: the 1-based index of that sample since the test was created
   * or reset. A source stuck from the start fails the RCT at index C.
   */
  readonly sampleIndex: number;
  /** The sample value that repeated too often. */
  readonly value: number;
  /** The test's counter B when it failed; the test fails as soon as B ≥ C. */
  readonly observed: number;
  /** The cutoff C. */
  readonly cutoff: number;
}

/** How raw samples are packed and how much entropy each is claimed to carry. */
export interface HealthParams {
  /**
   * 8: one sample per byte. 1: eight samples per byte, most significant bit
   * first (the order a serial bit stream is usually packed in).
   */
  readonly sampleBits: 1 | 8;
  /** Claimed min-entropy per sample, 0 < H ≤ sampleBits (SP 800-90B H). */
  readonly H: number;
  /** False-positive probability per test decision; defaults to 2^-20. */
  readonly alpha?: number;
}

/** Validates `params`, throwing RangeError/TypeError that name the bad field. */
export function checkHealthParams(params: HealthParams): void {
  if (params === null || typeof params !== 'object') throw new TypeError('params: expected an object');
  const { sampleBits, H } = params;
  if (sampleBits !== 1 && sampleBits !== 8) throw new RangeError(`sampleBits: must be 1 or 8, got ${sampleBits}`);
  if (typeof H !== 'number' || !(H > 0 && H <= sampleBits)) {
    throw new RangeError(`H: must be in (0, ${sampleBits}] for ${sampleBits}-bit samples, got ${H}`);
  }
}

/** Throws TypeError unless `samples` is a Uint8Array (Buffer included). */
export function checkSamples(samples: unknown): asserts samples is Uint8Array {
  if (!(samples instanceof Uint8Array)) throw new TypeError('samples: expected a Uint8Array');
}
