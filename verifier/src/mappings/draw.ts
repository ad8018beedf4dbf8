/**
 * @module mappings/draw
 * `draw@1`: k distinct values from 1..n without replacement, in draw order
 * (keno is 20 of 80). A partial Fisher–Yates shuffle of [1, ..., n]: step i
 * swaps a[i] with a[i + uniform(n − i)], and the first k entries are the draw.
 */

import { uniform } from '../derive.js';
import type { Mapping } from './mapping.js';
import { checkInt, checkShape, neverThrows } from './params.js';
import { countFrom } from './shuffle.js';

export type DrawParams = { n: number; k: number };

const MAX_N = 100_000;

export const draw: Mapping<DrawParams, number[]> = {
  id: 'draw@1',
  name: 'draw',
  validate: neverThrows((params) => {
    const p = params as Record<string, unknown>;
    return (
      checkShape(params, ['n', 'k']) ??
      checkInt(p.n, 'n', 1, MAX_N) ??
      checkInt(p.k, 'k', 1, p.n as number)
    );
  }),
  // The work is O(n) (the whole array is built), so n is what a request pays for.
  cost: ({ n }) => n,
  run(stream, { n, k }) {
    const a = countFrom(1, n);
    for (let i = 0; i < k; i++) swap(a, i, i + uniform(stream, n - i));
    return a.slice(0, k);
  },
};

function swap(a: number[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
