/**
 * @module drbg/generate-bytes
 * Requests larger than max_number_of_bits_per_request (2^19 bits for
 * CTR_DRBG, SP 800-90A Rev.1 §10.2.1 Table 3) split into several Generate
 * calls. SP 800-90A forbids one Generate call from returning more; a
 * sequence of calls is allowed, and each ends with CTR_DRBG_Update, so
 * compromise of the state after the last call reveals none of the earlier
 * chunks (backtracking resistance holds chunk by chunk).
 *
 * The additional input, when given, goes to every call, as OpenSSL's
 * EVP_RAND_generate does when it splits a request: each chunk is then bound
 * to it. Every call counts toward the reseed interval.
 */

import { type CtrDrbg, MAX_REQUEST_BYTES } from './ctr-drbg.js';

export function generateBytes(drbg: CtrDrbg, nBytes: number, additionalInput?: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(nBytes) || nBytes < 1) {
    throw new RangeError(`nBytes: must be a positive integer, got ${nBytes}`);
  }
  if (nBytes <= MAX_REQUEST_BYTES) return drbg.generate(nBytes, additionalInput);
  const out = new Uint8Array(nBytes);
  for (let at = 0; at < nBytes; at += MAX_REQUEST_BYTES) {
    const chunk = drbg.generate(Math.min(MAX_REQUEST_BYTES, nBytes - at), additionalInput);
    out.set(chunk, at);
    chunk.fill(0);
  }
  return out;
}
