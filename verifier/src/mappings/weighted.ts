/**
 * @module mappings/weighted
 * `weighted@1`: one index chosen with probability proportional to its
 * weight. r = uniform(sum of weights); the pick is the first index whose
 * running total exceeds r, so a zero weight is never picked.
 *
 * The list check and the pick are exported: `reels@1` picks each reel's
 * stop exactly this way.
 */

import { type ByteStream, uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkArray, checkShape, neverThrows } from './params.js';

export type WeightedParams = { weights: number[] };

const MAX_WEIGHTS = 10_000;

export const weighted: Mapping<WeightedParams, number> = {
  id: 'weighted@1',
  name: 'weighted',
  validate: neverThrows(
    (params) => checkShape(params, ['weights']) ?? checkWeights((params as WeightedParams).weights, 'weights'),
  ),
  cost: ({ weights }) => weights.length,
  run: (stream, { weights }) => pickWeighted(stream, weights),
};

/**
 * A weight list: 1 to 10000 non-negative safe integers, not all zero, whose
 * sum is at most 2^53 − 1 (so every running total is exact).
 */
export function checkWeights(value: unknown, field: string): string | null {
  const shape = checkArray(value, field, MAX_WEIGHTS);
  if (shape !== null) return shape;
  let sum = 0;
  for (const [i, w] of (value as unknown[]).entries()) {
    if (!Number.isSafeInteger(w) || (w as number) < 0) return `${field}[${i}]: must be a non-negative safe integer`;
    // Compared before adding, so an overflowing sum is caught before it rounds.
    if ((w as number) > Number.MAX_SAFE_INTEGER - sum) return `${field}: sum must not exceed 2^53 - 1`;
    sum += w as number;
  }
  return sum > 0 ? null : `${field}: at least one weight must be positive`;
}

/** The index picked from a valid weight list. */
export function pickWeighted(stream: ByteStream, weights: readonly number[]): number {
  const r = uniform(stream, weights.reduce((a, b) => a + b, 0));
  let total = 0;
  for (const [i, w] of weights.entries()) {
    total += w;
    if (total > r) return i;
  }
  throw new Error('unreachable: r is below the sum of the weights');
}
