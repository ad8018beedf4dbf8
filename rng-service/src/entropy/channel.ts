/**
 * @module entropy/channel
 * One entropy source's way from raw bytes to full-entropy blocks:
 *
 *   open → start-up tests (SP 800-90B §4.3, ≥ 1024 samples) → healthy:
 *   every raw chunk through the RCT and APT (§4.4) → 2,500-byte blocks
 *   through the FIPS 140-2 battery → SHA-256 conditioning → blocks.
 *
 * Failure policy (docs/entropy.md):
 *  - An RCT or APT failure quarantines the source at once: every byte not
 *    yet conditioned is dropped, a failure event is raised (the service logs
 *    a signed `health` record and stops issuing), and the source returns only
 *    after passing start-up tests again on fresh samples.
 *  - A FIPS 140-2 block failure drops that block (as rngd does); three failed
 *    blocks in a row — odds about 5·10^-10 for a good source — quarantine.
 *  - A disconnect is a failure too; the channel reopens with backoff and
 *    runs start-up tests before anything is used.
 *  - Intermittent versus persistent: each quarantine doubles the wait before
 *    the next start-up attempt (up to maxBackoffMs); a source that then runs
 *    clean for an hour is back to the shortest wait.
 */

import { EventEmitter } from 'node:events';
import {
  FIPS140_BLOCK_BYTES, Fips140Battery, HealthMonitor, startupByteCount, startupTest,
  type EntropySource, type HealthFailure,
} from '@rngseal/drivers';
import { concatBytes } from '@rngseal/verifier';
import { Conditioner } from './conditioner.js';

export type ChannelState = 'closed' | 'connecting' | 'startup' | 'healthy' | 'quarantined';

export interface ChannelFailure {
  source: string;
  /** RCT, APT, FIPS140-2, STARTUP-RCT, STARTUP-APT, DISCONNECT, OPEN */
  test: string;
  detail: string;
  /** Samples the test had seen when it failed, where it applies. */
  sampleIndex?: number;
}

export interface ChannelOptions {
  alpha?: number;
  /** Full-entropy blocks to keep ready. */
  target?: number;
  maxBackoffMs?: number;
  readChunk?: number;
  /** A read that brings nothing for this long is a stalled device: a failure. */
  stallMs?: number;
}

interface ChannelEvents {
  failure: [ChannelFailure];
  healthy: [string];
}

const FIPS_QUARANTINE_STREAK = 3;
const CLEAN_RESET_MS = 3_600_000;

export class SourceChannel extends EventEmitter<ChannelEvents> {
  readonly name: string;
  #state: ChannelState = 'closed';
  #lastFailure: ChannelFailure | null = null;
  #blocks: Uint8Array[] = [];
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #backoff: number;
  #healthySince = 0;
  #lost: Error | null = null;
  readonly #conditioner: Conditioner;
  readonly #params: { sampleBits: 1 | 8; H: number; alpha?: number };
  readonly #target: number;
  readonly #maxBackoff: number;
  readonly #readChunk: number;
  readonly #stallMs: number;
  /** Raw bytes the continuous tests have passed since the last (re)start. */
  samplesTested = 0;
  fipsBlocks = { passed: 0, failed: 0 };

  constructor(readonly source: EntropySource, options: ChannelOptions = {}) {
    super();
    const id = source.identity;
    this.name = id.path ? `${id.kind}:${id.path}` : id.kind;
    this.#params = { sampleBits: source.sampleBits, H: source.minEntropy, ...(options.alpha ? { alpha: options.alpha } : {}) };
    this.#conditioner = new Conditioner((source.minEntropy * 8) / source.sampleBits);
    this.#target = options.target ?? 8;
    this.#maxBackoff = options.maxBackoffMs ?? 30_000;
    this.#readChunk = options.readChunk ?? 4096;
    this.#stallMs = options.stallMs ?? 10_000;
    this.#backoff = 50;
  }

  get state(): ChannelState {
    return this.#state;
  }

  get lastFailure(): ChannelFailure | null {
    return this.#lastFailure;
  }

  get available(): number {
    return this.#blocks.length;
  }

