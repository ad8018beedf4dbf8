/**
 * @module mappings/range
 * `range@1`: one integer from min to max inclusive, min + uniform(max − min + 1).
 */

import { uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkShape, neverThrows } from './params.js';

export type RangeParams = { min: number; max: number };

const MAX_SPAN = 2 ** 53;

export const range: Mapping<RangeParams, number> = {
  id: 'range@1',
  name: 'range',
  validate: neverThrows((params) => {
    const shape = checkShape(params, ['min', 'max']);
    if (shape !== null) return shape;
    const { min, max } = params as Record<string, unknown>;
    if (!Number.isSafeInteger(min)) return 'min: must be a safe integer';
    if (!Number.isSafeInteger(max)) return 'max: must be a safe integer';
    // BigInt because max − min can exceed 2^53 and round when the signs differ.
    const span = BigInt(max as number) - BigInt(min as number) + 1n;
    if (span < 1n || span > BigInt(MAX_SPAN)) return 'max: must be an integer from min to min + 2^53 - 1';
    return null;
  }),
  cost: () => 1,
  // Valid params keep max − min below 2^53, so the subtraction is exact.
  run: (stream, { min, max }) => min + uniform(stream, max - min + 1),
};
