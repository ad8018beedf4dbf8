/**
 * @module mappings/shuffle
 * `shuffle@1`: a uniformly random permutation of 0..n−1 (card indices, say).
 * Fisher–Yates from the top: for i = n−1 down to 1, swap a[i] with
 * a[uniform(i + 1)].
 */

import { uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkInt, checkShape, neverThrows } from './params.js';

export type ShuffleParams = { n: number };

const MAX_N = 10_000;

export const shuffle: Mapping<ShuffleParams, number[]> = {
  id: 'shuffle@1',
  name: 'shuffle',
  validate: neverThrows((params) => {
    const p = params as Record<string, unknown>;
    return checkShape(params, ['n']) ?? checkInt(p.n, 'n', 1, MAX_N);
  }),
  cost: ({ n }) => n,
  run(stream, { n }) {
    const a = countFrom(0, n);
    for (let i = n - 1; i >= 1; i--) {
      const j = uniform(stream, i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  },
};

/** [start, start + 1, …, start + n − 1], built in a loop: Array.from with a callback costs several times more, per draw. */
export function countFrom(start: number, n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(start + i);
  return a;
}
