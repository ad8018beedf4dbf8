/**
 * @module drbg/ctr-drbg
 * CTR_DRBG with AES-256, SP 800-90A Rev.1 §10.2.1, with or without the
 * derivation function (Block_Cipher_df, §10.3.2), without prediction
 * resistance: the service reseeds explicitly from its health-tested,
 * conditioned entropy, so generate() never asks for entropy itself.
 *
 * Parameters (§10.2.1 Table 3, AES-256): keylen 256, blocklen = ctr_len
 * = 128, seedlen 384, security strength 256, max_number_of_bits_per_request
 * 2^19 (65,536 bytes), reseed_interval ≤ 2^48. Larger requests are split by
 * generateBytes() (generate-bytes.ts), never by generate().
 *
 * Working state (Key, V) lives in Buffers that are overwritten with zeros
 * when replaced and on uninstantiate(). Copies inside OpenSSL's cipher
 * contexts (the expanded key schedule) are out of reach from JavaScript and
 * are left to the garbage collector.
 */

import { BLOCK_BYTES, KEY_BYTES, addToCounter, counterKeystream, ecbEncryptor } from './aes.js';
import { blockCipherDf } from './block-cipher-df.js';
import { ReseedRequiredError } from './reseed-required.js';

/** seedlen = keylen + blocklen = 384 bits. */
export const SEED_BYTES = KEY_BYTES + BLOCK_BYTES;
/** max_number_of_bits_per_request = 2^19 bits. */
export const MAX_REQUEST_BYTES = 2 ** 16;
/** The largest reseed_interval §10.2.1 allows: 2^48 requests. */
export const MAX_RESEED_INTERVAL = 2 ** 48;
/** security_strength = 256 bits: the least entropy input accepted with the df. */
const MIN_ENTROPY_BYTES = 32;
/** security_strength / 2: the least nonce length accepted (§8.6.7). */
const MIN_NONCE_BYTES = 16;

export interface CtrDrbgOptions {
  /** true: Block_Cipher_df (§10.2.1.3.2 etc.); false: full-entropy inputs of seedlen bits (§10.2.1.3.1 etc.). */
  readonly derivationFunction: boolean;
  /** Generate requests allowed between reseeds, 1..2^48; default 2^48. */
  readonly reseedInterval?: number;
}

export class CtrDrbg {
  readonly derivationFunction: boolean;
  readonly reseedInterval: number;
  private key: Buffer | null = null;
  private v: Buffer | null = null;
  private counter = 0;

  constructor(options: CtrDrbgOptions) {
    if (options === null || typeof options !== 'object' || typeof options.derivationFunction !== 'boolean') {
      throw new TypeError('options.derivationFunction: expected a boolean');
    }
    const interval = options.reseedInterval ?? MAX_RESEED_INTERVAL;
    if (!Number.isSafeInteger(interval) || interval < 1 || interval > MAX_RESEED_INTERVAL) {
      throw new RangeError(`options.reseedInterval: must be an integer in 1..2^48, got ${interval}`);
    }
    this.derivationFunction = options.derivationFunction;
    this.reseedInterval = interval;
  }

  get instantiated(): boolean {
    return this.key !== null;
  }

  /** reseed_counter: 1 after instantiate/reseed, one more after each generate. */
  get reseedCounter(): number {
    return this.counter;
  }

  /**
   * CTR_DRBG_Instantiate_algorithm (§10.2.1.3.1 no df, §10.2.1.3.2 df).
   * With the df: entropy input of ≥ 32 bytes, a nonce of ≥ 16 bytes and any
   * personalization string. Without: exactly 48 bytes of full-entropy input,
   * no nonce (§10.2.1.3.1 does not use one), personalization ≤ 48 bytes.
   */
  instantiate(entropyInput: Uint8Array, nonce?: Uint8Array, personalizationString?: Uint8Array): void {
    const perso = optionalBytes(personalizationString, 'personalizationString');
    const nonceBytes = optionalBytes(nonce, 'nonce');
    this.checkEntropyInput(entropyInput);
    let seedMaterial: Uint8Array;
    if (this.derivationFunction) {
      if (nonceBytes.length < MIN_NONCE_BYTES) {
        throw new RangeError(`nonce: needs ≥ ${MIN_NONCE_BYTES} bytes with the derivation function, got ${nonceBytes.length}`);
      }
      seedMaterial = blockCipherDf([entropyInput, nonceBytes, perso], SEED_BYTES);
    } else {
      if (nonceBytes.length !== 0) throw new RangeError('nonce: not used without the derivation function (§10.2.1.3.1)');
      seedMaterial = xorPadded(entropyInput, checkAtMostSeedlen(perso, 'personalizationString'));
    }
    this.uninstantiate();
    this.key = Buffer.alloc(KEY_BYTES);
    this.v = Buffer.alloc(BLOCK_BYTES);
    this.update(seedMaterial);
    seedMaterial.fill(0);
    this.counter = 1;
  }

  /**
   * CTR_DRBG_Reseed_algorithm (§10.2.1.4.1 no df, §10.2.1.4.2 df): fresh
   * entropy input (same length rules as instantiate) and optional
   * additional input (≤ 48 bytes without the df).
   */
  reseed(entropyInput: Uint8Array, additionalInput?: Uint8Array): void {
    this.requireInstantiated();
    const addin = optionalBytes(additionalInput, 'additionalInput');
    this.checkEntropyInput(entropyInput);
    const seedMaterial = this.derivationFunction
      ? blockCipherDf([entropyInput, addin], SEED_BYTES)
      : xorPadded(entropyInput, checkAtMostSeedlen(addin, 'additionalInput'));
    this.update(seedMaterial);
    seedMaterial.fill(0);
    this.counter = 1;
  }

