/**
 * @module chain-check
 * Start-up verification of the stored chain. The service refuses to extend a
 * chain it cannot verify: a broken link, a bad hash or signature, or a row
 * whose columns disagree with its record stops it, naming the seq.
 *
 * The stored Merkle tree is checked too, since the next checkpoint is signed
 * over it: every verified record's stored leaf hash must be the hash of its
 * stored text, every checkpoint in the verified range must be signed over
 * the root of the records before it (recomputed on top of the stored tree
 * below the range), the newest checkpoint's root must still be the stored
 * tree's root at its size, and every hash stored since that checkpoint must
 * be the one its records give. So the next checkpoint signs the records' root.
 */

import {
  ChainAuditor, checkCheckpointRecord, checkRecordSignature, equalBytes, keyId, noteKeysFor, parseRecord, VerifyError,
  type AuditReport, type BootBody, type Checkpoint, type SignatureVerifier,
} from '@rngseal/verifier';
import { cachedKeyVerifier } from './node-crypto.js';
import type { LogStore, StoredRecord, TreeHash } from './store/log-store.js';
import { frontierIndexes, TreeFrontier } from './tlog/frontier.js';
import { MissingTreeHashError, storeHashReader } from './tlog/store-reader.js';
import { leafHash, storedHashIndex, treeHash } from './tlog/tree.js';

/** node:crypto (OpenSSL) Ed25519 verification, for Node tools that check many records; each key parsed once. */
export const opensslVerify: SignatureVerifier = cachedKeyVerifier();

export interface CheckOptions {
  /** Verify from seq 0 with every fairness check, instead of the tail. */
  full: boolean;
  tail: number;
  /** The log's checkpoint origin: every checkpoint must be signed under it. */
  origin: string;
}

/** @throws VerifyError naming the first bad seq */
export async function checkStoredChain(store: LogStore, chain: string, options: CheckOptions): Promise<AuditReport | null> {
  const head = await store.head(chain);
  if (!head) return null;
  const from = options.full ? 0 : Math.max(0, head.seq - options.tail + 1);
  const before = from === 0 ? null : await store.record(chain, from - 1);
  if (from > 0 && !before) throw new VerifyError('SEQ', 'record missing', from - 1);
  const keys = await bootKeys(store, chain);
  const auditor = new ChainAuditor({
    keys,
    verifySignature: opensslVerify,
    checkBodies: options.full,
    origin: options.origin,
    ...(before ? { startPrev: before.hash, startTree: await storedTreeAt(store, chain, from) } : {}),
  });
  for (let next = from; next <= head.seq; ) {
    const page = await store.range(chain, next, head.seq, 1000);
    const leaves = await store.readTreeHashes(chain, page.map((row) => storedHashIndex(0, row.seq)));
    for (const [i, row] of page.entries()) {
      if (row.seq !== next) throw new VerifyError('SEQ', 'record missing', next);
      const record = parseRow(row);
      auditor.push(record, row.text);
      checkLeaf(row, leaves[i] ?? null);
      next++;
    }
    if (page.length === 0) throw new VerifyError('SEQ', 'record missing', next);
  }
  const checkpoint = await checkLastCheckpoint(store, chain, keys, options.origin);
  await checkTreeSince(store, chain, checkpoint?.size ?? 0, head.seq);
  return auditor.finish();
}

/** The stored tree of the first `size` records, as the auditor's starting subtree roots. */
async function storedTreeAt(store: LogStore, chain: string, size: number): Promise<{ size: number; roots: Uint8Array[] }> {
  try {
    return { size, roots: await storeHashReader(store, chain).readHashes(frontierIndexes(size)) as Uint8Array[] };
  } catch (err) {
    if (err instanceof MissingTreeHashError) throw new VerifyError('INCLUSION', `the stored Merkle tree is incomplete: ${err.message}`, size - 1);
    throw err;
  }
}

/** A leaf hash that is not the record's would put other bytes than the record under the next checkpoint. */
function checkLeaf(row: StoredRecord, stored: Uint8Array | null): void {
  if (stored === null) throw new VerifyError('INCLUSION', 'the stored Merkle tree has no leaf hash for this record', row.seq);
  if (!equalBytes(stored, leafHash(Buffer.from(row.text, 'utf8')))) {
    throw new VerifyError('INCLUSION', 'the stored Merkle tree leaf hash is not the hash of this record', row.seq);
  }
}

