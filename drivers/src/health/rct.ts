/**
 * @module health/rct
 * SP 800-90B §4.4.1 Repetition Count Test, streaming.
 *
 * The test keeps the last sample value A and how many times in a row it has
 * been seen, B. A different value restarts the run at B = 1; the test fails
 * as soon as B ≥ C, i.e. on the C-th identical sample in a row. Runs carry
 * across feed() calls: chunk boundaries are invisible to the test.
 *
 * A failure latches: the source is out of service until reset(), as §4.4
 * requires that the entropy source report the error and stop.
 */

import { rctCutoff } from './cutoffs.js';
import { type HealthFailure, type HealthParams, checkHealthParams, checkSamples } from './failure.js';

export class RepetitionCountTest {
  readonly cutoff: number;
  readonly sampleBits: 1 | 8;
  /** Last sample value, −1 before the first sample. */
  private last = -1;
  private run = 0;
  private processed = 0;
  private failed: HealthFailure | null = null;

  constructor(params: HealthParams) {
    checkHealthParams(params);
    this.sampleBits = params.sampleBits;
    this.cutoff = rctCutoff(params.H, params.alpha);
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
   * for 1-bit samples). Returns the failure, or null when every sample
   * passed. After a failure, returns it again without looking at new data.
   */
  feed(samples: Uint8Array): HealthFailure | null {
    checkSamples(samples);
    if (this.failed) return this.failed;
    return this.sampleBits === 8 ? this.feedBytes(samples) : this.feedBits(samples);
  }

  /** Forgets all state, including a latched failure. */
  reset(): void {
    this.last = -1;
    this.run = 0;
    this.processed = 0;
    this.failed = null;
  }

  private feedBytes(samples: Uint8Array): HealthFailure | null {
    const c = this.cutoff;
    const n = samples.length;
    let a = this.last;
    let b = this.run;
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      if (s !== a) {
        a = s;
        b = 1;
      } else if (++b >= c) {
        return this.fail(a, b, i + 1);
      }
    }
    this.last = a;
    this.run = b;
    this.processed += n;
    return null;
  }

  private feedBits(samples: Uint8Array): HealthFailure | null {
    const c = this.cutoff;
    const n = samples.length;
    let a = this.last;
    let b = this.run;
    for (let i = 0; i < n; i++) {
      const byte = samples[i]!;
      for (let shift = 7; shift >= 0; shift--) {
        const s = (byte >>> shift) & 1;
        if (s !== a) {
          a = s;
          b = 1;
        } else if (++b >= c) {
          return this.fail(a, b, i * 8 + (8 - shift));
        }
      }
    }
    this.last = a;
    this.run = b;
    this.processed += n * 8;
    return null;
  }

  /** Latches a failure at the `consumed`-th sample of the current chunk. */
  private fail(value: number, count: number, consumed: number): HealthFailure {
    this.last = value;
    this.run = count;
    this.processed += consumed;
    this.failed = { test: 'RCT', sampleIndex: this.processed, value, observed: count, cutoff: this.cutoff };
    return this.failed;
  }
}
