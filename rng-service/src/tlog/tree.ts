/**
 * @module tlog/tree
 * How the service stores the log's Merkle tree (RFC 9162 §2.1, see
 * verifier/src/merkle.ts) and answers tree-hash, inclusion and consistency
 * questions for any size from O(log n) stored hashes.
 *
 * Storage is the "stored hashes" layout of Crosby and Wallach §3.3, as in
 * Go's golang.org/x/mod/sumdb/tlog: one dense array of 32-byte hashes in
 * which appending leaf n writes its leaf hash and then the hash of every
 * complete subtree that leaf closes, bottom up. The hash at tree level L
 * (level 0 = leaves) covering leaves [n·2^L, (n+1)·2^L) sits at
 *
 *   storedHashIndex(L, n) = 2^(L+1) · (n + 1) − 2 − popcount(n)
 *
 * (leaf n starts at 2n − popcount(n); the L hashes leaf (n+1)·2^L − 1 closes
 * follow it, level 1 first). A tree of n leaves has 2n − popcount(n) stored
 * hashes. Stored hashes never change once written, so a reader can cache
 * them, and a checkpoint is signed over a root recomputed from them: the log
 * cannot sign a size with another size's root.
 *
 * Proofs come out in RFC 9162 order, leaf side first, byte-identical to Go's
 * tlog.ProveRecord and tlog.ProveTree (checked against verifier/test/vectors/tlog-go.json).
 */

import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** Reads stored hashes by index; must return exactly one 32-byte hash per index, in order. */
export interface HashReader {
  readHashes(indexes: number[]): Promise<Uint8Array[]> | Uint8Array[];
}

/** RFC 9162 leaf hash (node:crypto; equal to the verifier's leafHash). */
export function leafHash(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF).update(data).digest());
}

/** RFC 9162 interior node hash (node:crypto; equal to the verifier's nodeHash). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE).update(left).update(right).digest());
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** Index in the stored-hash array of the level-`level` hash number `n`. */
export function storedHashIndex(level: number, n: number): number {
  if (!Number.isSafeInteger(level) || level < 0 || level > 52) throw new RangeError(`level: ${level} is not an integer in [0, 52]`);
  if (!isCount(n)) throw new RangeError(`n: ${n} is not a non-negative integer`);
  const index = 2 ** (level + 1) * (n + 1) - 2 - popcount(n);
  if (!Number.isSafeInteger(index)) throw new RangeError(`storedHashIndex(${level}, ${n}) is beyond 2^53`);
  return index;
}

/** Inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  if (!isCount(index)) throw new RangeError(`index: ${index} is not a non-negative integer`);
  // Leaf n's block is [2n − popcount(n), 2(n+1) − popcount(n+1)); the block
  // holding `index` starts at a leaf no earlier than index / 2.
  let leaf = Math.floor(index / 2);
  while (storedHashCount(leaf + 1) <= index) leaf++;
  const level = index - storedHashCount(leaf);
  return { level, n: Math.floor(leaf / 2 ** level) };
}

/** Number of stored hashes for a tree of `n` leaves. */
export function storedHashCount(n: number): number {
  if (!isCount(n)) throw new RangeError(`n: ${n} is not a non-negative integer`);
  return 2 * n - popcount(n);
}

/**
 * The hashes to append when leaf `n` (seq n) is added, in storage order,
 * starting at storedHashIndex(0, n): the leaf hash, then one node hash per
 * subtree the leaf completes. Reads the left siblings, at most log₂ n.
 */
export async function storedHashesForRecord(n: number, leaf: Uint8Array, reader: HashReader): Promise<Uint8Array[]> {
  if (!isCount(n)) throw new RangeError(`n: ${n} is not a non-negative integer`);
  assertHash(leaf, 'leafHash');
  // Each trailing 1 bit of n closes one more subtree.
  const closed = trailingOnes(n);
  const indexes: number[] = [];
  for (let level = closed - 1; level >= 0; level--) indexes.push(storedHashIndex(level, Math.floor(n / 2 ** level) - 1));
  const left = await read(reader, indexes);
  const out = [leaf];
  let h = leaf;
  for (let level = 0; level < closed; level++) {
    h = nodeHash(left[closed - 1 - level]!, h);
    out.push(h);
  }
  return out;
}

