/**
 * merkle.ts against three references: the RFC 9162 definitions written out
 * again below (MTH, PATH, PROOF over a list of leaf hashes), Go's
 * golang.org/x/mod/sumdb/tlog (vectors/tlog-go.json, see
 * scripts/vectors/README.md), and exhaustive round trips for every tree of
 * up to 64 leaves. Each "when …" block breaks one input and expects the
 * check to throw the right VerifyError.
 */

import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  checkConsistency,
  checkInclusion,
  concatBytes,
  consistencyProofLength,
  fromBase64,
  inclusionProofLength,
  leafHash,
  nodeHash,
  rootFromInclusion,
  rootFromLeafHashes,
  toHex,
  utf8,
  VerifyError,
} from '../src/index.js';

interface GoVectors {
  numLeaves: number;
  treeHashes: string[];
  inclusion: { size: number; index: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}
const go = JSON.parse(readFileSync(new URL('./vectors/tlog-go.json', import.meta.url), 'utf8')) as GoVectors;
const b64 = (s: string) => fromBase64(s);

const MAX = 64;
const leaves = Array.from({ length: go.numLeaves }, (_, i) => leafHash(utf8(`leaf-${i}`)));
const roots = Array.from({ length: go.numLeaves + 1 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));

// RFC 9162 §2.1.3.1 and §2.1.4.1, as written there (k = largest power of two < n).
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function refPath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...refPath(m, d.slice(0, k)), rootFromLeafHashes(d.slice(k))] : [...refPath(m - k, d.slice(k)), rootFromLeafHashes(d.slice(0, k))];
}
function refSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [rootFromLeafHashes(d)];
  const k = split(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), rootFromLeafHashes(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), rootFromLeafHashes(d.slice(0, k))];
}
const refProof = (m: number, d: Uint8Array[]) => refSubproof(m, d, true);

function failure(fn: () => void): VerifyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw err;
  }
  throw new Error('expected a VerifyError');
}

const inclusion = (index: number, size: number) => ({ index, size, leafHash: leaves[index]!, proof: refPath(index, leaves.slice(0, size)), root: roots[size]! });
const consistency = (size1: number, size2: number) => ({ size1, root1: roots[size1]!, size2, root2: roots[size2]!, proof: refProof(size1, leaves.slice(0, size2)) });

describe('RFC 9162 hashes', () => {
  it('leaf hash is SHA-256(0x00 ‖ data), node hash SHA-256(0x01 ‖ left ‖ right)', () => {
    const data = utf8('leaf-0');
    expect(leafHash(data)).toEqual(sha256(concatBytes(Uint8Array.of(0), data)));
    const [a, b] = [leaves[0]!, leaves[1]!];
    expect(nodeHash(a, b)).toEqual(sha256(concatBytes(Uint8Array.of(1), a, b)));
    expect(leafHash(new Uint8Array(0))).toEqual(sha256(Uint8Array.of(0)));
  });

  it('the empty tree is SHA-256(""), a one-leaf tree is its leaf hash, two leaves their node', () => {
    expect(toHex(rootFromLeafHashes([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([leaves[0]!])).toEqual(leaves[0]);
    expect(rootFromLeafHashes(leaves.slice(0, 2))).toEqual(nodeHash(leaves[0]!, leaves[1]!));
    // 5 leaves split 4 + 1, not 3 + 2.
    const l = leaves;
    const four = nodeHash(nodeHash(l[0]!, l[1]!), nodeHash(l[2]!, l[3]!));
    expect(rootFromLeafHashes(l.slice(0, 5))).toEqual(nodeHash(four, l[4]!));
  });

  it('refuses hashes that are not 32 bytes, naming the argument', () => {
    expect(() => nodeHash(new Uint8Array(31), leaves[0]!)).toThrow(/^left:/);
    expect(() => nodeHash(leaves[0]!, new Uint8Array(33))).toThrow(/^right:/);
    expect(() => rootFromLeafHashes([leaves[0]!, new Uint8Array(1)])).toThrow(/^hashes\[1\]:/);
  });
});

describe("Go's sumdb/tlog (vectors/tlog-go.json)", () => {
  it('tree hashes agree for every size 1..70', () => {
    for (let n = 1; n <= go.numLeaves; n++) expect(toHex(roots[n]!), `size ${n}`).toBe(toHex(b64(go.treeHashes[n]!)));
  });

  it("the empty tree differs on purpose: Go's tlog says zeros, RFC 9162 says SHA-256(\"\")", () => {
    expect(b64(go.treeHashes[0]!)).toEqual(new Uint8Array(32));
    expect(roots[0]).toEqual(sha256(new Uint8Array(0)));
  });

  it(`inclusion proofs (tlog.ProveRecord, ${go.inclusion.length} cases) equal RFC 9162 PATH and verify`, () => {
    for (const { size, index, proof } of go.inclusion) {
      const goProof = proof.map(b64);
      expect(goProof.map(toHex), `${index} in ${size}`).toEqual(refPath(index, leaves.slice(0, size)).map(toHex));
      checkInclusion({ index, size, leafHash: leaves[index]!, proof: goProof, root: b64(go.treeHashes[size]!) });
    }
  });

  it(`consistency proofs (tlog.ProveTree, ${go.consistency.length} cases) equal RFC 9162 PROOF and verify`, () => {
    for (const { size1, size2, proof } of go.consistency) {
      const goProof = proof.map(b64);
      if (size1 < size2) expect(goProof.map(toHex), `${size1} → ${size2}`).toEqual(refProof(size1, leaves.slice(0, size2)).map(toHex));
      else expect(goProof).toEqual([]);
      checkConsistency({ size1, root1: b64(go.treeHashes[size1]!), size2, root2: b64(go.treeHashes[size2]!), proof: goProof });
    }
  });
});

describe(`every tree of 1..${MAX} leaves`, () => {
  it('every leaf: the RFC 9162 path verifies, with the proof length the algorithm predicts', () => {
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const c = inclusion(index, size);
        expect(inclusionProofLength(index, size), `${index} in ${size}`).toBe(c.proof.length);
        expect(rootFromInclusion(c), `${index} in ${size}`).toEqual(c.root);
        checkInclusion(c);
      }
    }
  });

  it('every pair size1 ≤ size2: the RFC 9162 consistency proof verifies', () => {
    for (let size2 = 1; size2 <= MAX; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const c = consistency(size1, size2);
        if (size1 < size2) expect(consistencyProofLength(size1, size2), `${size1} → ${size2}`).toBe(c.proof.length);
        checkConsistency(c);
      }
    }
  });
});

