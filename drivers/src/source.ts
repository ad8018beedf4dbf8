/**
 * @module source
 * The one interface every entropy source implements, from a USB noise
 * generator to the kernel's hwrng to node:crypto. The service's entropy
 * pipeline (health tests → conditioning → DRBG) reads raw chunks from it and
 * never needs to know which device it is.
 */

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
