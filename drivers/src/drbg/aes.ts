/**
 * @module drbg/aes
 * The AES-256 primitives CTR_DRBG is built from (SP 800-90A Rev.1 §10.2.1,
 * Block_Encrypt), on node:crypto / OpenSSL:
 * - single blocks and short block runs through AES-256-ECB, no padding;
 * - bulk output through AES-256-CTR. OpenSSL's CTR mode increments the whole
 *   16-byte IV as one 128-bit big-endian counter, mod 2^128, which is
 *   exactly CTR_DRBG's "V = (V + 1) mod 2^blocklen" with ctr_len = blocklen
 *   (§10.2.1.5.1 step 4.1): encrypting zeros from IV = V + 1 yields
 *   Block_Encrypt(Key, V + 1) ‖ Block_Encrypt(Key, V + 2) ‖ …
 */

import { type Cipher, createCipheriv } from 'node:crypto';

export const KEY_BYTES = 32;
export const BLOCK_BYTES = 16;

/** Zeros for the keystream; never written. 4096 blocks: one maximal request. */
const ZEROS = new Uint8Array(65536);

/** An AES-256-ECB encryptor without padding; feed it whole blocks only. */
export function ecbEncryptor(key: Uint8Array): Cipher {
  const cipher = createCipheriv('aes-256-ecb', key, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/** Adds `n` (0 ≤ n < 2^53) to the 128-bit big-endian counter `v`, in place, mod 2^128. */
export function addToCounter(v: Uint8Array, n: number): void {
  let carry = n;
  for (let i = BLOCK_BYTES - 1; i >= 0 && carry > 0; i--) {
    const sum = v[i]! + (carry % 256);
    v[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >>> 8);
  }
}

/**
 * Block_Encrypt(key, V + 1) ‖ … ‖ Block_Encrypt(key, V + blocks) through
 * AES-256-CTR. Does not touch `v`; the caller advances it by `blocks`.
 */
export function counterKeystream(key: Uint8Array, v: Uint8Array, blocks: number): Buffer {
  const iv = new Uint8Array(v);
  addToCounter(iv, 1);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const bytes = blocks * BLOCK_BYTES;
  const out =
    bytes <= ZEROS.length
      ? cipher.update(ZEROS.subarray(0, bytes))
      : cipher.update(new Uint8Array(bytes));
  cipher.final();
  iv.fill(0);
  return out;
}