describe('checkInclusion', () => {
  describe('when the index is wrong', () => {
    it('the proof of leaf i fails for every other leaf j of the same tree', () => {
      for (const size of [2, 3, 7, 8, 13, 33]) {
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            if (i === j) continue;
            const c = { ...inclusion(i, size), index: j };
            expect(() => checkInclusion(c), `${i} as ${j} in ${size}`).toThrow(VerifyError);
          }
        }
      }
    });

    it('the leaf hash of another leaf at the right index fails', () => {
      const err = failure(() => checkInclusion({ ...inclusion(5, 13), leafHash: leaves[6]! }));
      expect(err.check).toBe('INCLUSION');
      expect(err.seq).toBe(5);
      expect(err.message).toBe('record 5: inclusion proof does not reach the root of the tree of size 13');
    });
  });

  describe('when the index is not below the size', () => {
    it.each([
      [5, 5],
      [6, 5],
      [0, 0],
    ])('index %i in a tree of size %i is refused before any hashing', (index, size) => {
      const err = failure(() => checkInclusion({ index, size, leafHash: leaves[0]!, proof: [], root: roots[1]! }));
      expect(err.check).toBe('INCLUSION');
      expect(err.message).toContain(`leaf index ${index} is not below tree size ${size}`);
    });

    it.each([
      [-1, 5],
      [1.5, 5],
      [0, Number.MAX_SAFE_INTEGER + 1],
      [Number.NaN, 5],
    ])('index %d, size %d (not safe non-negative integers) are refused', (index, size) => {
      expect(failure(() => checkInclusion({ index, size, leafHash: leaves[0]!, proof: [], root: roots[1]! })).check).toBe('INCLUSION');
    });
  });

  describe('when the proof is truncated or extended', () => {
    it('every shorter or longer path fails with the expected length in the message', () => {
      for (const [index, size] of [
        [0, 5],
        [4, 5],
        [6, 13],
        [63, 64],
        [31, 33],
      ] as const) {
        const c = inclusion(index, size);
        for (let cut = 0; cut < c.proof.length; cut++) {
          const err = failure(() => checkInclusion({ ...c, proof: c.proof.slice(0, cut) }));
          expect(err.message).toContain(`needs ${c.proof.length}`);
          expect(() => checkInclusion({ ...c, proof: c.proof.slice(c.proof.length - cut) })).toThrow(VerifyError);
        }
        expect(() => checkInclusion({ ...c, proof: [...c.proof, leaves[0]!] })).toThrow(/needs/);
        expect(() => checkInclusion({ ...c, proof: [leaves[0]!, ...c.proof] })).toThrow(/needs/);
      }
    });

    it('a path element that is not 32 bytes fails naming its position', () => {
      const c = inclusion(6, 13);
      const proof = [...c.proof];
      proof[1] = proof[1]!.slice(1);
      expect(() => checkInclusion({ ...c, proof })).toThrow(/path\[1\] is not 32 bytes/);
    });
  });

  describe('when a proof byte is flipped', () => {
    it('each bit flip of each path hash fails', () => {
      for (const [index, size] of [
        [0, 8],
        [5, 13],
        [64, 70],
      ] as const) {
        const c = inclusion(index, size);
        c.proof.forEach((_, k) => {
          for (let bit = 0; bit < 256; bit++) {
            const proof = c.proof.map((h) => h.slice());
            proof[k]![bit >> 3]! ^= 1 << (bit & 7);
            expect(() => checkInclusion({ ...c, proof }), `${index} in ${size}, hash ${k} bit ${bit}`).toThrow(VerifyError);
          }
        });
      }
    });
  });

  describe('when the root is wrong', () => {
    it("another size's root, a flipped root and a short root all fail", () => {
      const c = inclusion(3, 10);
      expect(() => checkInclusion({ ...c, root: roots[11]! })).toThrow(/does not reach the root/);
      const flipped = c.root.slice();
      flipped[31]! ^= 1;
      expect(() => checkInclusion({ ...c, root: flipped })).toThrow(/does not reach the root/);
      expect(() => checkInclusion({ ...c, root: c.root.slice(0, 31) })).toThrow(/root is not 32 bytes/);
    });
  });

  describe('when sizes pass 2^32 (no 32-bit arithmetic)', () => {
    const random = (seed: number) => sha256(utf8(`random ${seed}`));

    it('the last leaf of a tree of 2^32 + 2 leaves has a two-hash path', () => {
      const [left, sibling, leaf] = [random(1), random(2), random(3)];
      const root = nodeHash(left, nodeHash(sibling, leaf));
      const c = { index: 2 ** 32 + 1, size: 2 ** 32 + 2, leafHash: leaf, proof: [sibling, left], root };
      expect(inclusionProofLength(c.index, c.size)).toBe(2);
      checkInclusion(c);
      // Truncated to 32 bits this would be leaf 1 of 2, with a one-hash path.
      expect(() => checkInclusion({ ...c, index: 1, size: 2 })).toThrow(VerifyError);
    });

    it('the last leaf of a tree of 2^53 − 1 leaves has a 52-hash path of left siblings', () => {
      const siblings = Array.from({ length: 52 }, (_, i) => random(100 + i));
      const leaf = random(99);
      const root = siblings.reduce((h, s) => nodeHash(s, h), leaf);
      const size = Number.MAX_SAFE_INTEGER;
      expect(inclusionProofLength(size - 1, size)).toBe(52);
      checkInclusion({ index: size - 1, size, leafHash: leaf, proof: siblings, root });
      expect(inclusionProofLength(0, size)).toBe(53);
    });

    it('consistency from 2^32 to 2^32 + 1 leaves is the one new leaf', () => {
      const [old, leaf] = [random(7), random(8)];
      checkConsistency({ size1: 2 ** 32, root1: old, size2: 2 ** 32 + 1, root2: nodeHash(old, leaf), proof: [leaf] });
    });
  });
});

