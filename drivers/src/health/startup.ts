/**
 * @module health/startup
 * SP 800-90B §4.3 start-up testing: before the first use of an entropy
 * source, the continuous health tests are run over at least 1024
 * consecutive samples, and nothing is released unless they pass. With
 * 1-bit samples 1024 samples are exactly one Adaptive Proportion Test
 * window (W = 1024); with 8-bit samples they are two (W = 512), so a full
 * APT window is always among the start-up samples.
 *
 * The monitor that ran the start-up tests is returned so continuous testing
 * goes on from the same state, with no gap in the RCT run or APT window.
 */

import { aptWindow } from './cutoffs.js';
import { type HealthFailure, type HealthParams, checkHealthParams, checkSamples } from './failure.js';
import { HealthMonitor } from './monitor.js';

/** §4.3's minimum number of start-up samples. */
export const STARTUP_MIN_SAMPLES = 1024;

export interface StartupResult {
  readonly passed: boolean;
  /** The first failure in the stream, null when passed. */
  readonly failure: HealthFailure | null;
  /** Samples the tests examined (all of them when passed). */
  readonly samplesTested: number;
  /** The monitor after start-up, ready for continuous testing. */
  readonly monitor: HealthMonitor;
}

/** Samples start-up testing needs: 1024, and never less than one APT window. */
export function startupSampleCount(sampleBits: 1 | 8): number {
  return Math.max(STARTUP_MIN_SAMPLES, aptWindow(sampleBits));
}

/** Raw bytes to read from a source for start-up testing. */
export function startupByteCount(sampleBits: 1 | 8): number {
  return Math.ceil((startupSampleCount(sampleBits) * sampleBits) / 8);
}

/**
 * Runs the RCT and APT over `samples`, which must hold at least
 * {@link startupSampleCount} samples.
 * @throws RangeError naming `samples` when there are too few.
 */
export function startupTest(samples: Uint8Array, params: HealthParams): StartupResult {
  checkHealthParams(params);
  checkSamples(samples);
  const needed = startupByteCount(params.sampleBits);
  if (samples.length < needed) {
    throw new RangeError(
      `samples: start-up testing needs ≥ ${startupSampleCount(params.sampleBits)} samples ` +
        `(${needed} bytes of ${params.sampleBits}-bit samples), got ${samples.length} bytes`,
    );
  }
  const monitor = new HealthMonitor(params);
  const failure = monitor.feed(samples);
  return { passed: failure === null, failure, samplesTested: monitor.samplesProcessed, monitor };
}
