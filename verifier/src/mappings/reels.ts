/**
 * @module mappings/reels
 * `reels@1`: one stop per slot reel, reel by reel in order, each stop picked
 * from that reel's stop weights exactly as `weighted@1` picks.
 */

import type { Mapping } from './mapping.js';
import { checkArray, checkShape, neverThrows } from './params.js';
import { checkWeights, pickWeighted } from './weighted.js';

export type ReelsParams = { reels: number[][] };

const MAX_REELS = 20;

export const reels: Mapping<ReelsParams, number[]> = {
  id: 'reels@1',
  name: 'reels',
  validate: neverThrows((params) => checkShape(params, ['reels']) ?? checkReels((params as ReelsParams).reels)),
  cost: ({ reels }) => reels.reduce((n, reel) => n + reel.length, 0),
  run: (stream, { reels }) => reels.map((weights) => pickWeighted(stream, weights)),
};

function checkReels(value: unknown): string | null {
  const shape = checkArray(value, 'reels', MAX_REELS);
  if (shape !== null) return shape;
  for (const [i, weights] of (value as unknown[]).entries()) {
    const problem = checkWeights(weights, `reels[${i}]`);
    if (problem !== null) return problem;
  }
  return null;
}