describe('checkConsistency', () => {
  describe('when size1 > size2', () => {
    it('is refused: a log never shrinks', () => {
      const c = consistency(3, 7);
      const err = failure(() => checkConsistency({ ...c, size1: 7, root1: c.root2, size2: 3, root2: c.root1 }));
      expect(err.check).toBe('CONSISTENCY');
      expect(err.message).toBe('consistency proof: size1 7 is greater than size2 3; a log never shrinks');
    });
  });

  describe('when size1 = 0', () => {
    it('is refused even with an empty proof and the empty-tree root', () => {
      const err = failure(() => checkConsistency({ size1: 0, root1: roots[0]!, size2: 5, root2: roots[5]!, proof: [] }));
      expect(err.check).toBe('CONSISTENCY');
      expect(err.message).toMatch(/size1 is 0/);
    });
  });

  describe('when the sizes are equal', () => {
    it('needs an empty proof and the same root', () => {
      checkConsistency({ size1: 9, root1: roots[9]!, size2: 9, root2: roots[9]!, proof: [] });
      expect(() => checkConsistency({ size1: 9, root1: roots[9]!, size2: 9, root2: roots[8]!, proof: [] })).toThrow(/two different roots/);
      expect(() => checkConsistency({ size1: 9, root1: roots[9]!, size2: 9, root2: roots[9]!, proof: [leaves[0]!] })).toThrow(/must be empty/);
    });
  });

  describe('when the roots are swapped', () => {
    it('fails for every pair of different sizes up to 16', () => {
      for (let size2 = 2; size2 <= 16; size2++) {
        for (let size1 = 1; size1 < size2; size1++) {
          const c = consistency(size1, size2);
          expect(() => checkConsistency({ ...c, root1: c.root2, root2: c.root1 }), `${size1} → ${size2}`).toThrow(VerifyError);
        }
      }
    });
  });

  describe('when a root is wrong', () => {
    it('a wrong old root or new root fails naming which', () => {
      const c = consistency(6, 13);
      expect(() => checkConsistency({ ...c, root1: roots[5]! })).toThrow('consistency proof does not reach the root of the tree of size 6');
      expect(() => checkConsistency({ ...c, root2: roots[14]! })).toThrow('consistency proof does not reach the root of the tree of size 13');
    });
  });

  describe('when the proof is empty, truncated or extended', () => {
    it('fails before hashing, naming the expected length', () => {
      for (const [size1, size2] of [
        [1, 2],
        [4, 8],
        [6, 13],
        [7, 64],
        [33, 70],
      ] as const) {
        const c = consistency(size1, size2);
        expect(() => checkConsistency({ ...c, proof: [] })).toThrow('consistency proof is empty');
        for (let cut = 1; cut < c.proof.length; cut++) expect(() => checkConsistency({ ...c, proof: c.proof.slice(0, cut) })).toThrow(/need/);
        expect(() => checkConsistency({ ...c, proof: [...c.proof, leaves[0]!] })).toThrow(/need/);
      }
    });
  });

  describe('when a proof byte is flipped', () => {
    it('each bit flip of each proof hash fails', () => {
      for (const [size1, size2] of [
        [3, 7],
        [8, 13],
        [6, 70],
      ] as const) {
        const c = consistency(size1, size2);
        c.proof.forEach((_, k) => {
          for (let bit = 0; bit < 256; bit++) {
            const proof = c.proof.map((h) => h.slice());
            proof[k]![bit >> 3]! ^= 1 << (bit & 7);
            expect(() => checkConsistency({ ...c, proof }), `${size1} → ${size2}, hash ${k} bit ${bit}`).toThrow(VerifyError);
          }
        });
      }
    });
  });

  describe('when the proof is for other sizes', () => {
    it("a proof between other sizes of the same log fails (unless it happens to have the same shape and roots)", () => {
      const c = consistency(5, 12);
      for (const [size1, size2] of [
        [5, 11],
        [5, 13],
        [4, 12],
        [6, 12],
      ] as const) {
        expect(() => checkConsistency({ ...c, size1, size2, root1: roots[size1]!, root2: roots[size2]! }), `${size1} → ${size2}`).toThrow(VerifyError);
      }
    });
  });
});

