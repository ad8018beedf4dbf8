/**
 * @module fairness
 * Commit–reveal and outcome recomputation (docs/PROTOCOL.md §Fairness).
 *
 * Seeded epoch: commitment = SHA-256(serverSeed) is logged before any use;
 * each draw's bytes come from HMAC keyed by the secret seed (derive.ts), so
 * nothing published before the reveal predicts an outcome. Direct draw: the
 * 32 fresh entropy bytes are the key and sit in the outcome record itself.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { sameCanonical, type Json } from './canonical.js';
import { toHex } from './bytes.js';
import { deriveStream, nobleMac, type Mac } from './derive.js';
import { VerifyError } from './errors.js';
import { mappingById } from './mappings/index.js';
import type { Params } from './mappings/mapping.js';

export const SEED_BYTES = 32;

/** Hex SHA-256 of the server seed, published in the `commit` record. */
export function commitmentOf(seed: Uint8Array): string {
  if (seed.length !== SEED_BYTES) throw new RangeError(`seed: expected ${SEED_BYTES} bytes`);
  return toHex(sha256(seed));
}

export interface DrawSpec {
  /** Versioned mapping id (`dice@1`). */
  mapping: string;
  params: Params;
}

export interface Draw extends DrawSpec {
  nonce: number;
  result: Json;
}

/** Computes draws with consecutive nonces from `firstNonce`. Specs must be valid. */
export function computeDraws(key: Uint8Array, clientSeed: string, firstNonce: number, specs: DrawSpec[], mac: Mac = nobleMac): Draw[] {
  return specs.map((spec, i) => {
    const mapping = mappingById(spec.mapping);
    if (!mapping) throw new RangeError(`mapping: unknown ${spec.mapping}`);
    const nonce = firstNonce + i;
    const result = mapping.run(deriveStream(key, clientSeed, nonce, mac), spec.params);
    return { mapping: spec.mapping, params: spec.params, nonce, result };
  });
}

/**
 * Recomputes recorded draws and compares them with what the record says.
 * @throws VerifyError OUTCOME naming the draw that differs
 */
export function checkDraws(key: Uint8Array, clientSeed: string, draws: Draw[], seq?: number, mac: Mac = nobleMac): void {
  draws.forEach((draw, i) => {
    const mapping = mappingById(draw.mapping);
    if (!mapping) throw new VerifyError('OUTCOME', `draw ${i}: unknown mapping ${draw.mapping}`, seq);
    const problem = mapping.validate(draw.params);
    if (problem) throw new VerifyError('OUTCOME', `draw ${i}: params.${problem}`, seq);
    const expected = mapping.run(deriveStream(key, clientSeed, draw.nonce, mac), draw.params);
    if (!sameCanonical(expected, draw.result)) {
      throw new VerifyError('OUTCOME', `draw ${i} (${draw.mapping}, nonce ${draw.nonce}): result does not match the recomputation`, seq);
    }
  });
}
