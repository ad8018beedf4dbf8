/**
 * @module sim
 * A simulated noise source for tests and demos: a deterministic byte stream
 * (SHA-256 in counter mode over the seed — the same seed always gives the
 * same bytes, so a test can predict every byte) at a configurable rate, with
 * the failures real devices have, injected at a byte offset:
 *
 * - `stuck`      — from offset `at`, every byte is `value` (a stuck ADC).
 * - `bias`       — from `at`, each byte is 0x00 with probability `p` (a
 *                  drifting comparator): the APT sees 0x00 far too often.
 * - `repeat`     — from `at`, the `block` bytes before `at` repeat forever
 *                  (a stuck buffer).
 * - `stall`      — nothing after `at`: reads wait (a hung firmware).
 * - `disconnect` — after `at` bytes the device "unplugs": 'disconnect' is
 *                  emitted, reads reject, open() fails until `reappear` ms
 *                  later (never, if absent); the stream then resumes at `at`.
 *
 * It is not random and says so in its identity; serve it on a real
 * pseudo-terminal with sim-pty to drive the serial driver end to end.
 */

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventedSource, ReadQueue, SourceError, checkEntropyClaim, checkReadSize, type SourceIdentity } from './source.js';

export type SimFault = 'none' | 'stuck' | 'bias' | 'repeat' | 'stall' | 'disconnect';

export const SIM_FAULTS: readonly SimFault[] = ['none', 'stuck', 'bias', 'repeat', 'stall', 'disconnect'];

export interface SimOptions {
  /** Seed of the deterministic stream. Default '0'. */
  seed?: string | number;
  /** Bytes per second; 0 (default) is unlimited. */
  rate?: number;
  fault?: SimFault;
  /** Stream offset where the fault starts (for disconnect: bytes before it). Default 4096. */
  at?: number;
  /** stuck: the stuck byte. Default 0x00. */
  value?: number;
  /** bias: probability that a byte is forced to 0x00. Default 0.5. */
  p?: number;
  /** repeat: length of the repeating block. Default 16. */
  block?: number;
  /** disconnect: the device is back this many ms after unplugging. */
  reappear?: number;
  /** Claimed min-entropy per byte. Default 8 (the unfaulted stream is SHA-256 output). */
  minEntropy?: number;
}

const HASH_BYTES = 32;

export class SimSource extends EventedSource {
  readonly sampleBits = 8 as const;
  readonly minEntropy: number;
  readonly identity: SourceIdentity;
  readonly options: Readonly<Required<Omit<SimOptions, 'reappear'>>> & { readonly reappear?: number };
  #offset = 0;
  #state: 'closed' | 'open' | 'disconnected' = 'closed';
  #fault: SourceError | null = null;
  #unpluggedAt = 0;
  #disconnected = false;
  #tokens = 0;
  #lastRefill = 0;
  readonly #reads = new ReadQueue();
  #abort = new AbortController();

  constructor(options: SimOptions = {}) {
    super();
    this.options = withDefaults(options);
    this.identity = { kind: 'sim', path: describe(this.options), description: `simulator (deterministic SHA-256 stream, NOT random): ${describe(this.options)}` };
    validate(this.options, this.deviceName);
    this.minEntropy = checkEntropyClaim(this.deviceName, this.options.minEntropy, 8);
  }

