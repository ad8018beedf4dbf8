/**
 * @module drbg
 * The SP 800-90A Rev.1 CTR_DRBG (AES-256) that turns conditioned entropy
 * into the output game outcomes are drawn from.
 */

export { CtrDrbg, type CtrDrbgOptions, MAX_REQUEST_BYTES, MAX_RESEED_INTERVAL, SEED_BYTES } from './ctr-drbg.js';
export { blockCipherDf } from './block-cipher-df.js';
export { generateBytes } from './generate-bytes.js';
export { ReseedRequiredError } from './reseed-required.js';
