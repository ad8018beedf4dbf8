/**
 * @module mappings/dice
 * `dice@1`: `count` rolls of a `sides`-sided die, each 1 + uniform(sides), in
 * roll order.
 */

import { uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkInt, checkShape, neverThrows } from './params.js';

export type DiceParams = { count: number; sides: number };

const MAX_COUNT = 1000;
const MAX_SIDES = 2 ** 32;

export const dice: Mapping<DiceParams, number[]> = {
  id: 'dice@1',
  name: 'dice',
  validate: neverThrows((params) => {
    const p = params as Record<string, unknown>;
    return (
      checkShape(params, ['count', 'sides']) ??
      checkInt(p.count, 'count', 1, MAX_COUNT) ??
      checkInt(p.sides, 'sides', 2, MAX_SIDES)
    );
  }),
  cost: ({ count }) => count,
  run(stream, { count, sides }) {
    const rolls: number[] = [];
    for (let i = 0; i < count; i++) rolls.push(1 + uniform(stream, sides));
    return rolls;
  },
};
