/**
 * @module health/monitor
 * The two SP 800-90B §4.4 approved continuous health tests run together
 * over one raw sample stream, as §4.4 requires of every entropy source
 * that uses them: every sample goes through both the Repetition Count Test
 * and the Adaptive Proportion Test before anything derived from it is used.
 */

import { AdaptiveProportionTest } from './apt.js';
import { type HealthFailure, type HealthParams, checkSamples } from './failure.js';
import { RepetitionCountTest } from './rct.js';

export class HealthMonitor {
  readonly rct: RepetitionCountTest;
  readonly apt: AdaptiveProportionTest;

  constructor(params: HealthParams) {
    this.rct = new RepetitionCountTest(params);
    this.apt = new AdaptiveProportionTest(params);
  }

  /** Samples both tests have examined (equal unless one of them failed). */
  get samplesProcessed(): number {
    return Math.min(this.rct.samplesProcessed, this.apt.samplesProcessed);
  }

  /** The latched failure, the earlier one in the stream if both tests failed. */
  get failure(): HealthFailure | null {
    return earlier(this.rct.failure, this.apt.failure);
  }

  /**
   * Feeds `samples` to both tests. Returns the failure that occurs first in
   * the stream, or null when the chunk passed both; the chunk must not be
   * used unless this returns null.
   */
  feed(samples: Uint8Array): HealthFailure | null {
    checkSamples(samples);
    return earlier(this.rct.feed(samples), this.apt.feed(samples));
  }

  /** Clears both tests, including latched failures. */
  reset(): void {
    this.rct.reset();
    this.apt.reset();
  }
}

function earlier(a: HealthFailure | null, b: HealthFailure | null): HealthFailure | null {
  if (!a) return b;
  if (!b) return a;
  return b.sampleIndex < a.sampleIndex ? b : a;
}
