/**
 * @module entropy/conditioner
 * SP 800-90B §3.1.5.1.1 vetted conditioning: SHA-256 over raw samples that
 * passed the health tests. A 256-bit output counts as full entropy once its
 * input carries at least 256 + 64 bits of claimed min-entropy (§3.1.5.1.2),
 * so the conditioner absorbs raw bytes until their credit reaches that.
 */

import { createHash, type Hash } from 'node:crypto';

export const CONDITIONED_BYTES = 32;
const CREDIT_NEEDED = 8 * CONDITIONED_BYTES + 64;

export class Conditioner {
  #hash: Hash = createHash('sha256');
  #absorbed = 0;

  /** `bitsPerByte` = claimed min-entropy per raw byte: H × (8 / sampleBits). */
  constructor(private readonly bitsPerByte: number) {
    if (!(bitsPerByte > 0 && bitsPerByte <= 8)) throw new RangeError(`bitsPerByte: must be in (0, 8], got ${bitsPerByte}`);
  }

  /** Raw bytes needed for one output block at this claim. */
  get bytesPerBlock(): number {
    return Math.ceil(CREDIT_NEEDED / this.bitsPerByte);
  }

  /** Absorbs healthy raw bytes; returns the full-entropy blocks they complete. */
  absorb(raw: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const per = this.bytesPerBlock;
    let offset = 0;
    while (offset < raw.length) {
      const take = Math.min(per - this.#absorbed, raw.length - offset);
      this.#hash.update(raw.subarray(offset, offset + take));
      this.#absorbed += take;
      offset += take;
      if (this.#absorbed === per) {
        out.push(new Uint8Array(this.#hash.digest()));
        this.discard();
      }
    }
    return out;
  }

  /** Drops a partly absorbed block (after a health failure nothing pending may be used). */
  discard(): void {
    this.#hash = createHash('sha256');
    this.#absorbed = 0;
  }
}
