/**
 * The service's stored-hash tree (src/tlog/tree.ts) against Go's
 * golang.org/x/mod/sumdb/tlog (verifier/test/vectors/tlog-go.json: the same
 * stored hashes at the same indexes, the same roots and the same proofs) and
 * against the verifier (verifier/src/merkle.ts: every proof for every tree of
 * up to 64 leaves verifies against the reference root). Proofs for a size
 * must read only what existed at that size, and only O(log n) of it.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkConsistency,
  checkInclusion,
  fromBase64,
  leafHash as verifierLeafHash,
  nodeHash as verifierNodeHash,
  rootFromLeafHashes,
  toHex,
  utf8,
} from '@rngseal/verifier';
import {
  leafHash,
  nodeHash,
  proveConsistency,
  proveInclusion,
  splitStoredHashIndex,
  storedHashCount,
  storedHashesForRecord,
  storedHashIndex,
  treeHash,
  type HashReader,
} from '../src/tlog/tree.js';

interface IndexCase {
  level: number;
  n: number;
  index: number;
}
interface GoVectors {
  numLeaves: number;
  treeHashes: string[];
  storedHashes: string[];
  storedHashIndex: IndexCase[];
  splitStoredHashIndex: IndexCase[];
  storedHashCount: { n: number; count: number }[];
  inclusion: { size: number; index: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}
const go = JSON.parse(readFileSync(new URL('../../verifier/test/vectors/tlog-go.json', import.meta.url), 'utf8')) as GoVectors;
const hex = (b64: string) => toHex(fromBase64(b64));

const MAX = 64;
const data = (i: number) => utf8(`leaf-${i}`);
const leaves = Array.from({ length: go.numLeaves }, (_, i) => verifierLeafHash(data(i)));
const roots = Array.from({ length: go.numLeaves + 1 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));

/** An in-memory store that logs every read and refuses hashes past `limit`. */
class Store implements HashReader {
  hashes: Uint8Array[] = [];
  calls: number[][] = [];
  limit = Infinity;
  readHashes(indexes: number[]): Uint8Array[] {
    this.calls.push(indexes);
    return indexes.map((i) => {
      if (i >= Math.min(this.limit, this.hashes.length)) throw new Error(`read of stored hash ${i}, past ${this.limit}`);
      return this.hashes[i]!;
    });
  }
  /** Reads made by fn, with the store cut to the tree of `size` leaves. */
  async reads<T>(size: number, fn: () => Promise<T>): Promise<{ result: T; calls: number[][] }> {
    this.calls = [];
    this.limit = storedHashCount(size);
    try {
      return { result: await fn(), calls: this.calls };
    } finally {
      this.limit = Infinity;
    }
  }
}

async function build(n: number): Promise<Store> {
  const store = new Store();
  for (let i = 0; i < n; i++) {
    expect(store.hashes.length, `leaf ${i} starts at storedHashIndex(0, ${i})`).toBe(storedHashIndex(0, i));
    store.hashes.push(...(await storedHashesForRecord(i, leafHash(data(i)), store)));
    expect(store.hashes.length).toBe(storedHashCount(i + 1));
  }
  return store;
}
const store = await build(go.numLeaves);
const log2 = (n: number) => Math.ceil(Math.log2(Math.max(n, 2)));

describe('hashing', () => {
  it('node:crypto leaf and node hashes equal the verifier (@noble) ones', () => {
    for (let i = 0; i < 8; i++) expect(leafHash(data(i))).toEqual(leaves[i]);
    expect(nodeHash(leaves[0]!, leaves[1]!)).toEqual(verifierNodeHash(leaves[0]!, leaves[1]!));
    expect(leafHash(data(0))).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(leafHash(data(0)))).toBe(false);
  });
});

describe('stored hash numbering (Go tlog.StoredHashIndex, SplitStoredHashIndex, StoredHashCount)', () => {
  it(`storedHashIndex agrees on ${go.storedHashIndex.length} (level, n), up to 2^51`, () => {
    for (const { level, n, index } of go.storedHashIndex) expect(storedHashIndex(level, n), `(${level}, ${n})`).toBe(index);
  });

  it(`splitStoredHashIndex agrees on ${go.splitStoredHashIndex.length} indexes and inverts storedHashIndex`, () => {
    for (const { level, n, index } of go.splitStoredHashIndex) expect(splitStoredHashIndex(index), `${index}`).toEqual({ level, n });
    for (let level = 0; level < 12; level++) {
      for (let n = 0; n < 300; n++) expect(splitStoredHashIndex(storedHashIndex(level, n))).toEqual({ level, n });
    }
  });

  it('storedHashCount agrees, and the numbering is dense: every index below the count is used once', () => {
    for (const { n, count } of go.storedHashCount) expect(storedHashCount(n), `${n}`).toBe(count);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const { level, n } = splitStoredHashIndex(i);
      expect(storedHashIndex(level, n)).toBe(i);
      seen.add(i);
    }
    expect(seen.size).toBe(1000);
  });

  it('refuses bad coordinates, naming the argument', () => {
    expect(() => storedHashIndex(-1, 0)).toThrow(/^level:/);
    expect(() => storedHashIndex(0, 1.5)).toThrow(/^n:/);
    expect(() => storedHashIndex(52, 2 ** 20)).toThrow(/beyond 2\^53/);
    expect(() => splitStoredHashIndex(-3)).toThrow(/^index:/);
    expect(() => storedHashCount(Number.NaN)).toThrow(/^n:/);
  });
});

