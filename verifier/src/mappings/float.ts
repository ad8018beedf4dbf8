/**
 * @module mappings/float
 * `float@1`: a number in [0, 1) with 52-bit resolution. The recorded result is
 * the integer k = uniform(2^52), never a float, so it survives JSON and every
 * language exactly; the number it stands for is k / 2^52 (`floatValue`), which
 * is exact in binary64 because 2^52 is a power of two and k < 2^53.
 */

import { uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkShape, neverThrows } from './params.js';

export type FloatParams = Record<string, never>;

const SCALE = 2 ** 52;

export const float: Mapping<FloatParams, number> = {
  id: 'float@1',
  name: 'float',
  validate: neverThrows((params) => checkShape(params, [])),
  cost: () => 1,
  run: (stream) => uniform(stream, SCALE),
};

/**
 * The float a `float@1` result k stands for: k / 2^52.
 * @throws RangeError unless k is an integer from 0 to 2^52 − 1.
 */
export function floatValue(k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= SCALE) throw new RangeError('k: must be an integer from 0 to 2^52 - 1');
  return k / SCALE;
}
