/**
 * @module entropy/hardware
 * The entropy pipeline behind the engine: one SourceChannel per configured
 * source (health tests and conditioning), mixed into an SP 800-90A CTR_DRBG
 * (AES-256, derivation function).
 *
 * Seeding: the entropy input is one full-entropy block from every source,
 * concatenated, so the seed is full-entropy if any one source is good; the
 * nonce is a further block from the first source.
 *
 * Fail closed: draw() refuses while any source is not healthy, and after a
 * source fails the DRBG must be reseeded from fresh, tested blocks before it
 * serves again. It also reseeds every reseedMs, every reseedCount draws, and
 * on request (each new seed epoch).
 */

import { EventEmitter } from 'node:events';
import { CtrDrbg, generateBytes, type EntropySource } from '@rngseal/drivers';
import { concatBytes, type Json } from '@rngseal/verifier';
import { SourceChannel, type ChannelFailure, type ChannelOptions } from './channel.js';
import { type Entropy, EntropyUnavailableError } from './entropy.js';

export interface HardwareOptions extends ChannelOptions {
  reseedMs?: number;
  reseedCount?: number;
}

interface HardwareEvents {
  failure: [ChannelFailure];
  healthy: [string];
}

const PERSONALIZATION = new TextEncoder().encode('rngseal/drbg/v1');
const OUTPUT_BUFFER = 4096;

export class HardwareEntropy extends EventEmitter<HardwareEvents> implements Entropy {
  readonly channels: SourceChannel[];
  #drbg = new CtrDrbg({ derivationFunction: true });
  #seeded = false;
  #seededAt = 0;
  #draws = 0;
  #buffer: Uint8Array = new Uint8Array(0);
  #offset = 0;
  readonly #reseedMs: number;
  readonly #reseedCount: number;

  constructor(sources: EntropySource[], options: HardwareOptions = {}) {
    super();
    if (sources.length === 0) throw new RangeError('sources: at least one entropy source is needed');
    this.channels = sources.map((s) => new SourceChannel(s, options));
    for (const c of this.channels) {
      c.on('failure', (f) => {
        this.#seeded = false; // no output until reseeded from tested blocks
        this.#dropBuffer();
        this.emit('failure', f);
      });
      c.on('healthy', (name) => this.emit('healthy', name));
    }
    this.#reseedMs = options.reseedMs ?? 60_000;
    this.#reseedCount = options.reseedCount ?? 100_000;
  }

  get healthy(): boolean {
    return this.channels.every((c) => c.state === 'healthy') && (this.#seeded || this.channels.every((c) => c.available >= 2));
  }

  draw(n: number): Uint8Array {
    this.#requireHealthy();
    if (this.#reseedDue()) this.reseed();
    this.#draws++;
    if (n > OUTPUT_BUFFER) return generateBytes(this.#drbg, n);
    // One generate call per 4 KiB instead of per draw: the output is used once, in order, and
    // dropped at every reseed, so buffering changes neither what is drawn nor from which state.
    if (this.#offset + n > this.#buffer.length) {
      this.#buffer = generateBytes(this.#drbg, OUTPUT_BUFFER);
      this.#offset = 0;
    }
    const out = new Uint8Array(this.#buffer.subarray(this.#offset, this.#offset + n)); // a copy: the buffer is wiped next
    this.#buffer.fill(0, this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /**
   * Fresh output of the same DRBG for the statistical self-test
   * (self-test.ts), from generate calls of its own: bypassing the draw
   * buffer, so no byte of a sample is ever served to the engine.
   * @throws EntropyUnavailableError
   */
  selfTestSample(n: number): Uint8Array {
    this.#requireHealthy();
    if (this.#reseedDue()) this.reseed();
    return generateBytes(this.#drbg, n);
  }

  #reseedDue(): boolean {
    return !this.#seeded || this.#draws >= this.#reseedCount || Date.now() - this.#seededAt >= this.#reseedMs;
  }

  /** Discards buffered output: after a reseed or a failure, nothing from the old state is served. */
  #dropBuffer(): void {
    this.#buffer.fill(0);
    this.#buffer = new Uint8Array(0);
    this.#offset = 0;
  }

  /** Reseeds from one fresh block of every source. @throws EntropyUnavailableError */
  reseed(): void {
    this.#requireHealthy();
    if (this.channels.some((c) => c.available < (c === this.channels[0] && !this.#drbg.instantiated ? 2 : 1))) {
      throw new EntropyUnavailableError(this.#names(), 'conditioned entropy not ready yet for a reseed');
    }
    const input = concatBytes(...this.channels.map((c) => c.take()!));
    if (this.#drbg.instantiated) this.#drbg.reseed(input);
    else this.#drbg.instantiate(input, this.channels[0]!.take()!.subarray(0, 16), PERSONALIZATION);
    input.fill(0);
    this.#dropBuffer();
    this.#seeded = true;
    this.#seededAt = Date.now();
    this.#draws = 0;
  }

  sources(): Json[] {
    return this.channels.map((c) => ({
      ...c.source.identity,
      sampleBits: c.source.sampleBits,
      minEntropy: c.source.minEntropy,
      state: c.state,
      ...(c.lastFailure ? { lastFailure: { test: c.lastFailure.test, detail: c.lastFailure.detail } } : {}),
    }));
  }

  /** Starts every channel and waits until all passed start-up tests (or timeoutMs). */
  async start(timeoutMs = 30_000): Promise<void> {
    for (const c of this.channels) c.start();
    const end = Date.now() + timeoutMs;
    while (!this.healthy) {
      if (Date.now() > end) throw new EntropyUnavailableError(this.#names(), `not healthy after ${timeoutMs} ms: ${JSON.stringify(this.sources())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.stop()));
    this.#drbg.uninstantiate();
    this.#dropBuffer();
    this.#seeded = false;
  }

  #requireHealthy(): void {
    const bad = this.channels.find((c) => c.state !== 'healthy');
    if (bad) {
      const why = bad.lastFailure ? `${bad.lastFailure.test} — ${bad.lastFailure.detail}` : bad.state;
      throw new EntropyUnavailableError(bad.name, `not healthy (${bad.state}): ${why}`);
    }
  }

  #names(): string {
    return this.channels.map((c) => c.name).join('+');
  }
}
