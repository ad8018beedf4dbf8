/**
 * The streaming tree (src/accumulator.ts) against the recursive MTH of
 * merkle.ts: the same root at every size, also when started from the subtree
 * roots of a tree part-way through, as a log's stored frontier gives them.
 */

import { describe, expect, it } from 'vitest';
import { leafHash, MerkleAccumulator, nodeHash, rootFromLeafHashes, utf8 } from '../src/index.js';

const leaves = Array.from({ length: 130 }, (_, i) => leafHash(utf8(`leaf-${i}`)));

/** Subtree roots of the first `size` leaves, largest first. */
function subtreeRoots(size: number): Uint8Array[] {
  const roots: Uint8Array[] = [];
  let lo = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (Math.floor(size / width) % 2 === 1) {
      roots.push(rootFromLeafHashes(leaves.slice(lo, lo + width)));
      lo += width;
    }
  }
  return roots;
}

describe('MerkleAccumulator', () => {
  it('has the MTH of the leaves so far at every size, SHA-256("") when empty', () => {
    const acc = new MerkleAccumulator();
    expect(acc.root()).toEqual(rootFromLeafHashes([]));
    leaves.forEach((leaf, i) => {
      acc.push(leaf);
      expect(acc.size).toBe(i + 1);
      expect(acc.root()).toEqual(rootFromLeafHashes(leaves.slice(0, i + 1)));
    });
  });

  it('continues from the subtree roots of any size', () => {
    for (const start of [1, 2, 3, 5, 8, 63, 64, 100]) {
      const acc = new MerkleAccumulator(start, subtreeRoots(start));
      expect(acc.root()).toEqual(rootFromLeafHashes(leaves.slice(0, start)));
      for (let i = start; i < leaves.length; i++) acc.push(leaves[i]!);
      expect(acc.root()).toEqual(rootFromLeafHashes(leaves));
    }
  });

  it('refuses a start whose roots do not fit its size, and hashes that are not 32 bytes', () => {
    expect(() => new MerkleAccumulator(3, subtreeRoots(2))).toThrow(/roots: a tree of 3 leaves has 2 subtree roots, got 1/);
    expect(() => new MerkleAccumulator(-1)).toThrow(RangeError);
    expect(() => new MerkleAccumulator(1, [new Uint8Array(31)])).toThrow(/roots\[0\]/);
    expect(() => new MerkleAccumulator().push(new Uint8Array(33))).toThrow(/leafHash/);
    expect(nodeHash(leaves[0]!, leaves[1]!)).toEqual(rootFromLeafHashes(leaves.slice(0, 2)));
  });
});
