/**
 * @module drbg/reseed-required
 * SP 800-90A Rev.1 §9.3.1 step 7 / §10.2.1.5 step 1: once reseed_counter
 * exceeds reseed_interval, Generate returns "reseed required" instead of
 * output. Without prediction resistance nothing reseeds automatically, so
 * the caller gets this error and must call reseed() with fresh entropy.
 */

export class ReseedRequiredError extends Error {
  override readonly name = 'ReseedRequiredError';

  /** @param requestsServed generate requests since the last instantiate or reseed. */
  constructor(readonly requestsServed: number) {
    super(`CTR_DRBG: reseed required after ${requestsServed} generate requests (reseed_interval reached)`);
  }
}