  /** Takes one conditioned 32-byte block, or null when none is ready. */
  take(): Uint8Array | null {
    if (this.#state !== 'healthy') return null;
    const block = this.#blocks.shift() ?? null;
    if (this.#blocks.length < this.#target) this.#poke();
    return block;
  }

  start(): void {
    this.#running = true;
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#poke();
    await this.#loop;
    this.#loop = null;
    await this.source.close().catch(() => {});
    this.#state = 'closed';
  }

  async #run(): Promise<void> {
    // A device can go while the channel idles with its blocks full: note it, and wake the loop.
    const onDisconnect = (err: Error) => {
      this.#lost = err;
      this.#poke();
    };
    this.source.on?.('disconnect', onDisconnect);
    while (this.#running) {
      try {
        this.#state = 'connecting';
        this.#lost = null;
        await this.source.open();
        const monitor = await this.#startup();
        this.#enterHealthy();
        await this.#serve(monitor);
      } catch (err) {
        if (!this.#running) break;
        this.#quarantine(err instanceof FailureSignal ? err.failure : { source: this.name, test: 'DISCONNECT', detail: (err as Error).message });
        await this.source.close().catch(() => {});
        await this.#sleep(this.#backoff);
        this.#backoff = Math.min(this.#backoff * 2, this.#maxBackoff);
      }
    }
    this.source.off?.('disconnect', onDisconnect);
  }

  async #startup(): Promise<HealthMonitor> {
    this.#state = 'startup';
    const needed = startupByteCount(this.source.sampleBits);
    const raw = await this.#readExactly(needed);
    const result = startupTest(raw, this.#params);
    if (!result.passed) throw new FailureSignal(this.#healthFailure(result.failure!, 'STARTUP-'));
    return result.monitor;
  }

  async #serve(monitor: HealthMonitor): Promise<void> {
    const fips = new Fips140Battery();
    let pending: Uint8Array = new Uint8Array(0);
    let fipsStreak = 0;
    this.samplesTested = 0;
    while (this.#running) {
      if (this.#lost) throw this.#lost;
      if (this.#blocks.length >= this.#target) {
        await this.#idle();
        continue;
      }
      const chunk = await this.#read(this.#readChunk);
      const failure = monitor.feed(chunk);
      if (failure) throw new FailureSignal(this.#healthFailure(failure, ''));
      this.samplesTested += (chunk.length * 8) / this.source.sampleBits;
      pending = concatBytes(pending, chunk);
      while (pending.length >= FIPS140_BLOCK_BYTES) {
        const block = pending.subarray(0, FIPS140_BLOCK_BYTES);
        pending = pending.slice(FIPS140_BLOCK_BYTES);
        if (fips.testBlock(block).passed) {
          fipsStreak = 0;
          this.fipsBlocks.passed++;
          this.#blocks.push(...this.#conditioner.absorb(block));
        } else {
          this.fipsBlocks.failed++;
          if (++fipsStreak >= FIPS_QUARANTINE_STREAK) {
            throw new FailureSignal({ source: this.name, test: 'FIPS140-2', detail: `${fipsStreak} consecutive 20,000-bit blocks failed the FIPS 140-2 battery` });
          }
        }
      }
      if (Date.now() - this.#healthySince > CLEAN_RESET_MS) this.#backoff = 50;
    }
  }

  #enterHealthy(): void {
    this.#state = 'healthy';
    this.#healthySince = Date.now();
    this.emit('healthy', this.name);
  }

  #quarantine(failure: ChannelFailure): void {
    this.#state = 'quarantined';
    this.#lastFailure = failure;
    this.#blocks = [];
    this.#conditioner.discard();
    this.emit('failure', failure);
  }

  #healthFailure(f: HealthFailure, prefix: string): ChannelFailure {
    return {
      source: this.name,
      test: `${prefix}${f.test}`,
      detail: `${f.test} failed at sample ${f.sampleIndex}: count ${f.observed} reached the cutoff ${f.cutoff} (value ${f.value})`,
      sampleIndex: f.sampleIndex,
    };
  }

  async #readExactly(n: number): Promise<Uint8Array> {
    let out: Uint8Array = new Uint8Array(0);
    while (out.length < n) out = concatBytes(out, await this.#read(n - out.length));
    return out;
  }

  /** A read that must bring bytes within stallMs; a hung device is a failure, not a wait. */
  async #read(max: number): Promise<Uint8Array> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FailureSignal({ source: this.name, test: 'STALL', detail: `no data for ${this.#stallMs} ms` })),
        this.#stallMs,
      );
    });
    try {
      return await Promise.race([this.source.read(max), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** Carries a health failure out of the serving loop. */
class FailureSignal extends Error {
  constructor(readonly failure: ChannelFailure) {
    super(failure.detail);
  }
}