  /** Bytes delivered so far (the stream offset of the next byte). */
  get offset(): number {
    return this.#offset;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state === 'disconnected') {
      const back = this.options.reappear;
      const gone = Date.now() - this.#unpluggedAt;
      if (back === undefined || gone < back) throw new SourceError('OPEN', this.deviceName, `device absent (unplugged ${gone} ms ago)`);
    }
    this.#state = 'open';
    this.#fault = null;
    this.#abort = new AbortController();
    this.#tokens = 0;
    this.#lastRefill = performance.now();
  }

  read(max: number): Promise<Uint8Array> {
    checkReadSize(max);
    return this.#reads.run(() => this.#readOnce(max));
  }

  async close(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closed';
    this.#fault = null;
    this.#abort.abort(new SourceError('READ', this.deviceName, 'source closed'));
  }

  /** The bytes the stream holds at [offset, offset + length), faults applied. */
  bytesAt(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.#byteAt(offset + i);
    return out;
  }

  async #readOnce(max: number): Promise<Uint8Array> {
    this.#check();
    const { fault, at } = this.options;
    const signal = this.#abort.signal;
    if ((fault === 'stall' || (fault === 'disconnect' && !this.#disconnected)) && this.#offset >= at) {
      // Stalled, or about to unplug: wait for close()/the disconnect to reject us.
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    let n = Math.min(max, 1 << 16);
    if (fault === 'stall' || (fault === 'disconnect' && !this.#disconnected)) n = Math.min(n, at - this.#offset);
    n = await this.#throttle(n, signal);
    this.#check();
    const out = this.bytesAt(this.#offset, n);
    this.#offset += n;
    if (fault === 'disconnect' && !this.#disconnected && this.#offset >= at) setImmediate(() => this.#unplug());
    return out;
  }

  /** Token bucket: waits until at least one byte may go, returns how many. */
  async #throttle(n: number, signal: AbortSignal): Promise<number> {
    const rate = this.options.rate;
    if (rate === 0) return n;
    const burst = Math.max(1, rate / 20);
    for (;;) {
      const now = performance.now();
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#lastRefill) / 1000) * rate);
      this.#lastRefill = now;
      if (this.#tokens >= 1) break;
      await sleep(Math.max(1, ((1 - this.#tokens) / rate) * 1000), undefined, { signal }).catch(() => {
        throw signal.reason;
      });
    }
    const take = Math.min(n, Math.floor(this.#tokens));
    this.#tokens -= take;
    return take;
  }

  #check(): void {
    if (this.#state !== 'open') throw this.#fault ?? new SourceError('READ', this.deviceName, 'not open');
  }

  #unplug(): void {
    if (this.#state !== 'open' || this.#disconnected) return;
    this.#disconnected = true;
    this.#state = 'disconnected';
    this.#unpluggedAt = Date.now();
    const error = new SourceError('DISCONNECTED', this.deviceName, `device disconnected after ${this.#offset} bytes (simulated unplug)`);
    this.#fault = error;
    this.#abort.abort(error);
    this.announceDisconnect(error);
  }

  #byteAt(offset: number): number {
    const { fault, at, value, p, block } = this.options;
    if (offset < at) return this.#base('data', offset);
    switch (fault) {
      case 'stuck':
        return value;
      case 'bias':
        return this.#base('bias', offset) < p * 256 ? 0x00 : this.#base('data', offset);
      case 'repeat':
        return this.#base('data', at - block + ((offset - at) % block));
      default:
        return this.#base('data', offset);
    }
  }

  readonly #memo: Record<'data' | 'bias', { index: number; block: Uint8Array }> = {
    data: { index: -1, block: new Uint8Array(HASH_BYTES) },
    bias: { index: -1, block: new Uint8Array(HASH_BYTES) },
  };

  /** Byte `offset` of SHA-256(label ‖ seed ‖ block index) in counter mode. */
  #base(label: 'data' | 'bias', offset: number): number {
    const index = Math.floor(offset / HASH_BYTES);
    const memo = this.#memo[label];
    if (memo.index !== index) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(index));
      memo.block = createHash('sha256').update(`rngseal-sim/${label}/${this.options.seed}/`).update(counter).digest();
      memo.index = index;
    }
    return memo.block[offset % HASH_BYTES]!;
  }
}

function withDefaults(o: SimOptions): SimSource['options'] {
  return {
    seed: o.seed ?? '0',
    rate: o.rate ?? 0,
    fault: o.fault ?? 'none',
    at: o.at ?? 4096,
    value: o.value ?? 0x00,
    p: o.p ?? 0.5,
    block: o.block ?? 16,
    minEntropy: o.minEntropy ?? 8,
    ...(o.reappear !== undefined && { reappear: o.reappear }),
  };
}

function validate(o: SimSource['options'], device: string): void {
  const bad = (msg: string) => new SourceError('CONFIG', device, msg);
  if (!SIM_FAULTS.includes(o.fault)) throw bad(`fault: unknown '${o.fault}' (${SIM_FAULTS.join(', ')})`);
  if (!(Number.isFinite(o.rate) && o.rate >= 0)) throw bad(`rate: must be ≥ 0 bytes/s, got ${o.rate}`);
  if (!(Number.isSafeInteger(o.at) && o.at >= 0)) throw bad(`at: must be a byte offset ≥ 0, got ${o.at}`);
  if (!(Number.isInteger(o.value) && o.value >= 0 && o.value <= 255)) throw bad(`value: must be a byte 0–255, got ${o.value}`);
  if (!(o.p >= 0 && o.p <= 1)) throw bad(`p: must be a probability 0–1, got ${o.p}`);
  if (!(Number.isSafeInteger(o.block) && o.block >= 1)) throw bad(`block: must be ≥ 1 byte, got ${o.block}`);
  if (o.fault === 'repeat' && o.block > o.at) throw bad(`repeat: block (${o.block}) must not exceed at (${o.at}): it repeats the bytes before at`);
  if (o.reappear !== undefined && !(Number.isFinite(o.reappear) && o.reappear >= 0)) throw bad(`reappear: must be ≥ 0 ms, got ${o.reappear}`);
}

function describe(o: SimSource['options']): string {
  const parts = [`seed=${o.seed}`];
  if (o.rate) parts.push(`rate=${o.rate}`);
  if (o.fault !== 'none') parts.push(`fault=${o.fault}`, `at=${o.at}`);
  if (o.fault === 'stuck') parts.push(`value=${o.value}`);
  if (o.fault === 'bias') parts.push(`p=${o.p}`);
  if (o.fault === 'repeat') parts.push(`block=${o.block}`);
  if (o.fault === 'disconnect' && o.reappear !== undefined) parts.push(`reappear=${o.reappear}`);
  return parts.join(',');
}
