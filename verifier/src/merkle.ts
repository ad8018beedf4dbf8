/**
 * @module merkle
 * The log's Merkle tree: RFC 9162 §2.1 (the tree of RFC 6962, which Go's
 * golang.org/x/mod/sumdb/tlog and C2SP tlog-checkpoint also use).
 *
 *   leaf hash  = SHA-256( 0x00 ‖ leaf bytes )                  (33 + n bytes hashed)
 *   node hash  = SHA-256( 0x01 ‖ left (32 bytes) ‖ right (32 bytes) )   (65 bytes hashed)
 *   MTH({})    = SHA-256( "" )
 *   MTH(D[n])  = node hash( MTH(D[0:k]), MTH(D[k:n]) ),  k = largest power of two < n
 *
 * In rngseal leaf i is record seq i, and its bytes are the record's stored
 * form, UTF-8 of `encodeRecord(record)` (docs/PROTOCOL.md §1).
 *
 * Proofs are arrays of 32-byte hashes in RFC 9162 order, the hash nearest the
 * leaf first (the same order as Go's tlog.RecordProof and tlog.TreeProof).
 * `checkInclusion` and `checkConsistency` are the verification algorithms of
 * RFC 9162 §2.1.3.2 and §2.1.4.2, step for step.
 *
 * An inclusion proof ties a leaf to a root, not to a tree size: the same path
 * reaches the same root for every size whose tree has the same shape along the
 * leaf's path. A log that signs (size, root) pairs that disagree can therefore
 * pass inclusion checks for leaves it will never be able to show; only a
 * consistency proof between successive checkpoints pins size to root.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes } from './bytes.js';
import { VerifyError } from './errors.js';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ data). The prefix keeps a leaf from posing as a node. */
export function leafHash(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data: expected a Uint8Array');
  return sha256(concatBytes(LEAF_PREFIX, data));
}

/** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'left');
  assertHash(right, 'right');
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/**
 * MTH over the given leaf hashes, by the recursive definition. O(n): the
 * reference the stored-hash code and the proofs are tested against.
 */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  hashes.forEach((h, i) => assertHash(h, `hashes[${i}]`));
  return mth(hashes, 0, hashes.length);
}

function mth(hashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi === lo) return sha256(new Uint8Array(0));
  if (hi - lo === 1) return hashes[lo]!;
  const k = largestPowerOfTwoBelow(hi - lo);
  return nodeHash(mth(hashes, lo, lo + k), mth(hashes, lo + k, hi));
}

/** Largest power of two strictly below n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export interface InclusionProof {
  /** Leaf index (in rngseal: the record's seq). */
  index: number;
  /** Tree size the proof is for. */
  size: number;
  leafHash: Uint8Array;
  /** Audit path, leaf side first. */
  proof: readonly Uint8Array[];
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–4 and the
 * sn = 0 test of step 5). Does not say whether that root is the right one.
 * @throws VerifyError INCLUSION naming the record (seq = index)
 */
export function rootFromInclusion({ index, size, leafHash: hash, proof }: InclusionProof): Uint8Array {
  const fail = (why: string): never => {
    throw new VerifyError('INCLUSION', why, Number.isSafeInteger(index) && index >= 0 ? index : undefined);
  };
  if (!isSize(size)) fail(`inclusion proof: tree size ${String(size)} is not a non-negative integer`);
  if (!isSize(index)) fail(`inclusion proof: leaf index ${String(index)} is not a non-negative integer`);
  // Step 1.
  if (index >= size) fail(`inclusion proof: leaf index ${index} is not below tree size ${size}`);
  if (!isHash(hash)) fail('inclusion proof: leaf hash is not 32 bytes');
  if (!Array.isArray(proof)) fail('inclusion proof: path is not an array');
  // Checked before hashing, so an oversized path costs nothing.
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) {
    fail(`inclusion proof has ${proof.length} hashes, a tree of size ${size} needs ${expected} for this leaf`);
  }
  proof.forEach((p, i) => isHash(p) || fail(`inclusion proof: path[${i}] is not 32 bytes`));
  // Steps 2–4.
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) fail('inclusion proof is longer than the tree is deep');
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5, first half.
  if (sn !== 0) fail('inclusion proof is shorter than the tree is deep');
  return r;
}

/**
 * RFC 9162 §2.1.3.2: the leaf is at `index` in the tree of `size` leaves
 * whose root is `root`. This alone does not prove that `root` is the root of
 * a tree of that size (see the module comment): check consistency too.
 * @throws VerifyError INCLUSION naming the record (seq = index)
 */
