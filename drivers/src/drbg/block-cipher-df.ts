/**
 * @module drbg/block-cipher-df
 * Block_Cipher_df and BCC, SP 800-90A Rev.1 §10.3.2 and §10.3.3, for
 * AES-256 (keylen = 256, outlen = 128). CTR_DRBG's derivation function
 * compresses entropy input, nonce, personalization string or additional
 * input of any length into exactly seedlen = 384 bits.
 */

import { BLOCK_BYTES, KEY_BYTES, ecbEncryptor } from './aes.js';

/** §10.3.2: max_number_of_bits that Block_Cipher_df may return. */
const MAX_OUTPUT_BYTES = 64;

/** §10.3.2 step 8: K = leftmost(0x00010203…1D1E1F, keylen). */
const DF_KEY = Uint8Array.from({ length: KEY_BYTES }, (_, i) => i);

/**
 * Block_Cipher_df(input_string, no_of_bits_to_return) with the input given
 * as the concatenation of `parts` (so callers need not copy entropy input,
 * nonce and personalization string into one buffer first).
 */
export function blockCipherDf(parts: readonly Uint8Array[], outputBytes: number): Uint8Array {
  if (!Number.isSafeInteger(outputBytes) || outputBytes < 1 || outputBytes > MAX_OUTPUT_BYTES) {
    throw new RangeError(`outputBytes: must be 1..${MAX_OUTPUT_BYTES}, got ${outputBytes}`);
  }
  const s = encodeS(parts, outputBytes);
  // Steps 9–11: temp = BCC(K, IV_0 ‖ S) ‖ BCC(K, IV_1 ‖ S) ‖ …, until keylen + outlen bits.
  const temp = new Uint8Array(KEY_BYTES + BLOCK_BYTES);
  const ivAndS = new Uint8Array(BLOCK_BYTES + s.length);
  ivAndS.set(s, BLOCK_BYTES);
  for (let i = 0, at = 0; at < temp.length; i++, at += BLOCK_BYTES) {
    new DataView(ivAndS.buffer).setUint32(0, i); // IV = i as 32 bits ‖ 0^(outlen − 32)
    const chained = bcc(DF_KEY, ivAndS);
    temp.set(chained, at);
    chained.fill(0);
  }
  // Steps 10–14: K = leftmost(temp, keylen), X = next outlen bits; X = E(K, X) repeatedly.
  const encrypt = ecbEncryptor(temp.subarray(0, KEY_BYTES));
  let x: Uint8Array = temp.subarray(KEY_BYTES);
  const out = new Uint8Array(Math.ceil(outputBytes / BLOCK_BYTES) * BLOCK_BYTES);
  for (let at = 0; at < out.length; at += BLOCK_BYTES) {
    const next = encrypt.update(x);
    out.set(next, at);
    x.fill(0); // the first X lives in temp, the later ones are update()'s copies
    x = next;
  }
  x.fill(0);
  temp.fill(0);
  s.fill(0);
  ivAndS.fill(0);
  return out.length === outputBytes ? out : out.slice(0, outputBytes);
}

/** Steps 2–5: S = L ‖ N ‖ input_string ‖ 0x80, zero-padded to a whole number of blocks. */
function encodeS(parts: readonly Uint8Array[], outputBytes: number): Uint8Array {
  const inputBytes = parts.reduce((sum, p) => sum + p.length, 0);
  // L is a 32-bit byte count (§10.3.2 step 2).
  if (inputBytes > 0xffffffff) throw new RangeError(`input: at most 2^32 − 1 bytes, got ${inputBytes}`);
  const unpadded = 8 + inputBytes + 1;
  const s = new Uint8Array(Math.ceil(unpadded / BLOCK_BYTES) * BLOCK_BYTES);
  const view = new DataView(s.buffer);
  view.setUint32(0, inputBytes);
  view.setUint32(4, outputBytes);
  let at = 8;
  for (const p of parts) {
    s.set(p, at);
    at += p.length;
  }
  s[at] = 0x80;
  return s;
}

/**
 * BCC(Key, data), §10.3.3: CBC-MAC with a zero IV, chaining_value =
 * Block_Encrypt(Key, chaining_value ⊕ block_i) over the blocks of `data`.
 */
function bcc(key: Uint8Array, data: Uint8Array): Uint8Array {
  const encrypt = ecbEncryptor(key);
  let chaining: Uint8Array = new Uint8Array(BLOCK_BYTES);
  const input = new Uint8Array(BLOCK_BYTES);
  for (let at = 0; at < data.length; at += BLOCK_BYTES) {
    for (let j = 0; j < BLOCK_BYTES; j++) input[j] = chaining[j]! ^ data[at + j]!;
    chaining.fill(0);
    chaining = encrypt.update(input);
  }
  input.fill(0);
  return chaining;
}