describe('an inclusion proof does not pin the tree size', () => {
  // Leaf 0's audit path has the shape "sibling on the right" at every level
  // for every size 5..8, so the path of the 5-leaf tree leads to the 5-leaf
  // root whatever size 5..8 the verifier is told. A log that signs the
  // checkpoint (8, root of 5) passes inclusion checks for leaves 0..3 while
  // claiming three leaves it never has to show.
  const honest = inclusion(0, 5);
  const lie = { size: 8, root: roots[5]! };

  it('the path of leaf 0 in the 5-leaf tree also "verifies" for the claimed sizes 6, 7 and 8', () => {
    checkInclusion(honest);
    for (const size of [6, 7, 8]) checkInclusion({ ...honest, size });
    // Different sizes give different true roots: the proof hashes, not the
    // size, decide which root the path reaches.
    expect(new Set([5, 6, 7, 8].map((n) => toHex(roots[n]!))).size).toBe(4);
    expect(refPath(0, leaves.slice(0, 8)).map(toHex)).not.toEqual(honest.proof.map(toHex));
  });

  it('only the path the shape allows verifies; leaf 4 of the real tree cannot be shown in the lying one', () => {
    const leaf4 = inclusion(4, 5);
    checkInclusion(leaf4);
    expect(() => checkInclusion({ ...leaf4, ...lie })).toThrow(VerifyError);
  });

  it('consistency between checkpoints catches it: no proof links (5, root5) to (8, root5), nor (8, root5) to the real (8, root8)', () => {
    const candidates = [[], refProof(5, leaves.slice(0, 8)), refProof(5, leaves.slice(0, 6)), [leaves[5]!], [roots[5]!]];
    for (const proof of candidates) {
      expect(() => checkConsistency({ size1: 5, root1: roots[5]!, size2: lie.size, root2: lie.root, proof })).toThrow(VerifyError);
      expect(() => checkConsistency({ size1: 4, root1: roots[4]!, size2: lie.size, root2: lie.root, proof })).toThrow(VerifyError);
    }
    expect(() => checkConsistency({ size1: 8, root1: lie.root, size2: 8, root2: roots[8]!, proof: [] })).toThrow(/two different roots/);
    // The honest pair passes.
    checkConsistency(consistency(5, 8));
  });
});