  /**
   * CTR_DRBG_Generate_algorithm (§10.2.1.5.1 no df, §10.2.1.5.2 df), one
   * request of 1..65,536 bytes. An empty additional input counts as none.
   * @throws ReseedRequiredError once reseedInterval requests have been served.
   */
  generate(nBytes: number, additionalInput?: Uint8Array): Uint8Array {
    this.requireInstantiated();
    if (!Number.isSafeInteger(nBytes) || nBytes < 1 || nBytes > MAX_REQUEST_BYTES) {
      throw new RangeError(`nBytes: must be an integer in 1..${MAX_REQUEST_BYTES} (2^19 bits), got ${nBytes}`);
    }
    const addinIn = optionalBytes(additionalInput, 'additionalInput');
    // Step 1: reseed_counter > reseed_interval → "reseed required".
    if (this.counter > this.reseedInterval) throw new ReseedRequiredError(this.counter - 1);
    // Step 2: fold in the additional input, or use 0^seedlen for the final update.
    let addin: Uint8Array;
    if (addinIn.length === 0) {
      addin = new Uint8Array(SEED_BYTES);
    } else {
      addin = this.derivationFunction
        ? blockCipherDf([addinIn], SEED_BYTES)
        : xorPadded(new Uint8Array(SEED_BYTES), checkAtMostSeedlen(addinIn, 'additionalInput'));
      this.update(addin);
    }
    // Steps 3–5: V = V + 1, output Block_Encrypt(Key, V), … for every block; one CTR pass.
    const blocks = Math.ceil(nBytes / BLOCK_BYTES);
    const { key, v } = this.requireInstantiated(); // after update(), which replaces them
    const stream = counterKeystream(key, v, blocks);
    addToCounter(v, blocks);
    let out: Uint8Array = stream;
    if (stream.length !== nBytes) {
      out = Uint8Array.prototype.slice.call(stream, 0, nBytes);
      stream.fill(0); // the unused tail of the last block is keystream too
    }
    // Step 6: (Key, V) = CTR_DRBG_Update(additional_input, Key, V): backtracking resistance.
    this.update(addin);
    addin.fill(0);
    // Step 7.
    this.counter++;
    return out;
  }

  /** Zeroizes and drops the working state (§9.4). */
  uninstantiate(): void {
    this.key?.fill(0);
    this.v?.fill(0);
    this.key = null;
    this.v = null;
    this.counter = 0;
  }

  /**
   * CTR_DRBG_Update (§10.2.1.2): temp = E(Key, V+1) ‖ E(Key, V+2) ‖ E(Key, V+3),
   * temp ⊕= provided_data, Key = leftmost 256 bits, V = rightmost 128 bits.
   */
  private update(providedData: Uint8Array): void {
    const { key, v } = this.requireInstantiated();
    const counters = new Uint8Array(SEED_BYTES);
    for (let at = 0; at < SEED_BYTES; at += BLOCK_BYTES) {
      addToCounter(v, 1);
      counters.set(v, at);
    }
    const temp = ecbEncryptor(key).update(counters);
    for (let i = 0; i < SEED_BYTES; i++) temp[i]! ^= providedData[i]!;
    key.fill(0);
    v.fill(0);
    this.key = Buffer.from(temp.subarray(0, KEY_BYTES));
    this.v = Buffer.from(temp.subarray(KEY_BYTES, SEED_BYTES));
    temp.fill(0);
    counters.fill(0);
  }

  private requireInstantiated(): { key: Buffer; v: Buffer } {
    if (!this.key || !this.v) throw new Error('CtrDrbg: not instantiated');
    return { key: this.key, v: this.v };
  }

  private checkEntropyInput(entropyInput: Uint8Array): void {
    if (!(entropyInput instanceof Uint8Array)) throw new TypeError('entropyInput: expected a Uint8Array');
    if (this.derivationFunction) {
      if (entropyInput.length < MIN_ENTROPY_BYTES) {
        throw new RangeError(`entropyInput: needs ≥ ${MIN_ENTROPY_BYTES} bytes, got ${entropyInput.length}`);
      }
    } else if (entropyInput.length !== SEED_BYTES) {
      throw new RangeError(`entropyInput: must be exactly ${SEED_BYTES} bytes without the derivation function, got ${entropyInput.length}`);
    }
  }
}

function optionalBytes(value: Uint8Array | undefined, name: string): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
  return value;
}

function checkAtMostSeedlen(value: Uint8Array, name: string): Uint8Array {
  if (value.length > SEED_BYTES) {
    throw new RangeError(`${name}: at most ${SEED_BYTES} bytes without the derivation function, got ${value.length}`);
  }
  return value;
}

/** seedlen bytes of `full` ⊕ (`short` padded with zeros to seedlen), §10.2.1.3.1 steps 1–3. */
function xorPadded(full: Uint8Array, short: Uint8Array): Uint8Array {
  const out = new Uint8Array(full);
  for (let i = 0; i < short.length; i++) out[i]! ^= short[i]!;
  return out;
}
