/**
 * @module entropy/self-test-gate
 * Stops play while the SP 800-22 self-test policy is in its closed state
 * (self-test-policy.ts): draws and reseeds are refused with the same 503 as
 * an unhealthy source, and /readyz says not ready, naming the self-test.
 */

import type { Json } from '@rngseal/verifier';
import { type Entropy, EntropyUnavailableError } from './entropy.js';

/** The name refusals and /readyz give: what the self-test tests. */
export const SELF_TESTED_OUTPUT = 'drbg';

export class SelfTestGate implements Entropy {
  #closedBecause: string | null = null;

  constructor(private readonly inner: Entropy) {}

  get closed(): boolean {
    return this.#closedBecause !== null;
  }

  close(reason: string): void {
    this.#closedBecause = reason;
  }

  open(): void {
    this.#closedBecause = null;
  }

  get healthy(): boolean {
    return !this.closed && this.inner.healthy;
  }

  draw(n: number): Uint8Array {
    this.#refuseWhileClosed();
    return this.inner.draw(n);
  }

  reseed(): void {
    this.#refuseWhileClosed();
    this.inner.reseed?.();
  }

  sources(): Json[] {
    const sources = this.inner.sources();
    if (this.#closedBecause === null) return sources;
    return [...sources, { kind: 'self-test', path: SELF_TESTED_OUTPUT, state: 'failed', detail: this.#closedBecause }];
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  #refuseWhileClosed(): void {
    if (this.#closedBecause !== null) throw new EntropyUnavailableError(SELF_TESTED_OUTPUT, this.#closedBecause);
  }
}