describe("storage equals Go's, hash for hash", () => {
  it(`the ${go.storedHashes.length} stored hashes of ${go.numLeaves} leaves are tlog.StoredHashes' output`, () => {
    expect(store.hashes.map(toHex)).toEqual(go.storedHashes.map(hex));
  });

  it('appending reads at most log₂ n earlier hashes, in one sorted call', async () => {
    for (let n = 0; n < go.numLeaves; n++) {
      const { calls } = await store.reads(n, () => storedHashesForRecord(n, leaves[n]!, store));
      expect(calls.length).toBeLessThanOrEqual(1);
      const read = calls[0] ?? [];
      expect(read.length).toBeLessThanOrEqual(log2(n + 1));
      expect(read).toEqual([...read].sort((a, b) => a - b));
    }
  });
});

describe('treeHash', () => {
  it('equals Go and the reference MTH for every size 1..70, reading only that tree, at most 1 + log₂ n hashes', async () => {
    for (let n = 1; n <= go.numLeaves; n++) {
      const { result, calls } = await store.reads(n, () => treeHash(n, store));
      expect(toHex(result), `size ${n}`).toBe(hex(go.treeHashes[n]!));
      expect(result).toEqual(roots[n]);
      expect(calls.length).toBe(1);
      expect(calls[0]!.length).toBeLessThanOrEqual(1 + log2(n));
    }
  });

  it('the empty tree is SHA-256("") (RFC 9162), not Go\'s zeros', async () => {
    expect(await treeHash(0, store)).toEqual(roots[0]);
  });
});

describe('proveInclusion', () => {
  it(`equals tlog.ProveRecord in all ${go.inclusion.length} Go cases`, async () => {
    for (const { size, index, proof } of go.inclusion) {
      expect((await proveInclusion(index, size, store)).map(toHex), `${index} in ${size}`).toEqual(proof.map(hex));
    }
  });

  it(`every leaf of every tree of 1..${MAX} leaves: verifies against the reference root, reading that tree only, in one call`, async () => {
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const { result: proof, calls } = await store.reads(size, () => proveInclusion(index, size, store));
        checkInclusion({ index, size, leafHash: leaves[index]!, proof, root: roots[size]! });
        expect(calls.length).toBeLessThanOrEqual(1);
        expect(calls.flat().length).toBeLessThanOrEqual(2 * log2(size));
      }
    }
  });

  it('refuses index ≥ size and bad sizes', async () => {
    await expect(proveInclusion(5, 5, store)).rejects.toThrow(/^index:/);
    await expect(proveInclusion(0, -1, store)).rejects.toThrow(/^size:/);
  });
});

describe('proveConsistency', () => {
  it(`equals tlog.ProveTree in all ${go.consistency.length} Go cases`, async () => {
    for (const { size1, size2, proof } of go.consistency) {
      expect((await proveConsistency(size1, size2, store)).map(toHex), `${size1} → ${size2}`).toEqual(proof.map(hex));
    }
  });

  it(`every pair 1 ≤ size1 ≤ size2 ≤ ${MAX}: verifies, reading only the newer tree, in one call`, async () => {
    for (let size2 = 1; size2 <= MAX; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const { result: proof, calls } = await store.reads(size2, () => proveConsistency(size1, size2, store));
        checkConsistency({ size1, root1: roots[size1]!, size2, root2: roots[size2]!, proof });
        expect(calls.length).toBeLessThanOrEqual(1);
        expect(calls.flat().length).toBeLessThanOrEqual(2 * log2(size2));
      }
    }
  });

  it('refuses size1 = 0 and size2 < size1', async () => {
    await expect(proveConsistency(0, 5, store)).rejects.toThrow(/^size1:/);
    await expect(proveConsistency(6, 5, store)).rejects.toThrow(/^size2:/);
  });
});

describe('readers', () => {
  it('an async reader gives the same answers', async () => {
    const slow: HashReader = { readHashes: async (indexes) => indexes.map((i) => store.hashes[i]!) };
    expect(await treeHash(37, slow)).toEqual(roots[37]);
    expect(await proveInclusion(12, 37, slow)).toEqual(await proveInclusion(12, 37, store));
    expect(await proveConsistency(12, 37, slow)).toEqual(await proveConsistency(12, 37, store));
  });

  it('a reader that returns too few hashes or a short hash is an error, not a wrong root', async () => {
    const short: HashReader = { readHashes: (indexes) => indexes.slice(1).map((i) => store.hashes[i]!) };
    await expect(treeHash(37, short)).rejects.toThrow(/returned 2 hashes/);
    const truncated: HashReader = { readHashes: (indexes) => indexes.map((i) => store.hashes[i]!.slice(1)) };
    await expect(proveInclusion(3, 37, truncated)).rejects.toThrow(/stored hash \d+: expected a 32-byte hash/);
  });
});
