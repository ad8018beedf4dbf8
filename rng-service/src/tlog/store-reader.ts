/**
 * @module tlog/store-reader
 * The stored tree of one chain as a HashReader for tlog/tree.ts. A hash the
 * store does not have is an error, never a default: a proof or root built
 * around a gap would be a wrong answer signed or served as a right one.
 */

import type { LogStore } from '../store/log-store.js';
import { splitStoredHashIndex, type HashReader } from './tree.js';

export class MissingTreeHashError extends Error {
  override readonly name = 'MissingTreeHashError';
  constructor(
    readonly chain: string,
    readonly index: number,
  ) {
    const { level, n } = splitStoredHashIndex(index);
    super(`the stored Merkle tree of chain ${chain} has no hash ${index} (level ${level}, number ${n})`);
  }
}

export function storeHashReader(store: LogStore, chain: string): HashReader {
  return {
    async readHashes(indexes) {
      const hashes = await store.readTreeHashes(chain, indexes);
      return hashes.map((h, i) => {
        if (h === null) throw new MissingTreeHashError(chain, indexes[i]!);
        return h;
      });
    },
  };
}
