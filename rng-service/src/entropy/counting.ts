/**
 * @module entropy/counting
 * Counts what the engine draws and refuses, for /metrics.
 */

import type { Json } from '@rngseal/verifier';
import type { Metrics } from '../metrics.js';
import type { Entropy } from './entropy.js';

export class CountingEntropy implements Entropy {
  constructor(
    private readonly inner: Entropy,
    private readonly metrics: Metrics,
  ) {}

  get healthy(): boolean {
    return this.inner.healthy;
  }

  draw(n: number): Uint8Array {
    try {
      const bytes = this.inner.draw(n);
      this.metrics.entropyBytes.inc(n);
      return bytes;
    } catch (err) {
      this.metrics.entropyRefusals.inc();
      throw err;
    }
  }

  reseed(): void {
    this.inner.reseed?.();
  }

  sources(): Json[] {
    return this.inner.sources();
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
