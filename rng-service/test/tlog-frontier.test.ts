/**
 * The writer's right-edge cache (src/tlog/frontier.ts): appending through it
 * writes the same stored hashes as storedHashesForRecord over the whole
 * array, its root is the reference MTH at every size, and it loads from a
 * store of any size reading only its O(log n) hashes.
 */

import { describe, expect, it } from 'vitest';
import { leafHash, rootFromLeafHashes, utf8 } from '@rngseal/verifier';
import { frontierIndexes, TreeFrontier } from '../src/tlog/frontier.js';
import { storedHashCount, storedHashesForRecord, type HashReader } from '../src/tlog/tree.js';

const leaves = Array.from({ length: 300 }, (_, i) => leafHash(utf8(`record-${i}`)));

class Memory implements HashReader {
  hashes: Uint8Array[] = [];
  reads: number[] = [];
  readHashes(indexes: number[]): Uint8Array[] {
    this.reads.push(...indexes);
    return indexes.map((i) => this.hashes[i]!);
  }
}

describe('TreeFrontier', () => {
  it('writes the stored hashes of the full array and has the reference root at every size', async () => {
    const full = new Memory();
    const frontier = await TreeFrontier.load(0, full);
    for (let n = 0; n < leaves.length; n++) {
      const expected = await storedHashesForRecord(n, leaves[n]!, full);
      const written = await frontier.append(leaves[n]!);
      expect(written.map((w) => w.index)).toEqual(expected.map((_, i) => full.hashes.length + i));
      expect(written.map((w) => w.hash)).toEqual(expected);
      full.hashes.push(...expected);
      expect(full.hashes.length).toBe(storedHashCount(n + 1));
      expect(await frontier.root()).toEqual(rootFromLeafHashes(leaves.slice(0, n + 1)));
      expect(frontierIndexes(n + 1).length).toBeLessThanOrEqual(Math.log2(n + 1) + 1);
    }
  });

  it('loads at any size from the stored hashes alone and continues identically', async () => {
    const full = new Memory();
    for (let n = 0; n < leaves.length; n++) full.hashes.push(...(await storedHashesForRecord(n, leaves[n]!, full)));
    for (const size of [0, 1, 2, 3, 7, 8, 100, 255, 256, 299]) {
      const store = new Memory();
      store.hashes = full.hashes.slice(0, storedHashCount(size));
      const frontier = await TreeFrontier.load(size, store);
      expect(store.reads).toEqual(frontierIndexes(size));
      const written = await frontier.append(leaves[size]!);
      expect(written.map((w) => w.hash)).toEqual(full.hashes.slice(storedHashCount(size), storedHashCount(size + 1)));
      expect(await frontier.root()).toEqual(rootFromLeafHashes(leaves.slice(0, size + 1)));
    }
  });
});
