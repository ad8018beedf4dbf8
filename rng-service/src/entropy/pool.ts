/**
 * @module entropy/pool
 * Keeps a buffer of bytes read from one EntropySource so the single writer
 * can draw synchronously. A read failure marks the pool unhealthy and empties
 * it (bytes read around a fault are not trusted); reads resume with backoff.
 */

import type { EntropySource } from '@rngseal/drivers';
import type { Json } from '@rngseal/verifier';
import { type Entropy, EntropyUnavailableError } from './entropy.js';

export interface PoolOptions {
  /** Bytes to keep ready. */
  target?: number;
  /** Longest wait between reconnect attempts, ms. */
  maxBackoff?: number;
}

export class EntropyPool implements Entropy {
  readonly #source: EntropySource;
  readonly #target: number;
  readonly #maxBackoff: number;
  #chunks: Uint8Array[] = [];
  #available = 0;
  #fault: string | null = 'not started';
  #running = false;
  #pump: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(source: EntropySource, options: PoolOptions = {}) {
    this.#source = source;
    this.#target = options.target ?? 1 << 16;
    this.#maxBackoff = options.maxBackoff ?? 5000;
  }

  get healthy(): boolean {
    return this.#fault === null && this.#available > 0;
  }

  draw(n: number): Uint8Array {
    if (this.#fault !== null) throw new EntropyUnavailableError(this.#name(), this.#fault);
    if (n > this.#available) {
      this.#refill();
      throw new EntropyUnavailableError(this.#name(), 'pool is empty');
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#available -= n;
    if (this.#available < this.#target / 2) this.#refill();
    return out;
  }

  sources(): Json[] {
    const id = this.#source.identity;
    return [{ ...id, sampleBits: this.#source.sampleBits, minEntropy: this.#source.minEntropy, state: this.#fault ?? 'healthy' }];
  }

  async start(): Promise<void> {
    this.#running = true;
    await this.#source.open();
    this.#fault = null;
    await this.#fill();
    this.#pump = this.#loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#refill();
    await this.#pump;
    await this.#source.close();
  }

  async #loop(): Promise<void> {
    let backoff = 50;
    while (this.#running) {
      try {
        if (this.#fault !== null) await this.#source.open();
        this.#fault = null;
        await this.#fill();
        backoff = 50;
        // Sleep only while the pool is at least half full; set synchronously after the check.
        if (this.#available >= this.#target / 2) await new Promise<void>((resolve) => (this.#wake = resolve));
      } catch (err) {
        this.#fault = (err as Error).message;
        this.#chunks = [];
        this.#available = 0;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, this.#maxBackoff);
      }
    }
  }

  #refill(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async #fill(): Promise<void> {
    while (this.#running && this.#available < this.#target) {
      const chunk = await this.#source.read(this.#target - this.#available);
      this.#chunks.push(chunk);
      this.#available += chunk.length;
    }
  }

  #name(): string {
    const id = this.#source.identity;
    return id.path ? `${id.kind}:${id.path}` : id.kind;
  }
}