export function checkInclusion(args: InclusionProof & { root: Uint8Array }): void {
  const r = rootFromInclusion(args);
  if (!isHash(args.root)) throw new VerifyError('INCLUSION', 'inclusion proof: root is not 32 bytes', args.index);
  if (!equalBytes(r, args.root)) {
    throw new VerifyError('INCLUSION', `inclusion proof does not reach the root of the tree of size ${args.size}`, args.index);
  }
}

export interface ConsistencyProof {
  size1: number;
  root1: Uint8Array;
  size2: number;
  root2: Uint8Array;
  /** Consistency path in RFC 9162 order. */
  proof: readonly Uint8Array[];
}

/**
 * RFC 9162 §2.1.4.2: the tree (size2, root2) is the tree (size1, root1) with
 * leaves appended and nothing changed. Equal sizes need an empty proof and
 * equal roots (as in Go's tlog.CheckTree); size1 = 0 is refused, because a
 * checkpoint of the empty tree pins nothing.
 * @throws VerifyError CONSISTENCY
 */
export function checkConsistency({ size1, root1, size2, root2, proof }: ConsistencyProof): void {
  const fail = (why: string): never => {
    throw new VerifyError('CONSISTENCY', why);
  };
  if (!isSize(size1)) fail(`consistency proof: size1 ${String(size1)} is not a non-negative integer`);
  if (!isSize(size2)) fail(`consistency proof: size2 ${String(size2)} is not a non-negative integer`);
  if (size1 === 0) fail('consistency proof: size1 is 0; the empty tree is consistent with anything, so it proves nothing');
  if (size1 > size2) fail(`consistency proof: size1 ${size1} is greater than size2 ${size2}; a log never shrinks`);
  if (!isHash(root1)) fail('consistency proof: root1 is not 32 bytes');
  if (!isHash(root2)) fail('consistency proof: root2 is not 32 bytes');
  if (!Array.isArray(proof)) fail('consistency proof: path is not an array');
  if (size1 === size2) {
    if (proof.length !== 0) fail(`consistency proof between equal sizes ${size1} must be empty, has ${proof.length} hashes`);
    if (!equalBytes(root1, root2)) fail(`two different roots for the same tree size ${size1}`);
    return;
  }
  // Step 1.
  if (proof.length === 0) fail('consistency proof is empty');
  const expected = consistencyProofLength(size1, size2);
  if (proof.length !== expected) {
    fail(`consistency proof has ${proof.length} hashes, sizes ${size1} → ${size2} need ${expected}`);
  }
  proof.forEach((p, i) => isHash(p) || fail(`consistency proof: path[${i}] is not 32 bytes`));
  // Step 2.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (const c of path.slice(1)) {
    if (sn === 0) fail('consistency proof is longer than the tree is deep');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!(odd(fn) || fn === 0)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) fail('consistency proof is shorter than the tree is deep');
  if (!equalBytes(fr, root1)) fail(`consistency proof does not reach the root of the tree of size ${size1}`);
  if (!equalBytes(sr, root2)) fail(`consistency proof does not reach the root of the tree of size ${size2}`);
}

/**
 * Number of hashes in an inclusion proof: the iterations of RFC 9162
 * §2.1.3.2 step 4 that run before sn reaches 0.
 */
export function inclusionProofLength(index: number, size: number): number {
  if (!isSize(size) || !isSize(index) || index >= size) throw new RangeError('index: must be below size');
  let fn = index;
  let sn = size - 1;
  let n = 0;
  while (sn > 0) {
    if (!odd(fn) && fn === sn) {
      while (!(odd(fn) || fn === 0)) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
    n++;
  }
  return n;
}

/**
 * Number of hashes in a consistency proof for 0 < size1 < size2: the
 * iterations of RFC 9162 §2.1.4.2 step 6, plus one for the seed hash of step 5
 * unless step 2 supplies it from root1.
 */
export function consistencyProofLength(size1: number, size2: number): number {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 >= size2) throw new RangeError('size1: must satisfy 0 < size1 < size2');
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let n = 1;
  while (sn > 0) {
    if (!odd(fn) && fn === sn) {
      while (!(odd(fn) || fn === 0)) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
    n++;
  }
  return isPowerOfTwo(size1) ? n - 1 : n;
}

// Sizes reach 2^53 − 1, past the 32 bits JavaScript's bitwise operators keep.
const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);
const isSize = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function isPowerOfTwo(x: number): boolean {
  while (x > 1 && !odd(x)) x = half(x);
  return x === 1;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function assertHash(h: unknown, field: string): asserts h is Uint8Array {
  if (!isHash(h)) throw new TypeError(`${field}: expected a 32-byte hash`);
}
