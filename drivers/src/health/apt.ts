/**
 * @module health/apt
 * SP 800-90B §4.4.2 Adaptive Proportion Test, streaming.
 *
 * The stream is cut into consecutive, non-overlapping windows of W samples.
 * The first sample of each window is the reference A with counter B = 1;
 * each of the next W − 1 samples equal to A adds one, and the test fails as
 * soon as B ≥ C. Windows carry across feed() calls, so how the source
 * chunks its reads changes nothing.
 *
 * A failure latches until reset(), as for the RCT.
 */

import { aptCutoff, aptWindow } from './cutoffs.js';
import { type HealthFailure, type HealthParams, checkHealthParams, checkSamples } from './failure.js';

export class AdaptiveProportionTest {
  readonly window: number;
  readonly cutoff: number;
  readonly sampleBits: 1 | 8;
  private reference = -1;
  private count = 0;
  /** Samples still to compare in the current window; 0: the next sample opens a window. */
  private remaining = 0;
  private processed = 0;
  private failed: HealthFailure | null = null;

  constructor(params: HealthParams) {
    checkHealthParams(params);
    this.sampleBits = params.sampleBits;
    this.window = aptWindow(params.sampleBits);
    this.cutoff = aptCutoff(params.H, this.window, params.alpha);
  }

  /** Samples examined since construction or reset(). */
  get samplesProcessed(): number {
    return this.processed;
  }

  /** The latched failure, if any. */
  get failure(): HealthFailure | null {
    return this.failed;
  }

  /**
   * Runs the test over `samples` (one per byte, or eight per byte MSB first
   * for 1-bit samples). Returns the failure, or null when every window so
   * far passed. After a failure, returns it again without looking at new data.
   */
  feed(samples: Uint8Array): HealthFailure | null {
    checkSamples(samples);
    if (this.failed) return this.failed;
    return this.sampleBits === 8 ? this.feedBytes(samples) : this.feedBits(samples);
  }

  /** Forgets all state, including a latched failure; the next sample opens a window. */
  reset(): void {
    this.reference = -1;
    this.count = 0;
    this.remaining = 0;
    this.processed = 0;
    this.failed = null;
  }

  private feedBytes(samples: Uint8Array): HealthFailure | null {
    const n = samples.length;
    const c = this.cutoff;
    let a = this.reference;
    let b = this.count;
    let i = 0;
    while (i < n) {
      if (this.remaining === 0) {
        a = samples[i++]!;
        b = 1;
        this.remaining = this.window - 1;
        continue;
      }
      // The rest of this window that lies in this chunk: one tight loop.
      const end = Math.min(n, i + this.remaining);
      this.remaining -= end - i;
      for (; i < end; i++) {
        if (samples[i] === a && ++b >= c) {
          this.remaining += end - i - 1; // the samples of this window after the failing one
          return this.fail(a, b, i + 1);
        }
      }
    }
    this.reference = a;
    this.count = b;
    this.processed += n;
    return null;
  }

  private feedBits(samples: Uint8Array): HealthFailure | null {
    const n = samples.length;
    const c = this.cutoff;
    let a = this.reference;
    let b = this.count;
    let remaining = this.remaining;
    for (let i = 0; i < n; i++) {
      const byte = samples[i]!;
      for (let shift = 7; shift >= 0; shift--) {
        const s = (byte >>> shift) & 1;
        if (remaining === 0) {
          a = s;
          b = 1;
          remaining = this.window - 1;
        } else {
          remaining--;
          if (s === a && ++b >= c) {
            this.remaining = remaining;
            return this.fail(a, b, i * 8 + (8 - shift));
          }
        }
      }
    }
    this.reference = a;
    this.count = b;
    this.remaining = remaining;
    this.processed += n * 8;
    return null;
  }

  /** Latches a failure at the `consumed`-th sample of the current chunk. */
  private fail(value: number, count: number, consumed: number): HealthFailure {
    this.reference = value;
    this.count = count;
    this.processed += consumed;
    this.failed = { test: 'APT', sampleIndex: this.processed, value, observed: count, cutoff: this.cutoff };
    return this.failed;
  }
}