/**
 * The newest checkpoint must be a valid signed checkpoint, and the stored
 * tree must still have its root at its size: the next checkpoint is signed
 * over that tree, and must extend this one.
 */
async function checkLastCheckpoint(store: LogStore, chain: string, keys: Uint8Array[], origin: string): Promise<Checkpoint | null> {
  const row = await store.latest(chain, 'checkpoint');
  if (!row) return null;
  const record = parseRow(row);
  // It may lie before the verified tail: check it as a record too.
  const key = keys.find((k) => keyId(k) === record.key);
  if (!key) throw new VerifyError('KEY', `signed by unknown key ${record.key}`, record.seq);
  checkRecordSignature(record, key, opensslVerify);
  const checkpoint = checkCheckpointRecord(record, noteKeysFor(origin, keys), opensslVerify);
  let root: Uint8Array;
  try {
    root = await treeHash(checkpoint.size, storeHashReader(store, chain));
  } catch (err) {
    if (err instanceof MissingTreeHashError) throw new VerifyError('CHECKPOINT', `the stored Merkle tree is incomplete: ${err.message}`, row.seq);
    throw err;
  }
  if (!equalBytes(root, checkpoint.root)) {
    throw new VerifyError('CHECKPOINT', `checkpoint root is not the stored Merkle tree's root at size ${checkpoint.size}`, row.seq);
  }
  return checkpoint;
}

/**
 * Rebuilds the stored hashes of records `from`…`last` from their texts, on
 * the stored tree of the first `from` records (which the last checkpoint's
 * root vouches for), and compares each with the store's.
 */
async function checkTreeSince(store: LogStore, chain: string, from: number, last: number): Promise<void> {
  let frontier: TreeFrontier;
  try {
    frontier = await TreeFrontier.load(from, storeHashReader(store, chain));
  } catch (err) {
    if (err instanceof MissingTreeHashError) throw new VerifyError('INCLUSION', `the stored Merkle tree is incomplete: ${err.message}`, from - 1);
    throw err;
  }
  for (let next = from; next <= last; ) {
    const page = await store.range(chain, next, last, 1000);
    if (page[0]?.seq !== next) throw new VerifyError('SEQ', 'record missing', next);
    const expected: Array<TreeHash & { seq: number }> = [];
    for (const row of page) {
      if (row.seq !== next) throw new VerifyError('SEQ', 'record missing', next);
      for (const h of await frontier.append(leafHash(Buffer.from(row.text, 'utf8')))) expected.push({ ...h, seq: row.seq });
      next++;
    }
    const stored = await store.readTreeHashes(chain, expected.map((e) => e.index));
    expected.forEach((e, i) => {
      const s = stored[i];
      if (!s) throw new VerifyError('INCLUSION', `the stored Merkle tree has no hash ${e.index} for this record`, e.seq);
      if (!equalBytes(s, e.hash)) throw new VerifyError('INCLUSION', `stored Merkle tree hash ${e.index} is not the one this record gives`, e.seq);
    });
  }
}

/** Parses a stored row and checks that its columns agree with the record. */
function parseRow(row: StoredRecord): ReturnType<typeof parseRecord> {
  let record;
  try {
    record = parseRecord(row.text);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message.replace(/^record \d+: /, ''), row.seq);
  }
  if (record.seq !== row.seq || record.chain !== row.chain || record.type !== row.type || record.hash !== row.hash) {
    throw new VerifyError('FORMAT', 'stored columns disagree with the record', row.seq);
  }
  return record;
}

async function bootKeys(store: LogStore, chain: string): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = [];
  for (const row of await store.byType(chain, 'boot')) {
    try {
      const body = (JSON.parse(row.text) as { body: BootBody }).body;
      keys.push(new Uint8Array(Buffer.from(body.publicKey, 'hex')));
    } catch {
      throw new VerifyError('FORMAT', 'boot record is not JSON', row.seq);
    }
  }
  return keys;
}
