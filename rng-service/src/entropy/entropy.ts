/**
 * @module entropy/entropy
 * What the engine asks of the entropy pipeline: bytes now, or a refusal.
 * The engine never draws from unhealthy entropy: draw() throws instead, and
 * the request that needed the bytes is answered 503 without using a seq.
 */

import type { Json } from '@rngseal/verifier';

export interface Entropy {
  /** True when draw() can serve: sources healthy and bytes available. */
  readonly healthy: boolean;
  /** Returns `n` fresh bytes. @throws EntropyUnavailableError */
  draw(n: number): Uint8Array;
  /** Reseeds from fresh source entropy now (each new seed epoch). @throws EntropyUnavailableError */
  reseed?(): void;
  /** Identity and state of each source, for the boot record and /readyz. */
  sources(): Json[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class EntropyUnavailableError extends Error {
  override readonly name = 'EntropyUnavailableError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`entropy source ${source}: ${message}`);
  }
}