/** MTH of the first `size` leaves. The empty tree's root is SHA-256("") (RFC 9162; Go's tlog uses zeros). */
export async function treeHash(size: number, reader: HashReader): Promise<Uint8Array> {
  if (!isCount(size)) throw new RangeError(`size: ${size} is not a non-negative integer`);
  if (size === 0) return new Uint8Array(createHash('sha256').digest());
  const plan = [range(0, size)];
  const [root] = await evaluate(plan, reader);
  return root!;
}

/** Audit path for leaf `index` in the tree of `size` leaves, RFC 9162 order (leaf side first). */
export async function proveInclusion(index: number, size: number, reader: HashReader): Promise<Uint8Array[]> {
  if (!isCount(size)) throw new RangeError(`size: ${size} is not a non-negative integer`);
  if (!isCount(index) || index >= size) throw new RangeError(`index: ${index} is not below size ${size}`);
  // RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]), collected as the subtrees whose
  // roots form the path, leaf side first.
  const plan: Range[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      walk(lo, lo + k);
      plan.push(range(lo + k, hi));
    } else {
      walk(lo + k, hi);
      plan.push(range(lo, lo + k));
    }
  };
  walk(0, size);
  return evaluate(plan, reader);
}

/** Consistency proof from the tree of `size1` leaves to the tree of `size2`, RFC 9162 order; empty when equal. */
export async function proveConsistency(size1: number, size2: number, reader: HashReader): Promise<Uint8Array[]> {
  if (!isCount(size1) || size1 === 0) throw new RangeError(`size1: ${size1} is not a positive integer`);
  if (!isCount(size2) || size2 < size1) throw new RangeError(`size2: ${size2} is below size1 ${size1}`);
  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b).
  const plan: Range[] = [];
  const walk = (lo: number, hi: number, whole: boolean): void => {
    if (size1 === hi) {
      if (!whole) plan.push(range(lo, hi));
      return;
    }
    const k = largestPowerOfTwoBelow(hi - lo);
    if (size1 <= lo + k) {
      walk(lo, lo + k, whole);
      plan.push(range(lo + k, hi));
    } else {
      walk(lo + k, hi, false);
      plan.push(range(lo, lo + k));
    }
  };
  walk(0, size2, true);
  return evaluate(plan, reader);
}

/**
 * A run of leaves [lo, hi) and the stored hashes whose right fold is its MTH:
 * its maximal complete subtrees, left to right.
 */
interface Range {
  indexes: number[];
}

function range(lo: number, hi: number): Range {
  const indexes: number[] = [];
  while (lo < hi) {
    let level = 0;
    while (2 ** (level + 1) <= hi - lo) level++;
    const width = 2 ** level;
    if (lo % width !== 0) throw new Error(`tlog: [${lo}, ${hi}) is not aligned to complete subtrees`);
    indexes.push(storedHashIndex(level, lo / width));
    lo += width;
  }
  return { indexes };
}

/** Reads every range's stored hashes in one call and folds each into its MTH. */
async function evaluate(plan: Range[], reader: HashReader): Promise<Uint8Array[]> {
  const hashes = await read(
    reader,
    plan.flatMap((r) => r.indexes),
  );
  let at = 0;
  return plan.map(({ indexes }) => {
    const parts = hashes.slice(at, (at += indexes.length));
    let h = parts[parts.length - 1]!;
    for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(parts[i]!, h);
    return h;
  });
}

// A short or malformed answer from storage must not turn into a wrong root.
async function read(reader: HashReader, indexes: number[]): Promise<Uint8Array[]> {
  if (indexes.length === 0) return [];
  const hashes = await reader.readHashes(indexes);
  if (!Array.isArray(hashes) || hashes.length !== indexes.length) {
    throw new Error(`tlog: readHashes(${indexes.length} indexes) returned ${Array.isArray(hashes) ? hashes.length : 'no'} hashes`);
  }
  hashes.forEach((h, i) => assertHash(h, `stored hash ${indexes[i]}`));
  return hashes;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Counts reach 2^53, past the 32 bits JavaScript's bitwise operators keep.
function popcount(n: number): number {
  let c = 0;
  for (; n > 0; n = Math.floor(n / 2)) c += n % 2;
  return c;
}

function trailingOnes(n: number): number {
  let c = 0;
  for (; n % 2 === 1; n = Math.floor(n / 2)) c++;
  return c;
}

function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

function assertHash(h: unknown, field: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw new TypeError(`${field}: expected a 32-byte hash`);
}
