/**
 * @module tlog/backfill
 * Builds the stored tree of records appended before the store kept one (a
 * store migrated to the tree_hashes table), from their stored texts, before
 * start-up verification runs over it. Since the records' transaction writes
 * their hashes, a stored tree is always a prefix of the records: the
 * backfill resumes where an interrupted one stopped.
 *
 * It vouches for nothing: the hashes describe the texts as stored, and the
 * start-up check and every audit still verify those records.
 */

import type { LogStore, TreeHash } from '../store/log-store.js';
import { TreeFrontier } from './frontier.js';
import { storeHashReader } from './store-reader.js';
import { leafHash, storedHashIndex } from './tree.js';

const PAGE = 1000;

/** @returns how many records' hashes were added */
export async function backfillTree(store: LogStore, chain: string): Promise<number> {
  const head = await store.head(chain);
  if (!head) return 0;
  const from = await treeSize(store, chain, head.seq + 1);
  if (from > head.seq) return 0;
  const frontier = await TreeFrontier.load(from, storeHashReader(store, chain));
  for (let next = from; next <= head.seq; ) {
    const page = await store.range(chain, next, head.seq, PAGE);
    if (page[0]?.seq !== next) throw new Error(`tree backfill: record ${next} of chain ${chain} is missing`);
    const treeHashes: TreeHash[] = [];
    for (const row of page) {
      if (row.seq !== frontier.size) throw new Error(`tree backfill: record ${frontier.size} of chain ${chain} is missing`);
      treeHashes.push(...(await frontier.append(leafHash(Buffer.from(row.text, 'utf8')))));
    }
    await store.append({ chain, records: [], epochs: [], treeHashes });
    next = frontier.size;
  }
  return head.seq + 1 - from;
}

/** Leaves the stored tree covers, ≤ `records`: its leaf hashes are a prefix. */
async function treeSize(store: LogStore, chain: string, records: number): Promise<number> {
  const has = async (seq: number) => (await store.readTreeHashes(chain, [storedHashIndex(0, seq)]))[0] != null;
  if (await has(records - 1)) return records;
  let lo = 0; // every leaf below lo is stored
  let hi = records - 1; // leaf hi is not
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await has(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
