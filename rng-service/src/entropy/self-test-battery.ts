/**
 * @module entropy/self-test-battery
 * The SP 800-22 subset the service runs on its own DRBG output, and its
 * verdict in the integers a record may carry.
 *
 * The sample is cut into 10^6-bit sequences (the length sts-2.1.2's default
 * parameters are set for) and run on one worker thread of the certification
 * pool, so the event loop never runs the tests. Every test of the subset
 * applies to every 10^6-bit sequence; left out are NonOverlappingTemplate
 * (148 p-values would cut the per-p-value threshold tenfold) and the two
 * RandomExcursions tests (not applicable on a sizeable share of sequences).
 *
 * Decision (Bonferroni, no independence between p-values assumed): with m
 * p-values in all, the run fails when any p-value is below α / m, so a good
 * generator fails a run with probability ≤ α. P-values are recorded as
 * ⌊p · 10^6⌋ and the threshold as T = ⌊α · 10^6 / m⌋; the run fails iff some
 * recorded p-value < T, so anyone can recompute the verdict from the record,
 * and P(fail) = m · T / 10^6 ≤ α.
 */

import { runBatteryParallel, type PackedBits, type TestResult } from '@rngseal/certification';

export const SELF_TEST_TESTS = [
  'Frequency', 'BlockFrequency', 'CumulativeSums', 'Runs', 'LongestRun', 'Rank', 'FFT',
  'OverlappingTemplate', 'Universal', 'ApproximateEntropy', 'Serial', 'LinearComplexity',
] as const;

export const SEQUENCE_BITS = 1_000_000;
/** Fixed-point scale of p-values and α in records. */
export const PPM = 1_000_000;
/** α = 0.01 (SP 800-22's default level), as ppm: the false-alarm bound of one run. */
export const SELF_TEST_ALPHA_PPM = 10_000;

export interface SelfTestVerdict {
  bits: number;
  sequences: number;
  /** α · 10^6. */
  alpha: number;
  /** ⌊α · 10^6 / m⌋: a recorded p-value below it fails the run. */
  threshold: number;
  /** ⌊p · 10^6⌋ per test, sequence after sequence, each test's p-values in sts order. */
  pValues: Record<string, number[]>;
  /** Tests with a p-value below the threshold, in subset order. */
  failedTests: string[];
  passed: boolean;
}

/** @throws RangeError when the sample is not whole 10^6-bit sequences. */
export async function runSelfTestBattery(sample: Uint8Array): Promise<SelfTestVerdict> {
  const sequenceBytes = SEQUENCE_BITS / 8;
  if (sample.length === 0 || sample.length % sequenceBytes !== 0) {
    throw new RangeError(`sample: must be whole sequences of ${sequenceBytes} bytes, got ${sample.length}`);
  }
  const sequences: PackedBits[] = [];
  for (let at = 0; at < sample.length; at += sequenceBytes) {
    sequences.push({ bytes: sample.subarray(at, at + sequenceBytes), nBits: SEQUENCE_BITS });
  }
  // One thread: the service's signing and store threads keep the other cores.
  return verdict(await runBatteryParallel(sequences, { tests: SELF_TEST_TESTS, threads: 1 }), sample.length * 8);
}

function verdict(results: TestResult[][], bits: number): SelfTestVerdict {
  const pValues: Record<string, number[]> = Object.fromEntries(SELF_TEST_TESTS.map((t) => [t, []]));
  for (const sequence of results) {
    for (const r of sequence) {
      r.pvalues.forEach((p, i) => {
        // Every subset test applies at 10^6 bits: a result that does not is a defect, not a pass.
        if (!r.applicable[i] || !(p >= 0 && p <= 1)) throw new Error(`${r.name}: no p-value on a ${SEQUENCE_BITS}-bit sequence`);
        pValues[r.name]!.push(Math.floor(p * PPM));
      });
    }
  }
  const m = Object.values(pValues).reduce((n, ps) => n + ps.length, 0);
  const threshold = Math.floor(SELF_TEST_ALPHA_PPM / m);
  const failedTests = SELF_TEST_TESTS.filter((t) => pValues[t]!.some((p) => p < threshold));
  return { bits, sequences: results.length, alpha: SELF_TEST_ALPHA_PPM, threshold, pValues, failedTests, passed: failedTests.length === 0 };
}
