/**
 * @module tlog/frontier
 * The writer's cache of the stored tree: the roots of the maximal complete
 * subtrees of the tree so far (its right edge, at most log₂ n + 1 hashes).
 * They are exactly the hashes storedHashesForRecord reads to add the next
 * leaf, and the ones treeHash folds into the current root, so the writer
 * extends the tree without reading the store on every record.
 *
 * Loaded from the store, never rebuilt from memory: after a failed append the
 * writer reloads it, so it always describes stored hashes.
 */

import type { TreeHash } from '../store/log-store.js';
import { nodeHash, storedHashIndex, treeHash, type HashReader } from './tree.js';

/** Stored-hash indexes of the maximal complete subtrees of the tree of `size` leaves, left to right. */
export function frontierIndexes(size: number): number[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size: ${size} is not a non-negative integer`);
  const indexes: number[] = [];
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (Math.floor(size / width) % 2 === 1) indexes.push(storedHashIndex(level, Math.floor(size / width) - 1));
  }
  return indexes;
}

export class TreeFrontier implements HashReader {
  #size: number;
  #hashes: Map<number, Uint8Array>;

  private constructor(size: number, hashes: Map<number, Uint8Array>) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** The frontier of the stored tree of `size` leaves. */
  static async load(size: number, reader: HashReader): Promise<TreeFrontier> {
    const indexes = frontierIndexes(size);
    const hashes = indexes.length === 0 ? [] : await reader.readHashes(indexes);
    return new TreeFrontier(size, new Map(indexes.map((index, i) => [index, hashes[i]!])));
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds leaf `size`; returns the stored hashes to write for it. Synchronous,
   * with no reads: each trailing 1 bit of n completes a subtree whose left
   * half is on the frontier (the same hashes storedHashesForRecord reads).
   */
  append(leaf: Uint8Array): TreeHash[] {
    const n = this.#size;
    const first = storedHashIndex(0, n);
    const written: TreeHash[] = [{ index: first, hash: leaf }];
    let h = leaf;
    for (let level = 0, m = n; m % 2 === 1; level++, m = Math.floor(m / 2)) {
      const sibling = storedHashIndex(level, m - 1);
      h = nodeHash(this.#hashes.get(sibling)!, h);
      this.#hashes.delete(sibling); // merged: no longer a maximal subtree
      written.push({ index: first + level + 1, hash: h });
    }
    this.#hashes.set(first + written.length - 1, h);
    this.#size = n + 1;
    return written;
  }

  /** MTH of the tree so far. */
  root(): Promise<Uint8Array> {
    return treeHash(this.#size, this);
  }

  readHashes(indexes: number[]): Uint8Array[] {
    return indexes.map((index) => {
      const h = this.#hashes.get(index);
      if (!h) throw new Error(`tlog: hash ${index} is not on the frontier of the tree of size ${this.#size}`);
      return h;
    });
  }
}
