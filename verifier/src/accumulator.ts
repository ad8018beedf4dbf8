/**
 * @module accumulator
 * The log's Merkle tree recomputed from its leaves as they stream by, in
 * O(log n) memory: only the roots of the maximal complete subtrees (the
 * tree's right edge) are kept. Their right fold is the RFC 9162 root of the
 * leaves so far (merkle.ts), so a verifier reading a whole log can check
 * every checkpoint's root without asking the log for a single proof.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { HASH_SIZE, nodeHash } from './merkle.js';

export class MerkleAccumulator {
  #size: number;
  /** Subtree roots, largest (leftmost) first; subtree i covers 2^levels[i] leaves. */
  readonly #roots: Uint8Array[];
  readonly #levels: number[];
  readonly #hashNode: (left: Uint8Array, right: Uint8Array) => Uint8Array;

  /**
   * Starts empty, or from the tree of `size` leaves given by its subtree
   * roots, largest first (one per 1 bit of size, as a log's stored tree has them).
   * `hashNode` is merkle.ts nodeHash, or one that agrees with it byte for
   * byte (a Node auditor passes node:crypto's, several times faster).
   */
  constructor(size = 0, roots: readonly Uint8Array[] = [], hashNode: (left: Uint8Array, right: Uint8Array) => Uint8Array = nodeHash) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size: ${size} is not a non-negative integer`);
    const levels: number[] = [];
    for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
    if (roots.length !== levels.length) throw new RangeError(`roots: a tree of ${size} leaves has ${levels.length} subtree roots, got ${roots.length}`);
    roots.forEach((r, i) => {
      if (!(r instanceof Uint8Array) || r.length !== HASH_SIZE) throw new TypeError(`roots[${i}]: expected a 32-byte hash`);
    });
    this.#size = size;
    this.#roots = [...roots];
    this.#levels = levels;
    this.#hashNode = hashNode;
  }

  get size(): number {
    return this.#size;
  }

  /** Appends the next leaf's hash (merkle.ts leafHash). */
  push(leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new TypeError('leafHash: expected a 32-byte hash');
    let h = leafHash;
    let level = 0;
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      h = this.#hashNode(this.#roots.pop()!, h);
      level++;
    }
    this.#roots.push(h);
    this.#levels.push(level);
    this.#size++;
  }

  /** MTH of the leaves so far; SHA-256("") for none. */
  root(): Uint8Array {
    if (this.#roots.length === 0) return sha256(new Uint8Array(0));
    let h = this.#roots[this.#roots.length - 1]!;
    for (let i = this.#roots.length - 2; i >= 0; i--) h = this.#hashNode(this.#roots[i]!, h);
    return h;
  }
}
