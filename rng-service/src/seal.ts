/**
 * @module seal
 * Server seeds at rest. A database dump or backup must not reveal seeds of
 * open epochs, so they are stored under AES-256-GCM with a key derived from
 * the signing key, bound to their epoch id.
 */

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SeedSealer {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError('key: expected 32 bytes');
    this.#key = key;
  }

  seal(epoch: string, seed: Uint8Array): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(epoch));
    const body = Buffer.concat([cipher.update(seed), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]));
  }

  /** @throws Error when the sealed seed was altered or sealed under another key or epoch */
  open(epoch: string, sealed: Uint8Array): Uint8Array {
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(epoch)).setAuthTag(tag);
    const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
    } catch {
      throw new Error(`sealed seed of epoch ${epoch} does not open with this key`);
    }
  }
}
