/**
 * @module source
 * The one interface every entropy source implements, from a USB noise
 * generator to the kernel's hwrng to node:crypto. The service's entropy
 * pipeline (health tests → conditioning → DRBG) reads raw chunks from it and
 * never needs to know which device it is.
 *
 * Hardware sources can vanish (USB unplug, pty hang-up). They extend
 * `EventedSource` and emit `'disconnect'` with a SourceError the moment they
 * notice, reject every pending and later read with that error, and accept
 * `open()` again once the device is back: the pipeline reconnects with backoff.
 */

import { EventEmitter } from 'node:events';

/** What a source is, recorded in the signed boot record and in health records. */
export interface SourceIdentity {
  /** Driver kind: `os`, `serial`, `hid`, `hwrng`, `sim`. */
  readonly kind: string;
  /** Device path or spec, when there is one. */
  readonly path?: string;
  /** USB vendor:product as 4-hex-digit pairs (`04d8:f5fe`). */
  readonly usb?: string;
  readonly serial?: string;
  readonly firmware?: string;
  /** Human-readable model or driver description. */
  readonly description: string;
}

export interface EntropySource {
  readonly identity: SourceIdentity;
  /** Bits per raw sample: 8 for byte-oriented devices, 1 for bit streams. */
  readonly sampleBits: 1 | 8;
  /** Claimed min-entropy per sample (SP 800-90B H), 0 < H ≤ sampleBits. */
  readonly minEntropy: number;
  /** Opens the device; throws SourceError naming device and fault. */
  open(): Promise<void>;
  /**
   * Reads at least one and at most `max` raw bytes. Rejects with SourceError
   * when the device fails or disappears; never resolves with an empty chunk.
   */
  read(max: number): Promise<Uint8Array>;
  close(): Promise<void>;
  /**
   * Subscribes to disconnects, for sources that can tell (every hardware
   * driver here does). Optional so plain sources (OsSource, test doubles)
   * still satisfy the interface.
   */
  on?(event: 'disconnect', listener: (error: SourceError) => void): unknown;
  off?(event: 'disconnect', listener: (error: SourceError) => void): unknown;
}

export type SourceFault = 'OPEN' | 'READ' | 'DISCONNECTED' | 'CONFIG';

/** A source failure. The message names the device and the fault. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly fault: SourceFault,
    readonly device: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${device}: ${message}`, options);
  }
}

/** Events a source emits: only 'disconnect', once per lost connection. */
export interface SourceEvents {
  disconnect: [error: SourceError];
}

/**
 * Base class for sources that can lose their device. Subclasses call
 * `lost()` once per connection when it goes away; `open()` after that must
 * try the device again (and throw SourceError OPEN while it is absent).
 */
export abstract class EventedSource extends EventEmitter<SourceEvents> implements EntropySource {
  abstract readonly identity: SourceIdentity;
  abstract readonly sampleBits: 1 | 8;
  abstract readonly minEntropy: number;
  abstract open(): Promise<void>;
  abstract read(max: number): Promise<Uint8Array>;
  abstract close(): Promise<void>;

  /** The device name used in SourceError: `kind:path`, or the kind alone. */
  get deviceName(): string {
    return this.identity.path ? `${this.identity.kind}:${this.identity.path}` : this.identity.kind;
  }

  /** Emits 'disconnect'; never throws, even with no listener. */
  protected announceDisconnect(error: SourceError): void {
    this.emit('disconnect', error);
  }
}

/** Runs reads one at a time, in call order: a device answers one request before the next is sent. */
export class ReadQueue {
  #last: Promise<unknown> = Promise.resolve();

  run<T>(read: () => Promise<T>): Promise<T> {
    const result = this.#last.then(read);
    this.#last = result.catch(() => {}); // a failed read does not block the ones behind it
    return result;
  }
}

/** Rejects a read size that is not a positive integer (as OsSource does). */
export function checkReadSize(max: number): void {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max: must be a positive integer, got ${max}`);
}

/** Checks a claimed min-entropy against the sample width; throws CONFIG. */
export function checkEntropyClaim(device: string, H: number, sampleBits: 1 | 8): number {
  if (!Number.isFinite(H) || H <= 0 || H > sampleBits) {
    throw new SourceError('CONFIG', device, `min-entropy claim h=${H} is outside (0, ${sampleBits}] bits per ${sampleBits}-bit sample`);
  }
  return H;
}
